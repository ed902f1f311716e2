import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN, startStack, type Stack } from '../../support/stack.js';

/**
 * Every route's success shape and every hostile or malformed input: each gets
 * a 4xx JSON error with no secret in it, and the daemon keeps serving.
 */
let stack: Stack;
const servedSecrets = new Set<string>();
const errorBodies: string[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  // No secret or token in any error we sent, nor in any log line.
  const logs = stack.logs();
  for (const secret of [...servedSecrets, stack.token]) {
    expect(logs).not.toContain(secret);
    for (const body of errorBodies) expect(body).not.toContain(secret);
  }
  await stack.close();
});

async function expectServing(): Promise<void> {
  const res = await stack.get('/v1/credentials/orders');
  expect(res.status).toBe(200);
  const body = (await res.json()) as { SecretAccessKey: string; Token: string };
  servedSecrets.add(body.SecretAccessKey).add(body.Token);
}

async function expectJsonError(res: Response, status: number, code: string): Promise<{ message: string }> {
  const text = await res.text();
  errorBodies.push(text);
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = JSON.parse(text) as { code: string; message: string; Code: string; Message: string };
  expect(body).toMatchObject({ code, Code: code });
  expect(body.Message).toBe(body.message);
  await expectServing();
  return body;
}

/** A raw request, for headers fetch does not let us set (Host) or sizes it would refuse. */
function raw(
  path: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; type: string | undefined; body: string }> {
  const url = new URL(stack.sidecar.credentialsUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers, setHost: !('Host' in headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('success responses', () => {
  it('a profile answers container-credentials JSON with exactly application/json', async () => {
    const res = await stack.get('/v1/credentials/orders');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(['AccessKeyId', 'AccountId', 'Expiration', 'SecretAccessKey', 'Token']);
    expect(body['AccessKeyId']).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(body['Expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body['AccountId']).toBe('123456789012');
    servedSecrets.add(body['SecretAccessKey']!).add(body['Token']!);
  });

  it('the native table API answers the API field names with VendedS3Path', async () => {
    const res = await stack.post('/v1/table-credentials', {
      TableArn: ORDERS_ARN,
      Permissions: ['SELECT'],
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'VendedS3Path']);
    expect(body['VendedS3Path']).toEqual(['s3://demo-lake/sales/orders/']);
    expect(body['Expiration']).toMatch(/Z$/);
    servedSecrets.add(body['SecretAccessKey'] as string).add(body['SessionToken'] as string);
  });

  it('the native partition API answers without VendedS3Path', async () => {
    const res = await stack.post('/v1/partition-credentials', { TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-02'] } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['AccessKeyId']).toMatch(/^ASIA/);
    servedSecrets.add(body['SecretAccessKey'] as string).add(body['SessionToken'] as string);
  });

  it('permission order does not matter: both orders share one cached lease', async () => {
    const a = await (await stack.get(`/v1/credentials?table=${ORDERS_ARN}&permissions=SELECT,DESCRIBE`)).json();
    const b = await (await stack.get(`/v1/credentials?table=${ORDERS_ARN}&permissions=DESCRIBE,SELECT`)).json();
    expect((a as { AccessKeyId: string }).AccessKeyId).toBe((b as { AccessKeyId: string }).AccessKeyId);
  });
});

describe('authentication', () => {
  it('a missing token gets 401', async () => {
    const res = await fetch(`${stack.sidecar.credentialsUrl}/v1/credentials/orders`);
    await expectJsonError(res, 401, 'Unauthorized');
  });
  it('a wrong token gets 401', async () => {
    await expectJsonError(
      await stack.get('/v1/credentials/orders', { headers: { Authorization: 'wrong-token-0123456789' } }),
      401,
      'Unauthorized',
    );
  });
  it('a Bearer-prefixed token gets 401: clients send the token exactly as stored', async () => {
    await expectJsonError(
      await stack.get('/v1/credentials/orders', { headers: { Authorization: `Bearer ${stack.token}` } }),
      401,
      'Unauthorized',
    );
  });
});

describe('hardening', () => {
  it('a non-loopback Host header gets 403 (DNS rebinding)', async () => {
    const res = await raw('/v1/credentials/orders', { Host: 'attacker.example.com', Authorization: stack.token });
    errorBodies.push(res.body);
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'ForbiddenHost' });
    await expectServing();
  });
  it('X-Forwarded-For gets 403', async () => {
    await expectJsonError(
      await stack.get('/v1/credentials/orders', { headers: { 'X-Forwarded-For': '10.0.0.1' } }),
      403,
      'ForwardedRequestRejected',
    );
  });
  it('Forwarded gets 403', async () => {
    await expectJsonError(
      await stack.get('/v1/credentials/orders', { headers: { Forwarded: 'for=10.0.0.1' } }),
      403,
      'ForwardedRequestRejected',
    );
  });
  it('oversized headers get 431 JSON', async () => {
    const res = await raw('/v1/credentials/orders', { Authorization: stack.token, 'X-Padding': 'x'.repeat(10_000) });
    errorBodies.push(res.body);
    expect(res.status).toBe(431);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ code: 'HeadersTooLarge' });
    await expectServing();
  });
  it.each([
    ['DELETE', '/v1/credentials/orders', 'GET, HEAD'],
    ['POST', '/v1/credentials', 'GET, HEAD'],
    ['GET', '/v1/table-credentials', 'POST'],
    ['PUT', '/v1/partition-credentials', 'POST'],
  ])('%s %s gets 405 with Allow', async (method, path, allow) => {
    const res = await stack.get(path, { method });
    expect(res.headers.get('allow')).toBe(allow);
    await expectJsonError(res, 405, 'MethodNotAllowed');
  });
  it('an unknown route gets 404 and never redirects', async () => {
    const res = await stack.get('/v1/credentials/', { redirect: 'manual' });
    await expectJsonError(res, 404, 'RouteNotFound');
    await expectJsonError(await stack.get('/v1/Credentials/orders', { redirect: 'manual' }), 404, 'RouteNotFound');
  });
});

describe('request errors', () => {
  it('an unknown profile gets 404', async () => {
    await expectJsonError(await stack.get('/v1/credentials/nope'), 404, 'ProfileNotFound');
  });
  it('a malformed dynamic request gets 400 naming the parameter', async () => {
    const body = await expectJsonError(await stack.get(`/v1/credentials?table=${ORDERS_ARN}&permissions=READ`), 400, 'InvalidRequest');
    expect(body.message).toContain('permissions');
  });
  it('a repeated query key gets 400', async () => {
    await expectJsonError(await stack.get(`/v1/credentials?table=${ORDERS_ARN}&table=${ORDERS_ARN}`), 400, 'InvalidRequest');
  });
  it('a table outside dynamic.allowedTables gets 403 saying why', async () => {
    const other = 'arn:aws:glue:us-east-1:999999999999:table/sales/orders';
    const body = await expectJsonError(await stack.get(`/v1/credentials?table=${other}`), 403, 'TableNotAllowed');
    expect(body.message).toContain('dynamic.allowedTables');
    await expectJsonError(await stack.post('/v1/table-credentials', { TableArn: other }), 403, 'TableNotAllowed');
  });
  it('an oversized POST body gets 413', async () => {
    const huge = { TableArn: ORDERS_ARN, AuditContext: { AdditionalAuditContext: 'x'.repeat(70 * 1024) } };
    await expectJsonError(await stack.post('/v1/table-credentials', huge), 413, 'PayloadTooLarge');
  });
  it('invalid JSON gets 400', async () => {
    await expectJsonError(await stack.post('/v1/table-credentials', '{"TableArn":'), 400, 'InvalidRequest');
  });
  it('a non-JSON content type gets 415', async () => {
    await expectJsonError(
      await stack.post('/v1/table-credentials', 'TableArn=x', { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      415,
      'UnsupportedMediaType',
    );
  });
  it('an invalid native body gets 400', async () => {
    await expectJsonError(
      await stack.post('/v1/partition-credentials', { TableArn: ORDERS_ARN, Partition: { Values: [] } }),
      400,
      'InvalidRequest',
    );
  });
});

describe('upstream errors', () => {
  it('AccessDenied keeps its code and gets 403', async () => {
    await expectJsonError(await stack.get(`/v1/credentials?table=${PAYMENTS_ARN}&permissions=SELECT`), 403, 'AccessDeniedException');
  });
  it('PermissionTypeMismatch gets 403', async () => {
    await expectJsonError(
      await stack.get(`/v1/credentials?table=${CUSTOMERS_ARN}&supportedPermissionTypes=CELL_FILTER_PERMISSION`),
      403,
      'PermissionTypeMismatchException',
    );
  });
  it('EntityNotFound gets 404', async () => {
    await expectJsonError(
      await stack.get('/v1/credentials?table=arn:aws:glue:us-east-1:123456789012:table/sales/nope'),
      404,
      'EntityNotFoundException',
    );
  });
  it('an outage with nothing cached gets 503 with Retry-After', async () => {
    await fetch(`${stack.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ outage: true }),
    });
    try {
      const res = await stack.get(`/v1/credentials?table=${ORDERS_ARN}&queryId=outage-1`);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const text = await res.text();
      errorBodies.push(text);
      expect(res.status).toBe(503);
      expect(JSON.parse(text)).toMatchObject({ code: 'UpstreamUnavailable' });
      // The cached profile is still served during the outage.
      await expectServing();
    } finally {
      await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    }
    await expectServing();
  });
});
