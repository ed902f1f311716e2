/** The cache is bounded: LRU eviction at maxEntries, removal at expiry, timers cancelled. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain, makeCache, SECOND, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('eviction', () => {
  it('evicts the least recently requested entry beyond maxEntries and cancels its timer', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxEntries: 2 });
    await cache.get(tableRequest('a'));
    await cache.get(tableRequest('b'));
    await cache.get(tableRequest('a')); // 'a' is now the most recent
    await cache.get(tableRequest('c')); // evicts 'b'
    expect(cache.size).toBe(2);
    // One timer for the whole cache's schedule, not one per entry (the evicted
    // entry's wake-up is gone: see 'an evicted entry never refreshes').
    expect(clock.pendingTimers).toBe(1);
    expect(cache.entries().map((e) => e.tableArn!.split('/').at(-1))).toEqual(['tc', 'ta']);
    expect(recorded.counts).toEqual([1, 2]);

    expect((await cache.get(tableRequest('a'))).result).toBe('hit');
    expect((await cache.get(tableRequest('b'))).result).toBe('miss');
    expect(fake.callsFor(tableRequest('b').tableArn)).toHaveLength(2);
  });

  it('an evicted entry never refreshes', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxEntries: 1 });
    await cache.get(tableRequest('a'));
    await cache.get(tableRequest('b'));
    await clock.advance(2000 * SECOND);
    await drain();
    expect(fake.callsFor(tableRequest('a').tableArn)).toHaveLength(1);
    expect(fake.callsFor(tableRequest('b').tableArn)).toHaveLength(2);
  });

  it('removes an entry at expiry and reports the count', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { idleSeconds: 60 });
    fake.lifetimeSeconds = 1200;
    await cache.get(tableRequest());
    await clock.advance(1200 * SECOND - 1);
    expect(cache.size).toBe(1);
    await clock.advance(1);
    expect(cache.size).toBe(0);
    expect(cache.entries()).toEqual([]);
    expect(recorded.counts).toEqual([1, 0]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not return an expired lease even if its expiry timer has not fired (clock jump)', async () => {
    const clock = new FakeClock(T0);
    const { cache } = makeCache(clock);
    const first = await cache.get(tableRequest());
    clock.set(T0 + 3600 * SECOND);
    const served = await cache.get(tableRequest());
    expect(served.result).toBe('miss');
    expect(served.lease).not.toBe(first.lease);
  });
});
