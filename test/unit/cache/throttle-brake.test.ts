/**
 * The throttle brake: Lake Formation's quota is per account, so after a
 * ThrottlingException no upstream call for any key starts for
 * `throttlePauseMs`, and when the pause ends client fetches go before
 * background refreshes.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { MINUTE, drain, fail, makeCache, state, tableArnOf, tableRequest, throttling, upstreamError } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('throttle brake', () => {
  it('starts no call for any key during the pause after a ThrottlingException, then resumes', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 0, throttlePauseMs: 1000 });
    fake.then(fail(throttling()));
    const first = cache.get(tableRequest(1));
    await clock.advance(0); // the retry's backoff (0 with random fixed at 0) has passed
    const second = cache.get(tableRequest(2));
    await drain();
    expect(fake.calls).toHaveLength(1);
    await clock.advance(999);
    expect(fake.calls).toHaveLength(1);
    expect(await state(second)).toBe('pending');
    await clock.advance(1);
    await expect(first).resolves.toMatchObject({ result: 'miss' });
    await expect(second).resolves.toMatchObject({ result: 'miss' });
    expect(fake.calls).toHaveLength(3);
    expect(recorded.throttlePauses).toBe(1);
    cache.close();
  });

  it('lets client fetches go before a background refresh that fell due during the pause', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 0, throttlePauseMs: 1000, refreshJitterSeconds: 0 });
    await cache.get(tableRequest(1)); // refresh due at 30 min
    await clock.advance(30 * MINUTE - 1);
    fake.then(fail(throttling()));
    const throttled = cache.get(tableRequest(2));
    await clock.advance(1); // the refresh of table 1 is due, but the brake is on
    const waiting = cache.get(tableRequest(3));
    await drain();
    expect(fake.calls.map((c) => tableArnOf(c.request)?.split('/').at(-1))).toEqual(['t1', 't2']);
    await clock.advance(1000);
    await Promise.all([throttled, waiting]);
    expect(fake.calls.map((c) => tableArnOf(c.request)?.split('/').at(-1))).toEqual(['t1', 't2', 't2', 't3', 't1']);
    cache.close();
  });

  it('applies to throttling only, and throttlePauseMs 0 turns it off', async () => {
    const clock = new FakeClock(T0);
    const other = makeCache(clock, { random: () => 0, maxAttempts: 1 });
    other.fake.then(fail(upstreamError('InternalServiceException', true)));
    await other.cache.get(tableRequest(1)).catch(() => undefined);
    await expect(other.cache.get(tableRequest(2))).resolves.toMatchObject({ result: 'miss' });
    expect(other.recorded.throttlePauses).toBe(0);
    other.cache.close();

    const off = makeCache(clock, { random: () => 0, maxAttempts: 1, throttlePauseMs: 0 });
    off.fake.then(fail(throttling()));
    await off.cache.get(tableRequest(1)).catch(() => undefined);
    await expect(off.cache.get(tableRequest(2))).resolves.toMatchObject({ result: 'miss' });
    expect(off.recorded.throttlePauses).toBe(0);
    off.cache.close();
  });
});
