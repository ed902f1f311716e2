/** Entries nobody asked for lately are not renewed; they leave the cache at expiry. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain, makeCache, SECOND, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('idle entries', () => {
  it('does not refresh an entry idle for longer than idleSeconds, and drops it at expiry', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { idleSeconds: 1000 });
    await cache.get(tableRequest());
    await clock.advance(3600 * SECOND - 1);
    await drain();
    expect(fake.calls).toHaveLength(1);
    expect(cache.size).toBe(1);
    await clock.advance(1);
    expect(cache.size).toBe(0);
    expect(recorded.counts).toEqual([1, 0]);
    expect(recorded.refreshes).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('with the default idleSeconds, renews an abandoned 1-hour lease at most twice', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    await cache.get(tableRequest());
    await clock.advance(24 * 3600 * SECOND);
    await drain();
    // 30 min and 60 min after the last request it still counts as active
    // (botocore comes back every ~45 min); at 90 min it is idle.
    expect(fake.calls.map((c) => (c.at - T0) / SECOND)).toEqual([0, 1800, 3600]);
    expect(cache.size).toBe(0);
  });

  it('restarts the refresh when the client comes back while the lease is still served', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { idleSeconds: 1000 });
    const first = await cache.get(tableRequest());
    await clock.advance(2000 * SECOND); // refresh point passed while idle
    expect(fake.calls).toHaveLength(1);

    const served = await cache.get(tableRequest());
    expect(served).toMatchObject({ result: 'hit', lease: first.lease, remainingSeconds: 1600 });
    await drain();
    expect(fake.calls).toHaveLength(2);
    expect(recorded.refreshes).toEqual(['success']);
    expect((await cache.get(tableRequest())).remainingSeconds).toBe(3600);
  });
});
