import { inject } from '../../support/http-inject.js';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/core/errors.js';
import { createCredentialsApp } from '../../../src/http/credentials-app.js';
import { APP_TOKEN, FAKE_LEASE, fakeCredentialsDeps } from '../../support/app-fakes.js';
import type { TableCredentialRequest } from '../../../src/lakeformation/types.js';

/**
 * The credentials app in-process (light-my-request injects requests into the
 * Express handler: no socket, no emulator), with a scripted cache. What the
 * real listener adds (Host parsing by Node, clientError) is covered by the
 * integration tests.
 */
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function app(options: Parameters<typeof fakeCredentialsDeps>[0] = {}) {
  const fake = fakeCredentialsDeps({
    profiles: { orders: { operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS, permissions: ['SELECT'] } },
    ...options,
  });
  const handler = createCredentialsApp(fake.deps);
  const get = (url: string, headers: Record<string, string> = { authorization: APP_TOKEN }) =>
    inject(handler, { method: 'GET', url, headers: { host: '127.0.0.1:9180', ...headers } });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    inject(handler, {
      method: 'POST',
      url,
      headers: { host: '127.0.0.1:9180', authorization: APP_TOKEN, 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  return { ...fake, handler, get, post };
}

const errorCode = (res: { json(): unknown }) => (res.json() as { code: string }).code;

describe('credentials app (in-process)', () => {
  it('serves a profile from its prepared request: container body, exact Content-Type, AccountId', async () => {
    const { get, requests } = app();
    const res = await get('/v1/credentials/orders');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual({
      AccessKeyId: FAKE_LEASE.accessKeyId,
      SecretAccessKey: FAKE_LEASE.secretAccessKey,
      Token: FAKE_LEASE.sessionToken,
      Expiration: '2026-11-25T07:00:00Z',
      AccountId: '123456789012',
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ label: 'orders', key: expect.stringContaining(ORDERS) });
    expect(Object.isFrozen(requests[0]!.request)).toBe(true);
  });

  it('refuses a missing or wrong token with 401 and never reaches the cache', async () => {
    const { get, requests } = app();
    const missing = await get('/v1/credentials/orders', {});
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ code: 'Unauthorized', Code: 'Unauthorized' });
    const wrong = await get('/v1/credentials/orders', { authorization: `${APP_TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect(requests).toHaveLength(0);
  });

  it('refuses a non-loopback Host (403) and a proxied request (403)', async () => {
    const { get } = app();
    const rebinding = await get('/v1/credentials/orders', { authorization: APP_TOKEN, host: 'evil.example:9180' });
    expect([rebinding.statusCode, errorCode(rebinding)]).toEqual([403, 'ForbiddenHost']);
    const proxied = await get('/v1/credentials/orders', { authorization: APP_TOKEN, 'x-forwarded-for': '10.0.0.1' });
    expect([proxied.statusCode, errorCode(proxied)]).toEqual([403, 'ForwardedRequestRejected']);
  });

  it('answers 404 for an unknown profile or route and 405 with Allow for a wrong method', async () => {
    const { get, post } = app();
    expect(errorCode(await get('/v1/credentials/nope'))).toBe('ProfileNotFound');
    expect((await get('/v2/anything')).statusCode).toBe(404);
    const wrongMethod = await post('/v1/credentials/orders', {});
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers['allow']).toBe('GET, HEAD');
  });

  it('refuses dynamic requests when disabled (403) and tables outside the allow-list (403)', async () => {
    const disabled = app();
    expect(errorCode(await disabled.get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}`))).toBe('DynamicRequestsDisabled');
    const listed = app({ allowed: (arn) => arn.endsWith('/customers') });
    const refused = await listed.get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}`);
    expect([refused.statusCode, errorCode(refused)]).toEqual([403, 'TableNotAllowed']);
    expect(listed.requests).toHaveLength(0);
  });

  it('answers 400 naming the field for bad dynamic and native input, and keeps serving', async () => {
    const { get, post } = app({ allowed: () => true });
    const badQuery = await get('/v1/credentials?table=arn:aws:s3:::bucket');
    expect(badQuery.statusCode).toBe(400);
    expect((badQuery.json() as { message: string }).message).toContain('table: a Glue table ARN');
    const badBody = await post('/v1/table-credentials', { TableArn: ORDERS, DurationSeconds: 60 });
    expect(badBody.statusCode).toBe(400);
    expect((badBody.json() as { message: string }).message).toContain('DurationSeconds: an integer from 900 to 43200');
    expect(errorCode(await post('/v1/table-credentials', '{not json'))).toBe('InvalidRequest');
    expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
  });

  it('answers 415 for a non-JSON body type and 413 for a body over the limit', async () => {
    const { post } = app({ allowed: () => true });
    const text = await post('/v1/table-credentials', { TableArn: ORDERS }, { 'content-type': 'text/plain' });
    expect([text.statusCode, errorCode(text)]).toEqual([415, 'UnsupportedMediaType']);
    const huge = await post('/v1/table-credentials', { TableArn: ORDERS, pad: 'x'.repeat(70 * 1024) });
    expect([huge.statusCode, errorCode(huge)]).toEqual([413, 'PayloadTooLarge']);
  });

  it('serves the native table route with the API field names and VendedS3Path, defaults applied', async () => {
    const { post, requests } = app({ allowed: () => true });
    const res = await post('/v1/table-credentials', { TableArn: ORDERS });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ SessionToken: FAKE_LEASE.sessionToken, VendedS3Path: FAKE_LEASE.vendedS3Path });
    expect(requests[0]!.request).toMatchObject({ permissions: ['SELECT'], durationSeconds: 3600 });
  });

  it('turns a retryable cache failure into 503 with Retry-After and a permanent one into 403', async () => {
    const { get, answers } = app();
    answers.push({
      error: new UpstreamError('ThrottlingException', 'Lake Formation throttled the request', {
        upstreamName: 'ThrottlingException',
        retryable: true,
        retryAfterSeconds: 2,
      }),
    });
    const throttled = await get('/v1/credentials/orders');
    expect([throttled.statusCode, throttled.headers['retry-after']]).toEqual([503, '2']);
    answers.push({
      error: new UpstreamError('AccessDeniedException', 'denied', { upstreamName: 'AccessDeniedException', retryable: false }),
    });
    expect((await get('/v1/credentials/orders')).statusCode).toBe(403);
  });

  it('hides an unexpected exception behind a bare 500 InternalError', async () => {
    const { get, answers, logs } = app();
    answers.push({ error: new Error(`boom with ${FAKE_LEASE.secretAccessKey}`) });
    const res = await get('/v1/credentials/orders');
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'InternalError', message: 'internal error' });
    expect(res.body + logs()).not.toContain(FAKE_LEASE.secretAccessKey);
  });

  it('answers 429 with Retry-After once the listener limit is spent, and recovers as the clock moves', async () => {
    const { get, clock } = app({ ratePerSecond: 1, burst: 2 });
    expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
    expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
    const limited = await get('/v1/credentials/orders');
    expect([limited.statusCode, errorCode(limited), limited.headers['retry-after']]).toEqual([429, 'RateLimited', '1']);
    await clock.advance(1000);
    expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
  });

  it('authenticates before the rate limit: a wrong-token flood never makes the real client get 429', async () => {
    const { get, deps, logs } = app({ ratePerSecond: 1, burst: 5, refusedPerSecond: 1, refusedBurst: 10, deniedLogBurst: 3 });
    const flood = [];
    for (let i = 0; i < 200; i++)
      flood.push((await get('/v1/credentials/orders', { authorization: `wrong-token-${i}-0123456789` })).statusCode);
    // The refused get their own bucket: 401 while it lasts, then 429.
    expect(flood.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(flood.slice(10)).toEqual(Array(190).fill(429));
    for (let i = 0; i < 5; i++) expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
    // Refusal audit lines are sampled, and what was dropped is counted.
    expect(logs().match(/"audit":"denied"/g)).toHaveLength(3);
    expect(await deps.metrics.registry.getSingleMetricAsString('lfcs_log_lines_dropped_total')).toContain(
      'lfcs_log_lines_dropped_total{kind="denied"} 197',
    );
  });

  it('names a bad query parameter as a query parameter', async () => {
    const { get } = app({ allowed: () => true });
    const bad = await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}&durationSeconds=abc`);
    expect((bad.json() as { message: string }).message).toMatch(/^query parameter durationSeconds: /);
    const unknown = await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}&nope=1`);
    expect((unknown.json() as { message: string }).message).toMatch(
      /^query parameter "nope" is not accepted \(accepted parameters: table, /,
    );
  });

  it('counts requests by route and status, and never logs the token or key material', async () => {
    const { get, deps, logs } = app();
    await get('/v1/credentials/orders');
    await get('/v1/credentials/orders', { authorization: 'wrong-token-wrong-token' });
    const metrics = await deps.metrics.registry.metrics();
    expect(metrics).toMatch(/lfcs_http_requests_total\{route="profile",code="200"\} 1/);
    for (const secret of [APP_TOKEN, FAKE_LEASE.secretAccessKey, FAKE_LEASE.sessionToken]) {
      expect(logs()).not.toContain(secret);
      expect(metrics).not.toContain(secret);
    }
  });
});

describe('GET /v1/cache (credentials listener)', () => {
  it('answers the listing at most a few times per second, 429 beyond, so a flood of it cannot slow serving', async () => {
    const { get, clock, listing } = app({ listingBurst: 4 });
    listing.push({ tableArn: 'arn:t' });
    const statuses = [];
    for (let i = 0; i < 10; i++) statuses.push((await get('/v1/cache')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
    expect((await get('/v1/credentials/orders')).statusCode).toBe(200);
    await clock.advance(1000);
    expect((await get('/v1/cache')).statusCode).toBe(200);
  });

  it('lists the cache only to token holders, bounded by a limit (default 100, at most 1000)', async () => {
    const { get, listing } = app();
    for (let i = 0; i < 1500; i++) listing.push({ tableArn: `arn:t${i}` });
    expect((await get('/v1/cache', {})).statusCode).toBe(401);
    expect((await get('/v1/cache', { authorization: 'wrong-token-0123456789' })).statusCode).toBe(401);

    const page = await get('/v1/cache');
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ count: 1500, listed: 100, truncated: true });
    expect((page.json() as { entries: unknown[] }).entries[0]).toEqual({ tableArn: 'arn:t0' });
    expect((await get('/v1/cache?limit=1000')).json()).toMatchObject({ listed: 1000 });
    for (const bad of ['limit=1001', 'limit=0', 'limit=x', 'offset=3']) {
      const res = await get(`/v1/cache?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect((res.json() as { message: string }).message).toContain('query parameter');
    }
  });
});

