/** Every upstream call of the cache, retries and refreshes included, goes through the limiter. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import type { Lease } from '../../../src/lakeformation/types.js';
import { deferred, drain, fail, makeCache, SECOND, tableArnOf, tableRequest, throttling, type Deferred } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('upstream protection', () => {
  it('holds N distinct misses to burst + rate·t calls over simulated time', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { ratePerSecond: 10, burst: 20, maxConcurrency: 100, missDeadlineMs: 60_000 });
    const gets = Array.from({ length: 100 }, (_, n) => cache.get(tableRequest(n)));
    for (let elapsed = 0; elapsed <= 10 * SECOND; elapsed += 100) {
      const calls = fake.calls.length;
      expect(calls).toBeLessThanOrEqual(20 + (10 * elapsed) / SECOND);
      await clock.advance(100);
      await drain();
    }
    await Promise.all(gets);
    expect(fake.calls).toHaveLength(100);
    expect(fake.calls.at(-1)?.at).toBe(T0 + 8 * SECOND);
  });

  it('counts retries against the rate limit', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { ratePerSecond: 1, burst: 1, random: () => 0 });
    fake.then(fail(throttling()));
    const served = cache.get(tableRequest());
    await clock.advance(999);
    expect(fake.calls).toHaveLength(1);
    await clock.advance(1);
    await served;
    expect(fake.calls.map((c) => c.at - T0)).toEqual([0, 1000]);
  });

  it('never runs more than maxConcurrency calls at once', async () => {
    const clock = new FakeClock(T0);
    let running = 0;
    let peak = 0;
    const pending: Deferred<Lease>[] = [];
    const { cache } = makeCache(clock, {
      maxConcurrency: 4,
      vend: () => {
        running += 1;
        peak = Math.max(peak, running);
        const d = deferred<Lease>();
        pending.push(d);
        return d.promise.finally(() => (running -= 1));
      },
    });
    const gets = Array.from({ length: 12 }, (_, n) => cache.get(tableRequest(n)));
    await drain();
    expect(pending).toHaveLength(4);
    for (let i = 0; i < 12; i++) {
      pending[i]?.resolve({
        accessKeyId: 'a',
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(clock.now() + 3600 * SECOND),
      });
      await drain();
    }
    await Promise.all(gets);
    expect(pending).toHaveLength(12);
    expect(peak).toBe(4);
  });

  it('serves waiting clients before background refreshes', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxConcurrency: 1, missDeadlineMs: 3_600_000 });
    await cache.get(tableRequest('old'));
    const blocker = fake.hold();
    const blocked = cache.get(tableRequest('blocker'));
    await clock.advance(1800 * SECOND); // 'old' wants its refresh: queued behind the blocker
    const client = cache.get(tableRequest('client'));
    await drain();
    blocker.resolve(fake.lease());
    await Promise.all([blocked, client]);
    await drain();
    expect(fake.calls.map((c) => tableArnOf(c.request)!.split('/').at(-1))).toEqual(['told', 'tblocker', 'tclient', 'told']);
  });
});
