/** Whatever vend throws or returns, the cache hands out a typed error without secrets. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError, UpstreamError } from '../../../src/core/errors.js';
import { fail, makeCache, tableRequest } from './support.js';
import { classifyUpstreamError } from '../../../src/upstream/classify-error.js';

const T0 = Date.UTC(2026, 10, 25, 6);
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

describe('upstream errors', () => {
  it('wraps a non-LfcsError as retryable UpstreamUnavailable, keeping nothing of the original', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxAttempts: 2 });
    const raw = Object.assign(new TypeError(`socket closed; Authorization: ${SECRET}`), { secret: SECRET });
    fake.always(fail(raw));
    const served = cache.get(tableRequest()).catch((e: unknown) => e);
    await clock.advance(1000);
    const err = (await served) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamUnavailable', retryable: true, upstreamName: 'TypeError' });
    expect(fake.calls).toHaveLength(2); // it was retried
    expect(err.cause).toBeUndefined();
    const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack, events: recorded.upstream });
    expect(everything).not.toContain(SECRET);
  });

  it('wraps thrown non-Error values too', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxAttempts: 1 });
    fake.then(fail(SECRET));
    const err = await cache.get(tableRequest()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UpstreamUnavailable', upstreamName: 'UnknownError' });
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(SECRET);
  });

  it('does not change an error object the vend function may reuse', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxAttempts: 1 });
    const original = new UpstreamError('InternalServiceException', 'boom', {
      upstreamName: 'InternalServiceException',
      upstreamStatus: 500,
      retryable: true,
    });
    fake.then(fail(original));
    const err = await cache.get(tableRequest()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'InternalServiceException', upstreamStatus: 500, retryAfterSeconds: 1 });
    expect(original.retryAfterSeconds).toBeUndefined();
  });

  it('rejects a lease that is already expired or has no valid Expiration', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxAttempts: 1 });
    fake.then({ kind: 'lease', lifetimeSeconds: 0 });
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'InvalidUpstreamResponse', retryable: true });
    const bad = { ...fake.lease(), expiration: new Date(Number.NaN) };
    const d = fake.hold();
    d.resolve(bad);
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'InvalidUpstreamResponse' });
    expect(cache.size).toBe(0);
  });

  it('passes local LfcsErrors from vend through unchanged when not retryable', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const local = new LfcsError('InternalError', 'vend bug');
    fake.then(fail(local));
    await expect(cache.get(tableRequest())).rejects.toBe(local);
  });
});

describe('GlueEncryptionException', () => {
  it('keeps serving a still-valid lease (stale) instead of evicting it, and backs the key off', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 6));
    const { cache, fake } = makeCache(clock, { random: () => 0, refreshJitterSeconds: 0 });
    const first = await cache.get(tableRequest());
    const encryption = Object.assign(new Error('An encryption operation failed.'), {
      name: 'GlueEncryptionException',
      $metadata: { httpStatusCode: 400 },
    });
    fake.always(fail(classifyUpstreamError(encryption)));
    await clock.advance(3000 * 1000); // 600 s left: below minServe, above hardMinimum
    const served = await cache.get(tableRequest());
    expect(served).toMatchObject({ result: 'stale', lease: first.lease });
    const calls = fake.calls.length;
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'stale' });
    expect(fake.calls.length).toBe(calls); // backing off: no new call
    cache.close();
  });
});
