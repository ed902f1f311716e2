import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin } from '../../support/emulator.js';
import { call, ORDERS, PREFIX, startGatewayStack, type Answer, type GatewayStack } from './support.js';

/** The spec's IcebergErrorResponse, checked whole. */
function expectIcebergError(answer: Answer, status: number, type: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/json');
  expect(Object.keys(answer.json)).toEqual(['error']);
  expect(answer.json.error).toEqual({ message: expect.any(String), type, code: status });
}

describe('Iceberg REST gateway refusals (the daemon keeps serving)', () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack();
  });
  afterAll(() => stack?.close());

  const stillServes = async () => expect((await stack.gateway(ORDERS)).status).toBe(200);

  it('no token, a wrong token, or the token without the Bearer scheme: 401 NotAuthorizedException', async () => {
    expectIcebergError(await call(stack.port, { path: ORDERS }), 401, 'NotAuthorizedException');
    expectIcebergError(
      await stack.gateway(ORDERS, { headers: { Authorization: 'Bearer wrong-token-0123456789' } }),
      401,
      'NotAuthorizedException',
    );
    expectIcebergError(await call(stack.port, { path: ORDERS, headers: { Authorization: stack.token } }), 401, 'NotAuthorizedException');
    expectIcebergError(await call(stack.port, { path: '/v1/config' }), 401, 'NotAuthorizedException');
    await stillServes();
  });

  it('a Host that is not loopback, or a proxied request: 403 ForbiddenException', async () => {
    expectIcebergError(await stack.gateway(ORDERS, { headers: { Host: 'evil.example' } }), 403, 'ForbiddenException');
    expectIcebergError(await stack.gateway(ORDERS, { headers: { 'X-Forwarded-For': '10.0.0.1' } }), 403, 'ForbiddenException');
    await stillServes();
  });

  it('a table outside dynamic.allowedTables: 403 ForbiddenException, before any upstream call', async () => {
    const before = await stack.stats();
    const answer = await stack.gateway(`${PREFIX}/namespaces/sales/tables/customers`);
    expectIcebergError(answer, 403, 'ForbiddenException');
    expect(answer.json.error.message).toContain('dynamic.allowedTables');
    expectIcebergError(await stack.gateway(`${PREFIX}/namespaces/sales/tables/customers/credentials`), 403, 'ForbiddenException');
    expect((await stack.stats())['iceberg:loadTable']).toEqual(before['iceberg:loadTable']);
    await stillServes();
  });

  it("an unknown table or namespace: the catalog's 404 passed through", async () => {
    const stack2 = await startGatewayStack({ dynamic: { allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/*/*'] } });
    try {
      expectIcebergError(await stack2.gateway(`${PREFIX}/namespaces/sales/tables/nope`), 404, 'NoSuchTableException');
      expectIcebergError(await stack2.gateway(`${PREFIX}/namespaces/marketing`), 404, 'NoSuchNamespaceException');
      expectIcebergError(await stack2.gateway(`${PREFIX}/namespaces/sales%1Fq1/tables/orders`), 404, 'NoSuchTableException');
    } finally {
      await stack2.close();
    }
  });

  it('a catalog not served, an unknown route, a write, an odd method', async () => {
    expectIcebergError(await stack.gateway('/v1/catalogs/999999999999/namespaces'), 404, 'NotFoundException');
    expectIcebergError(await stack.gateway('/v2/config'), 404, 'NotFoundException');
    expectIcebergError(await stack.gateway(ORDERS, { method: 'POST', body: '{"updates":[]}' }), 406, 'UnsupportedOperationException');
    expectIcebergError(await stack.gateway(ORDERS, { method: 'DELETE' }), 406, 'UnsupportedOperationException');
    const method = await stack.gateway(`${ORDERS}/credentials`, { method: 'PUT' });
    expectIcebergError(method, 405, 'MethodNotAllowedException');
    expect(method.headers.allow).toBe('GET');
    const token = await stack.gateway('/v1/oauth/tokens', { method: 'POST', body: 'grant_type=client_credentials' });
    expect([token.status, token.json.error]).toEqual([400, 'unsupported_grant_type']);
    await stillServes();
  });

  it('a malformed or oversized sign request: 400', async () => {
    expectIcebergError(await stack.gateway(`${ORDERS}/sign`, { method: 'POST', body: '{' }), 400, 'BadRequestException');
    expectIcebergError(await stack.gateway(`${ORDERS}/sign`, { method: 'POST', body: '{"uri":1}' }), 400, 'BadRequestException');
    expectIcebergError(await stack.gateway(`${ORDERS}/sign`, { method: 'POST', body: 'x'.repeat(300 * 1024) }), 400, 'BadRequestException');
    await stillServes();
  });

  it("the upstream catalog throttled (Glue's 400 Rate exceeded): 429 with Retry-After", async () => {
    await admin(stack.emulator).setFaults({ catalogThrottleNext: 1 });
    const answer = await stack.gateway(ORDERS);
    expectIcebergError(answer, 429, 'TooManyRequestsException');
    expect(answer.headers['retry-after']).toBe('1');
    await stillServes();
  });

  it('the upstream catalog down: 503 with Retry-After, then serving again', async () => {
    await admin(stack.emulator).setFaults({ outage: true });
    try {
      const answer = await stack.gateway(`${PREFIX}/namespaces`);
      expectIcebergError(answer, 503, 'ServiceUnavailableException');
      expect(answer.headers['retry-after']).toBe('1');
    } finally {
      await admin(stack.emulator).clearFaults();
    }
    await stillServes();
  });

  it('logs no secret: not the token, not a vended key', async () => {
    const secret = (await stack.gateway(`${ORDERS}/credentials`)).json['storage-credentials'][0].config['s3.secret-access-key'];
    const logs = stack.logs();
    expect(logs).toContain('request denied');
    expect(logs).not.toContain(stack.token);
    expect(logs).not.toContain(secret);
  });
});
