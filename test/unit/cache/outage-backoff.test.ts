/**
 * A full Lake Formation outage that outlasts the lease: once no lease is
 * servable (below hardMinimumSeconds, or expired), the per-key backoff still
 * holds, so however many clients poll, each key costs at most one upstream
 * attempt per backoff period, and clients get a fast retryable error meanwhile.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/core/errors.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { SECOND, drain, fail, makeCache, state, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);
const unavailable = () =>
  new UpstreamError('UpstreamUnavailable', 'connection refused (fake)', { upstreamName: 'ECONNREFUSED', retryable: true });

describe('outage backoff once no lease is servable', () => {
  it('holds each key to one attempt per backoff period however many clients poll (3 h outage, 1 h leases)', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 0.5 });
    const keys = [tableRequest('a'), tableRequest('b')];
    for (const request of keys) await cache.get(request);
    fake.always(fail(unavailable()));
    const before = new Set(fake.calls);

    // 8 clients (4 per key) poll once a second for 3 hours.
    const settled: Array<Promise<unknown>> = [];
    for (let second = 0; second < 3 * 3600; second++) {
      for (const request of keys) {
        for (let client = 0; client < 4; client++) settled.push(cache.get(request).catch((err: unknown) => err));
      }
      await clock.advance(SECOND);
    }
    await clock.advance(10 * SECOND);
    await Promise.all(settled);

    const settings = { base: 10_000, max: 120_000 };
    for (const request of keys) {
      const attempts = fake
        .callsFor(request.tableArn)
        .filter((c) => !before.has(c))
        .map((c) => c.at);
      // After the first failed flight (up to maxAttempts = 3 attempts, a few hundred ms apart),
      // every later flight is a single attempt, at least half a backoff cap after the previous one.
      const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
      const later = gaps.filter((gap) => gap >= 5_000);
      expect(gaps.length - later.length).toBeLessThanOrEqual(2);
      // With equal jitter at 0.5 each hold is 75 % of its cap: 7.5, 15, 30, 60, then 90 s.
      expect(later.slice(0, 4)).toEqual([7_500, 15_000, 30_000, 60_000]);
      expect(Math.min(...later.slice(4))).toBeGreaterThanOrEqual(0.75 * settings.max);
      // 3 h at one attempt per 90 s, plus the ramp-up: 105 measured, instead of up to 3 per client poll (about 22,000).
      expect(attempts.length).toBeLessThanOrEqual(3 + 4 + Math.ceil((3 * 3600 * SECOND) / (0.75 * settings.max)));
    }
    // Clients were answered: stale while the lease lasted, then a fast refusal while backing off.
    expect(recorded.lookups.filter((r) => r === 'backoff').length).toBeGreaterThan(50_000);
    cache.close();
  });

  it('answers a retryable error at once, with Retry-After, while the key backs off after its lease expired', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 1 });
    await cache.get(tableRequest());
    fake.always(fail(unavailable()));
    await clock.advance(3600 * SECOND); // the lease expired during the outage
    const first = cache.get(tableRequest()).catch((err: unknown) => err);
    await clock.advance(5 * SECOND); // its three attempts
    expect(await first).toMatchObject({ code: 'UpstreamUnavailable', retryable: true });
    const callsSoFar = fake.calls.length;

    const during = cache.get(tableRequest());
    expect(await state(during)).toBe('rejected'); // no clock advance needed: nothing waits
    await expect(during).rejects.toMatchObject({ code: 'UpstreamUnavailable', retryAfterSeconds: expect.any(Number) });
    expect(fake.calls.length).toBe(callsSoFar);
    expect(recorded.lookups.at(-1)).toBe('backoff');

    // After the hold a single probe goes out; when Lake Formation is back, the key serves again.
    fake.always(undefined);
    await clock.advance(60 * SECOND);
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'miss' });
    expect(fake.calls.length).toBe(callsSoFar + 1);
    await drain();
    cache.close();
  });
});
