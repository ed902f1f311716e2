import type { IncomingMessage, ServerResponse } from 'node:http';
import { inject } from 'light-my-request';
import { describe, expect, it } from 'vitest';
import { createFastPath, RATE_LIMIT_TAKEN } from '../../../src/http/fast-path.js';
import { APP_TOKEN, FAKE_LEASE, fakeCredentialsDeps } from '../../support/app-fakes.js';

/**
 * The fast path in front of the credentials app, as the sidecar wires them: a
 * profile hit is answered here, and every other request falls through
 * untouched (to a recording stand-in for the full path; the full path's own
 * answers are tested in credentials-app.test.ts, and the two together over a
 * real socket in test/integration/http).
 */
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function listener(options: { burst?: number } = {}) {
  const fake = fakeCredentialsDeps({
    profiles: { orders: { operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS } },
    ratePerSecond: 1,
    burst: options.burst ?? 500,
  });
  const fellThrough: Array<{ url: string | undefined; tokenTaken: boolean }> = [];
  const fast = createFastPath({
    profile: (name) => fake.deps.profiles.resolve(name),
    cache: fake.deps.cache,
    auth: fake.deps.auth,
    rateLimiter: fake.deps.rateLimiter,
    metrics: fake.deps.metrics,
  });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (fast(req, res)) return;
    fellThrough.push({ url: req.url, tokenTaken: (req as { [RATE_LIMIT_TAKEN]?: boolean })[RATE_LIMIT_TAKEN] === true });
    res.writeHead(299).end('full path');
  };
  const get = (url: string, headers: Record<string, string> = { authorization: APP_TOKEN }) =>
    inject(handler, { method: 'GET', url, headers: { host: '127.0.0.1:9180', ...headers } });
  return { fake, get, fellThrough, handler };
}

describe('credentials fast path', () => {
  it('answers a profile hit itself, with the same body, headers and metrics as the full path', async () => {
    const l = listener();
    const res = await l.get('/v1/credentials/orders');
    expect(res.statusCode).toBe(200);
    expect(l.fellThrough).toEqual([]);
    expect(l.fake.freshHits).toBe(1);
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

  it('leaves a miss to the full path, marking the rate-limit token it already took', async () => {
    const l = listener();
    l.fake.fresh = undefined;
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(299);
    expect(l.fellThrough).toEqual([{ url: '/v1/credentials/orders', tokenTaken: true }]);
  });

  it.each([
    ['a missing token', {}],
    ['a wrong token', { authorization: 'x'.repeat(26) }],
    ['a foreign Host', { authorization: APP_TOKEN, host: 'evil.example' }],
    ['a proxied request', { authorization: APP_TOKEN, forwarded: 'for=10.0.0.1' }],
    ['an X-Forwarded-For request', { authorization: APP_TOKEN, 'x-forwarded-for': '10.0.0.1' }],
  ])('hands %s to the full path before taking a rate-limit token or touching the cache', async (_name, headers) => {
    const l = listener();
    expect((await l.get('/v1/credentials/orders', headers as Record<string, string>)).statusCode).toBe(299);
    expect(l.fellThrough).toEqual([{ url: '/v1/credentials/orders', tokenTaken: false }]);
    expect(l.fake.freshHits).toBe(0);
  });

  it('hands unknown profiles, other routes and encoded names to the full path', async () => {
    const l = listener();
    for (const url of ['/v1/credentials/nope', '/v1/credentials/orders/', '/v1/credentials/ord%65rs', '/v1/credentials/orders?x=1', '/v1/credentials']) {
      expect((await l.get(url)).statusCode).toBe(299);
    }
    const head = await inject(l.handler, { method: 'HEAD', url: '/v1/credentials/orders', headers: { host: '127.0.0.1', authorization: APP_TOKEN } });
    expect(head.statusCode).toBe(299);
    expect(l.fellThrough.map((f) => f.tokenTaken)).toEqual([false, false, false, false, false, false]);
  });

  it('falls through once the listener limit is spent, so the full path answers 429', async () => {
    const l = listener({ burst: 2 });
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(299);
    expect(l.fellThrough).toEqual([{ url: '/v1/credentials/orders', tokenTaken: false }]);
    await l.fake.clock.advance(1000);
    expect((await l.get('/v1/credentials/orders')).statusCode).toBe(200);
  });
});
