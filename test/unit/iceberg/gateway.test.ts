import { describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { createIcebergGateway, delegationMode, type GatewayRequest } from '../../../src/iceberg/gateway.js';
import type { CatalogCall, UpstreamAnswer } from '../../../src/iceberg/upstream-catalog.js';
import type { Lease } from '../../../src/lakeformation/types.js';
import {
  bodyOf,
  CATALOG,
  fixedClock,
  LOCATION,
  lease,
  REGION,
  SECRET,
  TABLE_ARN,
  UPSTREAM_METADATA,
  upstreamLoadTable,
} from './support.js';

const P = `/v1/catalogs/${CATALOG}`;
const TABLE = `${P}/namespaces/sales/tables/orders`;
const OBJECT = 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/data/a.parquet';

/** A gateway over a scripted upstream and a counting lease source. */
function setup(
  options: { upstream?: (call: CatalogCall) => UpstreamAnswer | Promise<UpstreamAnswer>; leases?: (arn: string) => Promise<Lease> } = {},
) {
  const calls: CatalogCall[] = [];
  const leaseCalls: string[] = [];
  const ok = (): UpstreamAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: upstreamLoadTable() });
  const gateway = createIcebergGateway({
    region: REGION,
    catalogs: [CATALOG, '210987654321'],
    delegation: 'vended-credentials',
    upstream: {
      forward: async (call) => {
        calls.push(call);
        return (options.upstream ?? ok)(call);
      },
    },
    leases: async (arn) => {
      leaseCalls.push(arn);
      return (options.leases ?? (async () => lease()))(arn);
    },
    clock: fixedClock,
  });
  const handle = (method: string, url: string, extra: Partial<GatewayRequest> = {}) =>
    gateway.handle({ method, url, headers: {}, ...extra });
  return { handle, calls, leaseCalls };
}

const signBody = (uri = OBJECT) => Buffer.from(JSON.stringify({ region: REGION, method: 'GET', uri, headers: {} }));

function expectIcebergError(answer: { status: number; body?: Buffer }, status: number, type: string) {
  expect(answer.status).toBe(status);
  expect(bodyOf(answer as never)).toEqual({ error: { message: expect.any(String), type, code: status } });
}