describe('query strings', () => {
  it('refuses a query with more pairs than any route accepts instead of dropping the rest (a second table= after 1000 empty pairs)', async () => {
    const { get, requests } = app({ allowed: () => true });
    const other = 'arn:aws:glue:us-east-1:123456789012:table/sales/customers';
    const smuggled = `/v1/credentials?table=${encodeURIComponent(ORDERS)}${'&'.repeat(1000)}&table=${encodeURIComponent(other)}&queryId=q-1`;
    const res = await get(smuggled);
    expect(res.statusCode).toBe(400);
    expect((res.json() as { message: string }).message).toContain('at most 32 are accepted');
    expect(requests).toHaveLength(0);
    // Empty pairs below the limit lose nothing.
    expect((await get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}&&&queryId=q-2`)).statusCode).toBe(200);
    expect((requests[0]?.request as TableCredentialRequest | undefined)?.querySessionContext).toEqual({ queryId: 'q-2' });
  });

  it('refuses a table ARN with a NUL or ; by the field rule, before any upstream call', async () => {
    const { get, post, requests } = app({ allowed: () => true });
    for (const bad of [`${ORDERS}%00x`, `${ORDERS};drop`]) {
      const res = await get(`/v1/credentials?table=${bad.replace(/:/g, '%3A').replace(/\//g, '%2F')}`);
      expect(res.statusCode, bad).toBe(400);
      expect((res.json() as { message: string }).message).toContain('table: a Glue table ARN');
    }
    expect((await post('/v1/table-credentials', { TableArn: `${ORDERS}\u0000` })).statusCode).toBe(400);
    expect(requests).toHaveLength(0);
  });
});
