import { describe, expect, it } from 'vitest';
import { admin, noGrantsKeys, sidecarKeys } from '../../support/emulator.js';
import { send, signedCall, useIcebergEmulator, warehouseFile } from '../../support/iceberg-emulator.js';

const ACCOUNT = '123456789012';
const PREFIX = `/iceberg/v1/catalogs/${ACCOUNT}`;
const ORDERS = `${PREFIX}/namespaces/sales/tables/orders`;
const VENDED = { 'x-iceberg-access-delegation': 'vended-credentials' };
const ORDERS_METADATA = 'sales/orders/metadata/00001-988f29ee-c663-4aaa-8f50-3baf49d24fc7.metadata.json';

/** The spec's IcebergErrorResponse, checked whole. */
function expectIcebergError(response: { status: number; json: any }, status: number, type: string): void {
  expect(response.status).toBe(status);
  expect(Object.keys(response.json)).toEqual(['error']);
  expect(response.json.error).toEqual({ message: expect.any(String), type, code: status });
}

describe("Glue's Iceberg REST catalog: reads", () => {
  const lf = useIcebergEmulator();
  const call = (path: string, options: Omit<Parameters<typeof signedCall>[1], 'path'> = {}) =>
    signedCall(lf.emulator, { path, ...options });

  it('answers GET /v1/config with the catalogs/<account> prefix and the endpoints it serves', async () => {
    const response = await call('/iceberg/v1/config', { query: `warehouse=${ACCOUNT}` });
    expect(response.status).toBe(200);
    expect(response.json.overrides).toEqual({ prefix: `catalogs/${ACCOUNT}` });
    expect(response.json.defaults).toEqual({});
    expect(response.json.endpoints).toContain('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}');
    expect(response.json.endpoints).not.toContain('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}');
  });

  it('lists the Glue databases as namespaces, one level deep', async () => {
    expect((await call(`${PREFIX}/namespaces`)).json).toEqual({ namespaces: [['sales']] });
    expect((await call(`${PREFIX}/namespaces`, { query: 'parent=sales' })).json).toEqual({ namespaces: [] });
    expectIcebergError(await call(`${PREFIX}/namespaces`, { query: 'parent=marketing' }), 404, 'NoSuchNamespaceException');
  });

  it('loads a namespace, answers HEAD for it, and 404s an unknown or multi-level one', async () => {
    expect((await call(`${PREFIX}/namespaces/sales`)).json).toEqual({ namespace: ['sales'], properties: {} });
    expect((await call(`${PREFIX}/namespaces/sales`, { method: 'HEAD' })).status).toBe(204);
    expectIcebergError(await call(`${PREFIX}/namespaces/marketing`), 404, 'NoSuchNamespaceException');
    expectIcebergError(await call(`${PREFIX}/namespaces/sales%1Fq1`), 404, 'NoSuchNamespaceException');
  });

  it('lists only the Iceberg tables of a namespace', async () => {
    const response = await call(`${PREFIX}/namespaces/sales/tables`);
    expect(response.json).toEqual({
      identifiers: [
        { namespace: ['sales'], name: 'orders' },
        { namespace: ['sales'], name: 'returns' },
      ],
    });
  });

  it('loads a table: the stored metadata byte for byte (63-bit snapshot ids intact), no credentials unless asked', async () => {
    const response = await call(ORDERS);
    expect(response.status).toBe(200);
    expect(response.json['metadata-location']).toBe(`s3://demo-lake/${ORDERS_METADATA}`);
    expect(response.json.metadata['format-version']).toBe(2);
    expect(response.json.metadata.location).toBe('s3://demo-lake/sales/orders');
    expect(response.json.metadata['partition-specs'][0].fields[0]).toMatchObject({ name: 'dt', transform: 'identity' });
    expect(response.json.metadata.snapshots[0]['manifest-list']).toMatch(/^s3:\/\/demo-lake\/sales\/orders\/metadata\/snap-.*\.avro$/);
    expect(response.json['storage-credentials']).toBeUndefined();
    const stored = warehouseFile('demo-lake', ORDERS_METADATA).toString('utf8').trim();
    expect(response.text).toContain(`"metadata":${stored}`);
    expect(response.text).toMatch(/"current-snapshot-id":\s*8510055232072838421/);
  });

  it('vends through Lake Formation when asked: one GetTemporaryGlueTableCredentials per loadTable', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await call(ORDERS, { headers: VENDED });
      expect(response.status).toBe(200);
      const [credential, ...others] = response.json['storage-credentials'];
      expect(others).toEqual([]);
      expect(credential.prefix).toBe('s3://demo-lake/sales/orders/');
      expect(credential.config).toEqual({
        's3.access-key-id': expect.stringMatching(/^ASIA[A-Z0-9]{16}$/),
        's3.secret-access-key': expect.any(String),
        's3.session-token': expect.any(String),
        's3.session-token-expires-at-ms': expect.stringMatching(/^\d+$/),
        'client.region': 'us-east-1',
      });
    }
    const stats = await admin(lf.emulator).get('stats');
    expect(stats.calls.GetTemporaryGlueTableCredentials).toEqual({ success: 3 });
    expect(stats.calls['iceberg:loadTable']).toEqual({ success: 3 });
    const vended = await admin(lf.emulator).get('vended');
    expect(vended.map((v: any) => v.tableArn)).toEqual(Array(3).fill(`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/orders`));
  });

  it('serves loadCredentials with a fresh lease, counted as a Lake Formation call', async () => {
    const response = await call(`${ORDERS}/credentials`);
    expect(response.status).toBe(200);
    expect(response.json['storage-credentials'][0].prefix).toBe('s3://demo-lake/sales/orders/');
    expect((await admin(lf.emulator).get('stats')).calls.GetTemporaryGlueTableCredentials).toEqual({ success: 1 });
  });

  it('answers HEAD table exists with 204, and 404 without a body for a missing one', async () => {
    expect((await call(ORDERS, { method: 'HEAD' })).status).toBe(204);
    const missing = await call(`${PREFIX}/namespaces/sales/tables/nope`, { method: 'HEAD' });
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBe(0);
  });

  it('answers NoSuchTableException for an unknown table and for a Glue table that is not an Iceberg table', async () => {
    expectIcebergError(await call(`${PREFIX}/namespaces/sales/tables/nope`), 404, 'NoSuchTableException');
    expectIcebergError(await call(`${PREFIX}/namespaces/sales/tables/payments`), 404, 'NoSuchTableException');
    expectIcebergError(await call(`${PREFIX}/namespaces/sales/tables/nope/credentials`), 404, 'NoSuchTableException');
  });

  it('answers NoSuchWarehouseException for another catalog id, in the prefix or the config call', async () => {
    expectIcebergError(await call('/iceberg/v1/catalogs/999999999999/namespaces'), 404, 'NoSuchWarehouseException');
    expectIcebergError(await call('/iceberg/v1/config', { query: 'warehouse=999999999999' }), 404, 'NoSuchWarehouseException');
  });

  it('answers 400 BadRequestException for a malformed path encoding or snapshots value', async () => {
    expectIcebergError(await call(`${PREFIX}/namespaces/sales%E0%A4%A`), 400, 'BadRequestException');
    expectIcebergError(await call(ORDERS, { query: 'snapshots=some' }), 400, 'BadRequestException');
  });
});

