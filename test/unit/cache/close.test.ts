/** close() stops all work: timers, queued and running calls, pending and later requests. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import { drain, fail, makeCache, SECOND, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('close', () => {
  it('rejects pending gets with ShuttingDown and aborts the running call', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    fake.hold(); // never answers, even after abort
    const pending = Array.from({ length: 3 }, () => cache.get(tableRequest()));
    await drain();
    cache.close();
    for (const get of pending) {
      const err = await get.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LfcsError);
      expect(err).toMatchObject({ code: 'ShuttingDown', retryable: true });
    }
    expect(fake.calls[0]?.signal?.aborted).toBe(true);
  });

  it('cancels every timer: refresh schedules, retry sleeps and the limiter wake-up', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 1, burst: 2, ratePerSecond: 1 });
    await cache.get(tableRequest(1)); // refresh timer
    fake.then(fail(throttling()));
    const retrying = cache.get(tableRequest(2)).catch((e: unknown) => e); // retry sleep
    const throttled = cache.get(tableRequest(3)).catch((e: unknown) => e); // waits for a token
    await drain();
    expect(clock.pendingTimers).toBe(5); // and the two waiting clients' deadlines
    cache.close();
    expect(clock.pendingTimers).toBe(0);
    expect(await retrying).toMatchObject({ code: 'ShuttingDown' });
    expect(await throttled).toMatchObject({ code: 'ShuttingDown' });
    await clock.advance(4000 * SECOND);
    expect(fake.calls).toHaveLength(2);
  });

  it('refuses later gets, empties the cache and is idempotent', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    await cache.get(tableRequest());
    cache.close();
    cache.close();
    expect(cache.size).toBe(0);
    expect(cache.entries()).toEqual([]);
    expect(recorded.counts).toEqual([1, 0]);
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'ShuttingDown' });
    expect(fake.calls).toHaveLength(1);
  });

  it('stores nothing from a call that answers after close', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    const held = fake.hold();
    const get = cache.get(tableRequest()).catch((e: unknown) => e);
    await drain();
    cache.close();
    held.resolve(fake.lease());
    await drain();
    expect(await get).toMatchObject({ code: 'ShuttingDown' });
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(recorded.counts).toEqual([]);
  });
});