describe('Iceberg REST gateway', () => {
  it('answers /v1/config itself: the prefix of the catalog asked for and the routes served, no uri override', async () => {
    const { handle, calls } = setup();
    const { operation, answer } = await handle('GET', '/v1/config');
    expect(operation).toBe('getConfig');
    expect(bodyOf(answer)).toEqual({
      defaults: {},
      overrides: { prefix: `catalogs/${CATALOG}` },
      endpoints: expect.arrayContaining([`GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials`]),
    });
    expect(bodyOf((await handle('GET', '/v1/config?warehouse=210987654321')).answer).overrides.prefix).toBe('catalogs/210987654321');
    expectIcebergError((await handle('GET', '/v1/config?warehouse=s3://elsewhere')).answer, 404, 'NotFoundException');
    expect(calls).toHaveLength(0);
  });

  it('loadTable: forwards, then vends the lease of the table ARN, passing the metadata through', async () => {
    const { handle, calls, leaseCalls } = setup();
    const { operation, answer } = await handle('GET', `${TABLE}?snapshots=all`, {
      headers: { 'x-iceberg-access-delegation': 'vended-credentials' },
    });
    expect(operation).toBe('loadTable');
    expect(answer.status).toBe(200);
    expect(calls.map((c) => [c.method, c.path, c.query])).toEqual([
      ['GET', `v1/catalogs/${CATALOG}/namespaces/sales/tables/orders`, 'snapshots=all'],
    ]);
    expect(leaseCalls).toEqual([TABLE_ARN]);
    const text = answer.body!.toString();
    expect(text).toContain(UPSTREAM_METADATA);
    const body = JSON.parse(text);
    expect(body['storage-credentials']).toHaveLength(1);
    expect(body['storage-credentials'][0].config['s3.secret-access-key']).toBe(SECRET);
    expect(body['storage-credentials'][0].config['client.refresh-credentials-endpoint']).toBe(
      `v1/catalogs/${CATALOG}/namespaces/sales/tables/orders/credentials`,
    );
    expect(answer.headers['Cache-Control']).toBe('no-store');
  });

  it('vends when the client sends no delegation header (Iceberg Java sends none by default)', async () => {
    const { handle, leaseCalls } = setup();
    const body = bodyOf((await handle('GET', TABLE)).answer);
    expect(body['storage-credentials']).toHaveLength(1);
    expect(leaseCalls).toHaveLength(1);
  });

  it('picks the delegation mode from the header list, else the configured default', () => {
    expect(delegationMode(undefined, 'remote-signing')).toBe('remote-signing');
    expect(delegationMode('remote-signing', 'vended-credentials')).toBe('remote-signing');
    expect(delegationMode('remote-signing, vended-credentials', 'vended-credentials')).toBe('vended-credentials');
    expect(delegationMode(['something-else'], 'vended-credentials')).toBe('vended-credentials');
  });

  it('remote signing: no lease at load time, and no response body of the path contains the secret key', async () => {
    const { handle, leaseCalls } = setup();
    const headers = { 'x-iceberg-access-delegation': 'remote-signing' };
    const bodies: string[] = [];
    const load = (await handle('GET', TABLE, { headers })).answer;
    bodies.push(load.body!.toString());
    expect(JSON.parse(bodies[0]!).config['s3.signer.endpoint']).toBe(`v1/catalogs/${CATALOG}/namespaces/sales/tables/orders/sign`);
    expect(leaseCalls).toHaveLength(0);

    const signed = (await handle('POST', `${TABLE}/sign`, { headers, body: signBody() })).answer;
    expect(signed.status).toBe(200);
    expect(signed.headers['Cache-Control']).toBe('private');
    expect(leaseCalls).toEqual([TABLE_ARN]);
    for (const refused of [
      await handle('POST', `${TABLE}/sign`, { body: signBody('https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/customers/a') }),
      await handle('POST', `${TABLE}/sign`, { body: Buffer.from('{') }),
      await handle('POST', `${TABLE}/sign`, {
        body: Buffer.from(JSON.stringify({ region: REGION, method: 'PUT', uri: OBJECT, headers: {} })),
      }),
      await handle('POST', `${TABLE}/sign`),
    ]) {
      expect(refused.answer.status).toBeGreaterThanOrEqual(400);
      bodies.push(refused.answer.body!.toString());
    }
    bodies.push(signed.body!.toString());
    for (const body of bodies) expect(body).not.toContain(SECRET);
  });

  it('signing refusals have the spec shape: outside the path 403, malformed body 400', async () => {
    const { handle } = setup();
    expectIcebergError(
      (await handle('POST', `${TABLE}/sign`, { body: signBody('https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders_b/a') }))
        .answer,
      403,
      'ForbiddenException',
    );
    expectIcebergError((await handle('POST', `${TABLE}/sign`, { body: Buffer.from('nope') })).answer, 400, 'BadRequestException');
  });

  it('signs only inside the paths Lake Formation vended for the table', async () => {
    const { handle } = setup({ leases: async () => lease({ vendedS3Path: ['s3://demo-lake/warehouse/sales/orders/data'] }) });
    expect((await handle('POST', `${TABLE}/sign`, { body: signBody() })).answer.status).toBe(200);
    expect((await handle('POST', `${TABLE}/sign`, { body: signBody(`${OBJECT.replace('/data/', '/metadata/')}`) })).answer.status).toBe(
      403,
    );
  });

  it('/credentials answers exactly one S3 credential from the cache, without calling the upstream', async () => {
    const { handle, calls, leaseCalls } = setup();
    const { operation, answer } = await handle('GET', `${TABLE}/credentials`);
    expect(operation).toBe('loadCredentials');
    const credentials = bodyOf(answer)['storage-credentials'];
    expect(credentials).toHaveLength(1);
    expect(credentials[0].prefix).toBe(LOCATION);
    expect(calls).toHaveLength(0);
    expect(leaseCalls).toEqual([TABLE_ARN]);
  });

  it('forwards catalog reads and passes their bodies through byte for byte, HEAD without a body', async () => {
    const listing = Buffer.from('{ "namespaces" : [["sales"]] , "next-page-token":null}');
    const { handle, calls } = setup({ upstream: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: listing }) });
    const list = (await handle('GET', `${P}/namespaces?pageToken=x`)).answer;
    expect(list.body).toEqual(listing);
    expect(list.headers).toEqual({ 'Cache-Control': 'no-store', 'content-type': 'application/json' });
    const exists = await handle('HEAD', TABLE);
    expect(exists.operation).toBe('tableExists');
    expect(exists.answer.body).toBeUndefined();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET v1/catalogs/${CATALOG}/namespaces`,
      `HEAD v1/catalogs/${CATALOG}/namespaces/sales/tables/orders`,
    ]);
  });

  it('passes upstream refusals through unchanged and does not ask for a lease', async () => {
    const notFound = Buffer.from('{"error":{"message":"Table does not exist: sales.nope","type":"NoSuchTableException","code":404}}');
    const { handle, leaseCalls } = setup({
      upstream: () => ({ status: 404, headers: { 'content-type': 'application/json' }, body: notFound }),
    });
    const { answer } = await handle('GET', `${P}/namespaces/sales/tables/nope`);
    expect([answer.status, answer.body]).toEqual([404, notFound]);
    expect(leaseCalls).toHaveLength(0);
  });

  it("answers Glue's throttle (400 Rate exceeded) as 429 with Retry-After", async () => {
    const throttle = Buffer.from('{"error":{"message":"Rate exceeded","type":"ThrottlingException","code":400}}');
    const { handle } = setup({ upstream: () => ({ status: 400, headers: {}, body: throttle }) });
    const { answer } = await handle('GET', TABLE);
    expectIcebergError(answer, 429, 'TooManyRequestsException');
    expect(answer.headers['Retry-After']).toBe('1');
  });

  it('answers 503 with Retry-After when the upstream is down', async () => {
    const { handle } = setup({
      upstream: () => {
        throw new IcebergError('ServiceUnavailableException', 'The upstream catalog could not be reached', { retryAfterSeconds: 1 });
      },
    });
    const { answer } = await handle('GET', TABLE);
    expectIcebergError(answer, 503, 'ServiceUnavailableException');
    expect(answer.headers['Retry-After']).toBe('1');
    const head = (await handle('HEAD', TABLE)).answer;
    expect([head.status, head.body]).toEqual([503, undefined]);
  });

  it('answers 503 for an upstream loadTable body it cannot use', async () => {
    const { handle } = setup({ upstream: () => ({ status: 200, headers: {}, body: Buffer.from('<html>') }) });
    expectIcebergError((await handle('GET', TABLE)).answer, 503, 'ServiceUnavailableException');
  });

  it("maps the cache's refusals: Lake Formation denied 403, throttled 503 with Retry-After", async () => {
    const denied = setup({
      leases: () => Promise.reject(new LfcsError('AccessDeniedException', 'Insufficient Lake Formation permission(s)')),
    });
    expectIcebergError((await denied.handle('GET', TABLE)).answer, 403, 'ForbiddenException');
    expectIcebergError((await denied.handle('GET', `${TABLE}/credentials`)).answer, 403, 'ForbiddenException');
    const busy = setup({
      leases: () => Promise.reject(new LfcsError('UpstreamBusy', 'queue full', { retryable: true, retryAfterSeconds: 2 })),
    });
    const { answer } = await busy.handle('GET', `${TABLE}/credentials`);
    expectIcebergError(answer, 503, 'ServiceUnavailableException');
    expect(answer.headers['Retry-After']).toBe('2');
  });

  it('refuses a multi-level namespace before any upstream call or lease', async () => {
    const { handle, calls, leaseCalls } = setup();
    expectIcebergError((await handle('GET', `${P}/namespaces/sales%1Forders/tables/snapshots`)).answer, 404, 'NoSuchTableException');
    expectIcebergError(
      (await handle('GET', `${P}/namespaces/sales%1Forders/tables/snapshots/credentials`)).answer,
      404,
      'NoSuchTableException',
    );
    expect([calls, leaseCalls]).toEqual([[], []]);
  });

  it('refuses writes (406), unknown routes (404), odd methods (405) and token requests (OAuth 400), and keeps serving', async () => {
    const { handle, calls } = setup();
    expectIcebergError((await handle('POST', TABLE, { body: Buffer.from('{}') })).answer, 406, 'UnsupportedOperationException');
    expectIcebergError((await handle('DELETE', TABLE)).answer, 406, 'UnsupportedOperationException');
    expectIcebergError((await handle('GET', '/v2/config')).answer, 404, 'NotFoundException');
    expectIcebergError((await handle('GET', `/v1/catalogs/999999999999/namespaces`)).answer, 404, 'NotFoundException');
    const method = (await handle('PUT', `${TABLE}/credentials`)).answer;
    expectIcebergError(method, 405, 'MethodNotAllowedException');
    expect(method.headers.Allow).toBe('GET');
    const token = (await handle('POST', '/v1/oauth/tokens')).answer;
    expect([token.status, bodyOf(token).error]).toEqual([400, 'unsupported_grant_type']);
    expect(calls).toHaveLength(0);
    expect((await handle('GET', TABLE)).answer.status).toBe(200);
  });

  it('accepts scan metrics with 204 and forwards nothing', async () => {
    const { handle, calls } = setup();
    const { operation, answer } = await handle('POST', `${TABLE}/metrics`, { body: Buffer.from('{"report-type":"scan-report"}') });
    expect([operation, answer.status, answer.body]).toEqual(['reportMetrics', 204, undefined]);
    expect(calls).toHaveLength(0);
  });
});

describe('Iceberg REST gateway: authorization', () => {
  it('asks the authorize hook for every table route before any upstream call or lease', async () => {
    const { handle, calls, leaseCalls } = setup();
    const asked: string[] = [];
    const authorize = (arn: string) => {
      asked.push(arn);
      throw new LfcsError('TableNotAllowed', `table ${arn} matches none of dynamic.allowedTables`);
    };
    for (const [method, url, body] of [
      ['GET', TABLE],
      ['HEAD', TABLE],
      ['GET', `${TABLE}/credentials`],
      ['POST', `${TABLE}/sign`, signBody()],
    ] as const) {
      const { answer } = await handle(method, url, { authorize, ...(body && { body }) });
      expect(answer.status, `${method} ${url}`).toBe(403);
      if (method !== 'HEAD') expectIcebergError(answer, 403, 'ForbiddenException');
    }
    expect(asked).toEqual([TABLE_ARN, TABLE_ARN, TABLE_ARN, TABLE_ARN]);
    expect([calls, leaseCalls]).toEqual([[], []]);
    // Listings name no table: forwarded.
    expect((await handle('GET', `${P}/namespaces`, { authorize })).answer.status).toBe(200);
  });
});