describe("Glue's Iceberg REST catalog: refusals", () => {
  const lf = useIcebergEmulator();

  it('answers 401 NotAuthorizedException without a signature, with a wrong secret, or signed for another service', async () => {
    expectIcebergError(await send(lf.emulator, { path: ORDERS }), 401, 'NotAuthorizedException');
    const wrongSecret = { ...sidecarKeys(), secretAccessKey: 'wrongSecretKey/wrongSecretKey/wrongSecret' };
    expectIcebergError(await signedCall(lf.emulator, { path: ORDERS, keys: wrongSecret }), 401, 'NotAuthorizedException');
    expectIcebergError(await signedCall(lf.emulator, { path: ORDERS, service: 'lakeformation' }), 401, 'NotAuthorizedException');
  });

  it('answers 403 ForbiddenException to a principal without a Lake Formation permission on the table', async () => {
    const response = await signedCall(lf.emulator, { path: ORDERS, keys: noGrantsKeys(), headers: VENDED });
    expectIcebergError(response, 403, 'ForbiddenException');
    expectIcebergError(await signedCall(lf.emulator, { path: `${ORDERS}/credentials`, keys: noGrantsKeys() }), 403, 'ForbiddenException');
    expect((await admin(lf.emulator).get('stats')).calls.GetTemporaryGlueTableCredentials).toBeUndefined();
  });

  it('answers writes with 406 UnsupportedOperationException, and keeps serving reads', async () => {
    const writes: [string, string][] = [
      ['POST', `${PREFIX}/namespaces`],
      ['DELETE', `${PREFIX}/namespaces/sales`],
      ['POST', `${PREFIX}/namespaces/sales/tables`],
      ['POST', ORDERS],
      ['DELETE', ORDERS],
      ['POST', `${PREFIX}/tables/rename`],
      ['POST', `${PREFIX}/transactions/commit`],
      ['POST', `${PREFIX}/namespaces/sales/register`],
      ['POST', `${ORDERS}/sign`],
      ['GET', `${PREFIX}/namespaces/sales/views`],
    ];
    for (const [method, path] of writes) {
      const body = method === 'POST' ? '{}' : undefined;
      const response = await signedCall(lf.emulator, {
        method,
        path,
        ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
      expectIcebergError(response, 406, 'UnsupportedOperationException');
    }
    expect((await signedCall(lf.emulator, { path: ORDERS })).status).toBe(200);
  });

  it('answers 400 ThrottlingException "Rate exceeded" while catalogThrottleNext lasts, as Glue does, then serves', async () => {
    await admin(lf.emulator).setFaults({ catalogThrottleNext: 2 });
    for (let i = 0; i < 2; i++) {
      const response = await signedCall(lf.emulator, { path: ORDERS });
      expectIcebergError(response, 400, 'ThrottlingException');
      expect(response.json.error.message).toBe('Rate exceeded');
    }
    expect((await signedCall(lf.emulator, { path: ORDERS })).status).toBe(200);
    expect((await admin(lf.emulator).get('stats')).calls['iceberg:loadTable']).toEqual({ ThrottlingException: 2, success: 1 });
  });

  it('drops the connection during an outage fault, and serves again once it is cleared', async () => {
    await admin(lf.emulator).setFaults({ outage: true });
    await expect(signedCall(lf.emulator, { path: ORDERS })).rejects.toThrow();
    await admin(lf.emulator).clearFaults();
    expect((await signedCall(lf.emulator, { path: ORDERS })).status).toBe(200);
  });
});

describe('Glue GetTable for Iceberg tables', () => {
  const lf = useIcebergEmulator();
  const getTable = (name: string) =>
    signedCall(lf.emulator, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSGlue.GetTable' },
      body: JSON.stringify({ DatabaseName: 'sales', Name: name }),
    });

  it("answers table_type ICEBERG and the current metadata_location, which Iceberg's GlueCatalog.loadTable needs", async () => {
    const response = await getTable('orders');
    expect(response.status).toBe(200);
    expect(response.json.Table.Parameters).toEqual({ table_type: 'ICEBERG', metadata_location: `s3://demo-lake/${ORDERS_METADATA}` });
  });

  it('answers no Parameters for a table without Iceberg metadata', async () => {
    const response = await getTable('payments');
    expect(response.status).toBe(200);
    expect(response.json.Table.Parameters).toBeUndefined();
  });
});
