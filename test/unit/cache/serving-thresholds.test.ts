/**
 * Which lease a request gets, by remaining lifetime of the cached one
 * (1-hour lease, default thresholds: minServe 960 s, hardMinimum 60 s).
 * The clock is moved with `set`, which fires no timers, so no background
 * refresh interferes; one attempt per fetch keeps failures immediate.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { UpstreamError } from '../../../src/core/errors.js';
import { fail, makeCache, SECOND, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);
const EXPIRY = T0 + 3600 * SECOND;

async function cachedAt(remainingSeconds: number, random = () => 0) {
  const clock = new FakeClock(T0);
  const setup = makeCache(clock, { maxAttempts: 1, random });
  const first = await setup.cache.get(tableRequest());
  clock.set(EXPIRY - remainingSeconds * SECOND);
  return { clock, ...setup, first };
}

describe('serving rule', () => {
  it('serves the cached lease as a hit with minServe + 1 s left', async () => {
    const { cache, fake, first } = await cachedAt(961);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('hit');
    expect(served.lease).toBe(first.lease);
    expect(served.remainingSeconds).toBe(961);
    // Past the refresh point, the active client triggers a background refresh;
    // it does not wait for it.
    expect(fake.calls).toHaveLength(2);
  });

  it('fetches synchronously with exactly minServe left', async () => {
    const { cache, first } = await cachedAt(960);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('miss');
    expect(served.lease).not.toBe(first.lease);
    expect(served.remainingSeconds).toBe(3600);
  });

  it('fetches synchronously with minServe − 1 s left and caches the new lease', async () => {
    const { cache, fake, first } = await cachedAt(959);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('miss');
    expect(served.lease.accessKeyId).not.toBe(first.lease.accessKeyId);
    expect(fake.calls).toHaveLength(2);
    const again = await cache.get(tableRequest());
    expect(again).toMatchObject({ result: 'hit', lease: served.lease });
  });

  it('serves the old lease as stale when the fetch fails, while it has more than hardMinimum left', async () => {
    const { cache, fake, first } = await cachedAt(959);
    fake.always(fail(throttling()));
    const served = await cache.get(tableRequest());
    expect(served).toMatchObject({ result: 'stale', lease: first.lease, remainingSeconds: 959 });
  });

  it('serves stale with hardMinimum + 1 s left', async () => {
    const { cache, fake, first } = await cachedAt(61);
    fake.always(fail(throttling()));
    const served = await cache.get(tableRequest());
    expect(served).toMatchObject({ result: 'stale', lease: first.lease, remainingSeconds: 61 });
  });

  it('throws a retryable error with Retry-After once only hardMinimum or less is left', async () => {
    for (const remaining of [60, 59]) {
      const { cache, fake } = await cachedAt(remaining);
      fake.always(fail(throttling()));
      const err = await cache.get(tableRequest()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect(err).toMatchObject({ code: 'ThrottlingException', retryable: true, retryAfterSeconds: 1 });
    }
  });

  it('never serves an expired lease, even when Lake Formation is down', async () => {
    const { cache, fake, clock } = await cachedAt(0);
    fake.always(fail(throttling()));
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'ThrottlingException' });
    clock.set(EXPIRY + SECOND);
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'ThrottlingException' });
    expect(cache.size).toBe(0);
  });

  it('replaces an expired lease with a fresh one when Lake Formation answers', async () => {
    const { cache, first } = await cachedAt(-5);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('miss');
    expect(served.lease).not.toBe(first.lease);
    expect(served.lease.expiration.getTime()).toBeGreaterThan(EXPIRY);
  });

  it('answers a stale request without calling Lake Formation again during the failure backoff', async () => {
    // random 1: the backoff after the failure is its full 10 s cap.
    const { cache, fake, clock } = await cachedAt(959, () => 1);
    fake.always(fail(throttling()));
    await cache.get(tableRequest()); // fails upstream, served stale, entry backs off
    const callsAfterFailure = fake.calls.length;
    const again = await cache.get(tableRequest());
    expect(again.result).toBe('stale');
    expect(fake.calls).toHaveLength(callsAfterFailure);
    // Once the backoff has passed, the next request tries Lake Formation again.
    clock.set(clock.now() + 10 * SECOND);
    await cache.get(tableRequest());
    expect(fake.calls).toHaveLength(callsAfterFailure + 1);
  });
});
