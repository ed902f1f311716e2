/** Leases are renewed in the background before clients would see them run low. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import type { Lease } from '../../../src/lakeformation/types.js';
import { drain, makeCache, MINUTE, SECOND, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('refresh-ahead', () => {
  it('starts a background refresh once less than refreshBeforeExpirySeconds is left', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    await cache.get(tableRequest());

    await clock.advance(1800 * SECOND - 1);
    expect(fake.calls).toHaveLength(1);
    await clock.advance(1);
    await drain();
    expect(fake.calls).toHaveLength(2);
    expect(recorded.refreshes).toEqual(['success']);
    expect(recorded.upstream.map((e) => e.background)).toEqual([false, true]);

    // The client never waited: the next request is a hit on the renewed lease.
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('hit');
    expect(served.remainingSeconds).toBe(3600);
    expect(cache.entries()[0]).toMatchObject({
      lastRefreshAt: new Date(T0 + 1800 * SECOND),
      lastRefreshOutcome: 'success',
      refreshing: false,
    });
  });

  it('keeps a botocore-like client on hits with more than 15 min left for a whole day', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 0.5 });
    let held: Lease | undefined;
    const results: string[] = [];
    const servedRemaining: number[] = [];
    // botocore checks its credentials on every API call; with a call a minute
    // it re-fetches once the held lease has less than 15 min (advisory) left.
    for (let minute = 0; minute < 24 * 60; minute++) {
      const remaining = held ? (held.expiration.getTime() - clock.now()) / 1000 : 0;
      if (remaining < 15 * 60) {
        const served = await cache.get(tableRequest());
        held = served.lease;
        results.push(served.result);
        servedRemaining.push(served.remainingSeconds);
      }
      await clock.advance(MINUTE);
    }
    expect(results[0]).toBe('miss');
    expect(results.slice(1).every((r) => r === 'hit')).toBe(true);
    expect(Math.min(...servedRemaining)).toBeGreaterThan(15 * 60);
    // One refresh per ~31 min (1800 s before expiry + 60 s of jitter), not a call per client fetch.
    expect(fake.calls.length).toBeGreaterThanOrEqual((24 * 60) / 31);
    expect(fake.calls.length).toBeLessThanOrEqual((24 * 60) / 31 + 2);
    expect(results.length).toBeGreaterThan((24 * 60) / 46 - 1);
  });

  it('refreshes a 15-minute lease halfway, with scaled thresholds', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    fake.lifetimeSeconds = 900;
    await cache.get(tableRequest());
    await clock.advance(450 * SECOND - 1);
    expect(fake.calls).toHaveLength(1);
    await clock.advance(1);
    await drain();
    expect(fake.calls).toHaveLength(2);
    // Scaled minServe is 240 s, so a lease with 241 s left is still a hit.
    expect((await cache.get(tableRequest())).remainingSeconds).toBe(900);
  });

  it('keeps the old lease and backs off, growing, when background refreshes fail', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 1, maxAttempts: 1, refreshJitterSeconds: 0 });
    const first = await cache.get(tableRequest());
    fake.always({ kind: 'error', error: new Error('connect ECONNREFUSED') });

    await clock.advance(1800 * SECOND + 400 * SECOND);
    await drain();
    const gaps = fake.calls.slice(1).map((c, i, all) => (i === 0 ? 0 : c.at - (all[i - 1]?.at ?? 0)));
    // random fixed at 1: each wait is its full cap, 10 s doubling up to 120 s.
    expect(gaps.slice(0, 7)).toEqual([0, 10, 20, 40, 80, 120, 120].map((s) => s * SECOND));
    expect(recorded.refreshes.every((o) => o === 'failure')).toBe(true);

    const served = await cache.get(tableRequest());
    expect(served).toMatchObject({ result: 'hit', lease: first.lease });
    expect(cache.entries()[0]?.lastRefreshOutcome).toBe('UpstreamUnavailable');

    // Recovery: the next scheduled try succeeds and the backoff resets.
    fake.always(undefined);
    await clock.advance(120 * SECOND);
    await drain();
    expect(recorded.refreshes.at(-1)).toBe('success');
    expect((await cache.get(tableRequest())).lease).not.toBe(first.lease);
  });
});
