/** Concurrent requests for one key make one upstream call and share its outcome. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { accessDenied, drain, makeCache, SECOND, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('single-flight', () => {
  it('1000 concurrent misses make one call and all get the same lease', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    const held = fake.hold();
    const gets = Array.from({ length: 1000 }, () => cache.get(tableRequest(1, { permissions: ['SELECT', 'DESCRIBE'] })));
    await drain();
    expect(fake.calls).toHaveLength(1);
    held.resolve(fake.lease());
    const served = await Promise.all(gets);
    expect(new Set(served.map((s) => s.lease)).size).toBe(1);
    expect(served[0]?.result).toBe('miss');
    expect(served.filter((s) => s.result === 'coalesced')).toHaveLength(999);
    expect(recorded.lookups.filter((r) => r === 'miss')).toHaveLength(1);
  });

  it('1000 concurrent misses all get the same error object from one call', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const held = fake.hold();
    const gets = Array.from({ length: 1000 }, () => cache.get(tableRequest()).catch((e: unknown) => e));
    await drain();
    held.reject(accessDenied());
    const errors = await Promise.all(gets);
    expect(fake.calls).toHaveLength(1);
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'AccessDeniedException' });
  });

  it('shares retries too: waiters get the lease from a retry, after one call per attempt', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 1, throttlePauseMs: 0 });
    fake.then({ kind: 'error', error: throttling() });
    const gets = Array.from({ length: 50 }, () => cache.get(tableRequest()));
    await clock.advance(100);
    const served = await Promise.all(gets);
    expect(fake.calls).toHaveLength(2);
    expect(new Set(served.map((s) => s.lease)).size).toBe(1);
  });

  it('requests differing only in permission order share the flight', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const a = cache.get(tableRequest(1, { permissions: ['SELECT', 'DESCRIBE'] }));
    const b = cache.get(tableRequest(1, { permissions: ['DESCRIBE', 'SELECT'] }));
    expect((await a).lease).toBe((await b).lease);
    expect(fake.calls).toHaveLength(1);
  });

  it('a request below minServe joins a running background refresh (counted miss), then others coalesce', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    await cache.get(tableRequest());
    const refresh = fake.hold();
    await clock.advance(1800 * SECOND); // background refresh starts and hangs
    expect(fake.calls).toHaveLength(2);
    clock.set(T0 + (3600 - 900) * SECOND); // now below minServe, refresh still running
    const first = cache.get(tableRequest());
    const second = cache.get(tableRequest());
    await drain();
    expect(fake.calls).toHaveLength(2);
    refresh.resolve(fake.lease());
    expect((await first).result).toBe('miss');
    expect((await second).result).toBe('coalesced');
    expect((await first).lease).toBe((await second).lease);
    expect(recorded.refreshes).toEqual(['success']);
  });
});
