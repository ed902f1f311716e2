import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCall, warehouseFile } from '../../support/iceberg-emulator.js';
import { ACCOUNT, call, ORDERS, ORDERS_DATA, PREFIX, RETURNS_DATA, startGatewayStack, type GatewayStack } from './support.js';

const REMOTE = { 'x-iceberg-access-delegation': 'remote-signing' };

describe('Iceberg REST gateway in front of the emulator', () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack();
  });
  afterAll(() => stack?.close());

  it('is ready once the gateway listens', () => {
    expect(stack.sidecar.readiness()).toMatchObject({ ready: true, reasons: [] });
  });

  it('answers /v1/config with the catalog prefix and the routes it serves', async () => {
    const answer = await stack.gateway('/v1/config');
    expect(answer.status).toBe(200);
    expect(answer.json.overrides).toEqual({ prefix: `catalogs/${ACCOUNT}` });
    expect(answer.json.endpoints).toContain('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials');
  });

  it('forwards listings signed as lfcs, passing the catalog answer through', async () => {
    expect((await stack.gateway(`${PREFIX}/namespaces`)).json).toEqual({ namespaces: [['sales']] });
    expect((await stack.gateway(`${PREFIX}/namespaces/sales/tables`)).json.identifiers).toEqual([
      { namespace: ['sales'], name: 'orders' },
      { namespace: ['sales'], name: 'returns' },
    ]);
    expect((await stack.gateway(ORDERS, { method: 'HEAD' })).status).toBe(204);
  });

  it("loadTable vends the table's lease, which reads the table's files at the S3 endpoint and not another table's", async () => {
    const answer = await stack.gateway(`${ORDERS}?snapshots=all`);
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).toBeUndefined();
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json.metadata.location).toBe('s3://demo-lake/sales/orders');
    expect(answer.json.config).toMatchObject({
      'client.region': 'us-east-1',
      's3.endpoint': stack.emulator.url,
      's3.path-style-access': 'true',
    });
    const [credential] = answer.json['storage-credentials'];
    expect(credential.prefix).toBe('s3://demo-lake/sales/orders');
    const keys = {
      accessKeyId: credential.config['s3.access-key-id'],
      secretAccessKey: credential.config['s3.secret-access-key'],
      sessionToken: credential.config['s3.session-token'],
    };
    const own = await signedCall(stack.emulator, { service: 's3', path: `/${ORDERS_DATA}`, keys, unsignedPayload: true });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(warehouseFile('demo-lake', ORDERS_DATA.slice('demo-lake/'.length)));
    const other = await signedCall(stack.emulator, { service: 's3', path: `/${RETURNS_DATA}`, keys, unsignedPayload: true });
    expect(other.status).toBe(403);
  });

  it('answers /credentials with exactly one S3 credential, the same lease as loadTable (one cache key)', async () => {
    const loaded = (await stack.gateway(ORDERS)).json['storage-credentials'][0].config;
    const answer = await stack.gateway(`${ORDERS}/credentials`);
    expect(answer.status).toBe(200);
    expect(answer.json['storage-credentials']).toHaveLength(1);
    expect(answer.json['storage-credentials'][0].config['s3.access-key-id']).toBe(loaded['s3.access-key-id']);
    expect(Number(answer.json['storage-credentials'][0].config['s3.session-token-expires-at-ms'])).toBeGreaterThan(Date.now());
  });

  it('remote signing: the client holds no key, a signed read works at S3, and no gateway body contains the secret', async () => {
    const bodies: string[] = [];
    const load = await stack.gateway(ORDERS, { headers: REMOTE });
    bodies.push(load.text);
    expect(load.status).toBe(200);
    expect(load.json['storage-credentials']).toBeUndefined();
    const endpoint = load.json.config['s3.signer.endpoint'];
    expect(endpoint).toBe(`v1/catalogs/${ACCOUNT}/namespaces/sales/tables/orders/sign`);

    const uri = `${stack.emulator.url}/${ORDERS_DATA}`;
    const signRequest = { region: 'us-east-1', method: 'GET', uri, headers: { Range: ['bytes=0-3'] } };
    const signed = await stack.gateway(`/${endpoint}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(signRequest),
    });
    bodies.push(signed.text);
    expect(signed.status).toBe(200);
    expect(signed.headers['cache-control']).toBe('private');
    const headers: Record<string, string> = { Range: 'bytes=0-3' };
    for (const [name, values] of Object.entries(signed.json.headers as Record<string, string[]>)) headers[name] = values.join(', ');
    const read = await call(stack.emulator.port, { path: new URL(signed.json.uri).pathname, headers });
    expect(read.status).toBe(206);
    expect(read.text).toBe('PAR1');

    for (const refused of [
      { ...signRequest, uri: `${stack.emulator.url}/${RETURNS_DATA}` },
      { ...signRequest, uri: `${stack.emulator.url}/demo-lake/sales/orders/../returns/data/x.parquet` },
      { ...signRequest, method: 'PUT' },
      { ...signRequest, uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/sales/orders/data/x.parquet' },
    ]) {
      const answer = await stack.gateway(`/${endpoint}`, { method: 'POST', body: JSON.stringify(refused) });
      bodies.push(answer.text);
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({ type: 'ForbiddenException', code: 403 });
    }
    // The lease the signatures were made with (the same cache entry), fetched last.
    const secret = (await stack.gateway(`${ORDERS}/credentials`)).json['storage-credentials'][0].config['s3.secret-access-key'];
    expect(secret.length).toBeGreaterThan(10);
    for (const body of bodies) expect(body).not.toContain(secret);
  });

  it('accepts scan metrics with 204', async () => {
    const answer = await stack.gateway(`${ORDERS}/metrics`, { method: 'POST', body: '{"report-type":"scan-report"}' });
    expect([answer.status, answer.body.length]).toEqual([204, 0]);
  });
});
