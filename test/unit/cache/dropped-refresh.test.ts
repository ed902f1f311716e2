/** A refresh still queued in the limiter when its entry leaves the cache never reaches Lake Formation. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain, makeCache, SECOND, tableArnOf, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('dropped background work', () => {
  it('drops a queued refresh whose entry was evicted by the LRU', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxEntries: 1, maxConcurrency: 1, missDeadlineMs: 3_600_000 });
    await cache.get(tableRequest('a'));
    const slow = fake.hold();
    const b = cache.get(tableRequest('b')); // occupies the only slot
    await clock.advance(1800 * SECOND); // 'a' refresh due: queued
    fake.hold();
    const c = cache.get(tableRequest('c')).catch((e: unknown) => e); // a client: queued ahead of the refresh
    await drain();
    expect(cache.entries()[0]?.refreshing).toBe(true);

    slow.resolve(fake.lease()); // slot → 'c' (held); storing 'b' evicts 'a' while its refresh waits
    await b;
    await drain();
    expect(fake.calls.map((call) => tableArnOf(call.request)!.split('/').at(-1))).toEqual(['ta', 'tb', 'tc']);
    cache.close();
    await c;
    expect(fake.callsFor(tableRequest('a').tableArn)).toHaveLength(1);
    expect(recorded.refreshes).toEqual(['dropped']);
    expect(recorded.upstream.filter((e) => e.background)).toEqual([]);
  });

  it('drops a queued refresh whose entry expired while it waited', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxConcurrency: 1, missDeadlineMs: 3_600_000 });
    await cache.get(tableRequest('a'));
    const slow = fake.hold();
    const b = cache.get(tableRequest('b')).catch((e: unknown) => e); // its client gives up at the deadline
    await clock.advance(3600 * SECOND); // refresh queued at 1800 s, entry expires at 3600 s
    expect(cache.size).toBe(0);
    slow.resolve(fake.lease());
    await b;
    await drain();
    expect(fake.callsFor(tableRequest('a').tableArn)).toHaveLength(1);
    expect(recorded.refreshes).toEqual(['dropped']);
  });

  it('discards the answer of a running refresh whose entry was evicted meanwhile', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { maxEntries: 1 });
    await cache.get(tableRequest('a'));
    const refresh = fake.hold();
    await clock.advance(1800 * SECOND); // 'a' refresh running
    await cache.get(tableRequest('b')); // evicts 'a'
    expect(fake.calls[1]?.signal?.aborted).toBe(true); // vend is told to give up
    refresh.resolve(fake.lease());
    await drain();
    expect(recorded.refreshes).toEqual(['dropped']);
    expect(cache.entries().map((e) => e.tableArn!.split('/').at(-1))).toEqual(['tb']);
  });

  it('reschedules a refresh refused because the limiter queue was full', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, {
      maxConcurrency: 1,
      maxQueuedCalls: 1,
      random: () => 1,
      refreshJitterSeconds: 0,
      missDeadlineMs: 3_600_000,
    });
    await cache.get(tableRequest('a'));
    const slow = fake.hold();
    const b = cache.get(tableRequest('b')); // running
    const c = cache.get(tableRequest('c')); // fills the queue
    await clock.advance(1800 * SECOND); // 'a' refresh refused
    expect(recorded.refreshes).toEqual(['dropped']);
    slow.resolve(fake.lease());
    await Promise.all([b, c]);
    await clock.advance(10 * SECOND); // first refresh backoff (random 1: the full 10 s)
    await drain();
    expect(fake.callsFor(tableRequest('a').tableArn)).toHaveLength(2);
    expect(recorded.refreshes).toEqual(['dropped', 'success']);
  });
});
