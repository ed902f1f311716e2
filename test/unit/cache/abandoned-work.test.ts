/**
 * Work nobody waits for is not done: a foreground fetch whose clients all went
 * away is dropped before it reaches Lake Formation (a call already running
 * may finish and fill the cache), a waiting client gets an answer within
 * `missDeadlineMs`, and background refreshes keep their own budget.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { SECOND, drain, fail, makeCache, state, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);

describe('abandoned foreground work', () => {
  it('drops queued fetches whose clients all went away: a 1000-key burst costs only the calls already started', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { ratePerSecond: 10, burst: 20, maxConcurrency: 4 });
    const clients = Array.from({ length: 1000 }, (_, n) => {
      const controller = new AbortController();
      return { controller, served: cache.get(tableRequest(n), { signal: controller.signal }).catch((e: unknown) => e) };
    });
    await drain();
    const started = fake.calls.length;
    expect(started).toBe(20); // the burst: answered at once
    for (const client of clients) client.controller.abort();
    await clock.advance(200 * SECOND);
    await Promise.all(clients.map((c) => c.served));
    expect(fake.calls.length).toBe(started);
    // A client that comes back starts afresh.
    await expect(cache.get(tableRequest(999))).resolves.toMatchObject({ result: 'miss' });
    cache.close();
  });

  it('lets a running call finish and fill the cache after its only client left', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const running = fake.hold();
    const controller = new AbortController();
    const served = cache.get(tableRequest(), { signal: controller.signal });
    await drain();
    controller.abort();
    await expect(served).rejects.toMatchObject({ code: 'InvalidRequest' });
    running.resolve(fake.lease());
    await drain();
    expect(cache.size).toBe(1);
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'hit' });
    expect(fake.calls).toHaveLength(1);
    cache.close();
  });

  it('makes no retry once every client has left during the backoff', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 1 });
    fake.then(fail(throttling()));
    const controller = new AbortController();
    const served = cache.get(tableRequest(), { signal: controller.signal }).catch((e: unknown) => e);
    await drain();
    expect(fake.calls).toHaveLength(1); // now sleeping before the retry
    controller.abort();
    await clock.advance(10 * SECOND);
    await served;
    expect(fake.calls).toHaveLength(1);
    cache.close();
  });

  it('answers a miss within missDeadlineMs when Lake Formation never answers, and the old lease if one is servable', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { missDeadlineMs: 5000, refreshJitterSeconds: 0 });
    fake.hold(); // accepts and never answers
    const served = cache.get(tableRequest(1));
    await clock.advance(4999);
    expect(await state(served)).toBe('pending');
    await clock.advance(1);
    await expect(served).rejects.toMatchObject({ code: 'UpstreamTimeout', retryable: true });

    // Below minServeSeconds with a stale-servable lease: the deadline serves it.
    await cache.get(tableRequest(2));
    fake.always({ kind: 'deferred', deferred: { promise: new Promise(() => undefined), resolve() {}, reject() {} } });
    await clock.advance(3000 * SECOND); // 600 s left: below minServe (960), above hardMinimum (60)
    const stale = cache.get(tableRequest(2));
    await clock.advance(5000);
    await expect(stale).resolves.toMatchObject({ result: 'stale' });
    cache.close();
  });

  it("keeps a background refresh running past a waiting client's deadline, and stores its lease", async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { missDeadlineMs: 5000, refreshJitterSeconds: 0 });
    const first = await cache.get(tableRequest());
    const refresh = fake.hold();
    await clock.advance(2700 * SECOND); // refresh started at 1800 s left and hangs; 900 s left now
    const waiting = cache.get(tableRequest());
    await clock.advance(5000);
    await expect(waiting).resolves.toMatchObject({ result: 'stale', lease: first.lease });
    refresh.resolve(fake.lease());
    await drain();
    expect(recorded.refreshes).toEqual(['success']);
    const after = await cache.get(tableRequest());
    expect(after.result).toBe('hit');
    expect(after.lease).not.toBe(first.lease);
    cache.close();
  });
});
