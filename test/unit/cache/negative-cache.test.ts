/** Permanent errors are not retried and are remembered for negativeTtlSeconds. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { UpstreamError, type UpstreamErrorCode } from '../../../src/core/errors.js';
import { accessDenied, drain, fail, makeCache, SECOND, tableRequest, upstreamError } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('negative cache', () => {
  it.each<UpstreamErrorCode>([
    'AccessDeniedException',
    'EntityNotFoundException',
    'InvalidInputException',
    'PermissionTypeMismatchException',
  ])('does not retry %s and rethrows it without a call until the TTL ends', async (code) => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxAttempts: 5 });
    const error = upstreamError(code, false);
    fake.then(fail(error));
    await expect(cache.get(tableRequest())).rejects.toBe(error);
    expect(fake.calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0); // no retry scheduled

    clock.set(T0 + 30 * SECOND - 1);
    await expect(cache.get(tableRequest())).rejects.toBe(error);
    expect(fake.calls).toHaveLength(1);
    expect(recorded.lookups).toEqual(['miss', 'negative']);

    clock.set(T0 + 30 * SECOND + 1);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('miss');
    expect(fake.calls).toHaveLength(2);
  });

  it('remembers errors per key: other requests still reach Lake Formation', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    fake.then(fail(accessDenied()));
    await expect(cache.get(tableRequest(1))).rejects.toBeInstanceOf(UpstreamError);
    await expect(cache.get(tableRequest(2))).resolves.toMatchObject({ result: 'miss' });
    expect(fake.calls).toHaveLength(2);
  });

  it('evicts the entry when a background refresh gets a permanent error (grant revoked)', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    await cache.get(tableRequest());
    const revoked = accessDenied();
    fake.then(fail(revoked));
    await clock.advance(1800 * SECOND);
    await drain();
    expect(recorded.refreshes).toEqual(['failure']);
    expect(cache.size).toBe(0);
    expect(recorded.counts).toEqual([1, 0]);
    // The old lease had 30 min left, but it is not served any more.
    await expect(cache.get(tableRequest())).rejects.toBe(revoked);
    expect(recorded.lookups.at(-1)).toBe('negative');
    expect(fake.calls).toHaveLength(2);
  });

  it('does not serve the old lease as stale after a permanent error on a synchronous fetch', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    await cache.get(tableRequest());
    clock.set(T0 + (3600 - 900) * SECOND);
    fake.then(fail(accessDenied()));
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'AccessDeniedException' });
    expect(cache.size).toBe(0);
  });
});

describe('negative cache bound', () => {
  it('remembers at most maxEntries refusals, forgetting the oldest first', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 6));
    const { cache, fake } = makeCache(clock, { maxEntries: 2 });
    fake.always(fail(accessDenied()));
    for (const n of [1, 2, 3]) await cache.get(tableRequest(n)).catch(() => undefined);
    expect(fake.calls).toHaveLength(3);
    await expect(cache.get(tableRequest(3))).rejects.toMatchObject({ code: 'AccessDeniedException' });
    await expect(cache.get(tableRequest(2))).rejects.toMatchObject({ code: 'AccessDeniedException' });
    expect(fake.calls).toHaveLength(3); // 2 and 3 answered from memory
    await cache.get(tableRequest(1)).catch(() => undefined);
    expect(fake.calls).toHaveLength(4); // 1 was forgotten
    cache.close();
  });
});
