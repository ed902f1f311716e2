import { inject } from '../../support/http-inject.js';
import { describe, expect, it } from 'vitest';
import { createCredentialsApp } from '../../../src/http/credentials-app.js';
import { APP_TOKEN, FAKE_LEASE, fakeCredentialsDeps } from '../../support/app-fakes.js';

/**
 * The hit path of the credentials listener: an admitted profile request with
 * a plain path is answered from the cache's synchronous hit (`serveIfFresh`),
 * without Express; everything else, refusals included, gets the same answer
 * through the full path, and the admission checks run once either way.
 */
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function listener(options: { burst?: number } = {}) {
  const fake = fakeCredentialsDeps({
    profiles: { orders: { operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS } },
    ratePerSecond: 1,
    burst: options.burst ?? 500,
  });
  fake.fresh = { lease: FAKE_LEASE };
  const handler = createCredentialsApp(fake.deps);
  const get = (url: string, headers: Record<string, string> = { authorization: APP_TOKEN }) =>
    inject(handler, { method: 'GET', url, headers: { host: '127.0.0.1:9180', ...headers } });
  return { fake, get, handler };
}

describe('credentials hit path', () => {
  it('answers a profile hit from the synchronous hit, with the same body, headers and metrics as the full path', async () => {
    const l = listener();
    const res = await l.get('/v1/credentials/orders');
    expect(res.statusCode).toBe(200);
    expect(l.fake.freshHits).toBe(1);
    expect(l.fake.requests).toHaveLength(1);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      AccessKeyId: FAKE_LEASE.accessKeyId,
      SecretAccessKey: FAKE_LEASE.secretAccessKey,
      Token: FAKE_LEASE.sessionToken,
      Expiration: '2026-11-25T07:00:00Z',
      AccountId: '123456789012',
    });
    expect(l.fake.requests[0]).toMatchObject({ label: 'orders' });
    const metrics = await l.fake.deps.metrics.registry.metrics();
    expect(metrics).toMatch(/lfcs_http_requests_total\{route="profile",code="200"\} 1/);
    expect(metrics).toMatch(/lfcs_served_credential_remaining_seconds_count 1/);
  });

  it('serves a miss through the cache, spending one rate-limit token for the request, not two', async () => {
    const l = listener({ burst: 2 });
    l.fake.fresh = undefined;
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    expect(l.fake.requests.map((r) => r.key !== undefined)).toEqual([true, true]);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(429);
  });

  it.each([
    ['a missing token', {}, 401],
    ['a wrong token', { authorization: 'x'.repeat(26) }, 401],
    ['a foreign Host', { authorization: APP_TOKEN, host: 'evil.example' }, 403],
    ['a proxied request', { authorization: APP_TOKEN, forwarded: 'for=10.0.0.1' }, 403],
    ['an X-Forwarded-For request', { authorization: APP_TOKEN, 'x-forwarded-for': '10.0.0.1' }, 403],
  ])('refuses %s before taking a rate-limit token or touching the cache', async (_name, headers, status) => {
    const l = listener({ burst: 1 });
    expect((await l.get('/v1/credentials/orders', headers as Record<string, string>)).statusCode).toBe(status);
    expect(l.fake.freshHits).toBe(0);
    expect(l.fake.requests).toEqual([]);
    // The one token of the burst is still there.
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
  });

  it('serves encoded names, queries and HEAD through the full path, with the same lease', async () => {
    const l = listener();
    for (const url of ['/v1/credentials/ord%65rs', '/v1/credentials/orders?x=1']) {
      const res = await l.get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.json()).toMatchObject({ AccessKeyId: FAKE_LEASE.accessKeyId });
    }
    const head = await inject(l.handler, {
      method: 'HEAD',
      url: '/v1/credentials/orders',
      headers: { host: '127.0.0.1', authorization: APP_TOKEN },
    });
    expect(head.statusCode).toBe(200);
    expect(l.fake.freshHits).toBe(3);
    for (const url of ['/v1/credentials/nope', '/v1/credentials/orders/']) expect((await l.get(url)).statusCode, url).toBe(404);
  });

  it('answers 429 once the listener limit is spent, and serves again when it refills', async () => {
    const l = listener({ burst: 2 });
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    const limited = await l.get('/v1/credentials/orders');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(l.fake.freshHits).toBe(2);
    await l.fake.clock.advance(1000);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
  });

  it('takes the dynamic route with its query without Express, with the same answers as before', async () => {
    const fake = fakeCredentialsDeps({ allowed: () => true });
    const handler = createCredentialsApp(fake.deps);
    const get = (url: string) => inject(handler, { method: 'GET', url, headers: { host: '127.0.0.1:9180', authorization: APP_TOKEN } });
    const ok = await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}&queryId=q-1`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ AccessKeyId: FAKE_LEASE.accessKeyId, AccountId: '123456789012' });
    expect(fake.requests[0]?.request).toMatchObject({ tableArn: ORDERS, querySessionContext: { queryId: 'q-1' } });
    const tooMany = await get(`/v1/credentials?${Array.from({ length: 33 }, (_, i) => `p${i}=1`).join('&')}`);
    expect(tooMany.statusCode).toBe(400);
    expect((tooMany.json() as { message: string }).message).toContain('at most 32 are accepted');
    const repeated = await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}&table=${encodeURIComponent(ORDERS)}`);
    expect(repeated.statusCode).toBe(400);
    expect((repeated.json() as { message: string }).message).toContain('repeated');
    expect((await get('/v1/credentials')).statusCode).toBe(400);
    expect((await get('/v1/credentials/?table=x')).statusCode).toBe(404);
    expect(fake.requests).toHaveLength(1);
    expect((await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}`)).statusCode).toBe(200);
  });
});
