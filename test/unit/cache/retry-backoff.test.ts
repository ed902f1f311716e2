/**
 * Retryable upstream errors are retried with exponential full-jitter backoff, bounded by maxAttempts.
 * Where the error is a throttle, throttlePauseMs is 0: these pin the retry loop's own timing, and the
 * throttle brake has its own tests (throttle-brake.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { upstreamError, fail, makeCache, tableRequest, throttling } from './support.js';
import type { UpstreamErrorCode } from '../../../src/core/errors.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('retry with backoff', () => {
  it('waits the full cap with random fixed at 1: 100 ms, then 200 ms, ...', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 1, maxAttempts: 4, throttlePauseMs: 0 });
    fake.then(fail(throttling()), fail(throttling()), fail(throttling()));
    const served = cache.get(tableRequest());
    await clock.advance(10_000);
    expect((await served).result).toBe('miss');
    expect(fake.calls.map((c) => c.at - T0)).toEqual([0, 100, 300, 700]);
  });

  it('stops growing at retryMaxDelayMs', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, {
      random: () => 1,
      maxAttempts: 6,
      retryBaseDelayMs: 300,
      retryMaxDelayMs: 1000,
      throttlePauseMs: 0,
    });
    fake.always(fail(throttling()));
    const served = cache.get(tableRequest()).catch((e: unknown) => e);
    await clock.advance(10_000);
    await served;
    const gaps = fake.calls.slice(1).map((c, i) => c.at - (fake.calls[i]?.at ?? 0));
    expect(gaps).toEqual([300, 600, 1000, 1000, 1000]);
  });

  it('does not wait at all with random fixed at 0', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { random: () => 0, throttlePauseMs: 0 });
    fake.then(fail(throttling()), fail(throttling()));
    const served = cache.get(tableRequest());
    await clock.advance(0);
    await served;
    expect(fake.calls.map((c) => c.at - T0)).toEqual([0, 0, 0]);
  });

  it('gives up after maxAttempts and throws the last error with Retry-After', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 1 });
    fake.always(fail(throttling()));
    const served = cache.get(tableRequest()).catch((e: unknown) => e);
    await clock.advance(10_000);
    expect(await served).toMatchObject({ code: 'ThrottlingException', retryable: true, retryAfterSeconds: 1 });
    expect(fake.calls).toHaveLength(3);
    expect(recorded.upstream.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'ThrottlingException'],
      [2, 'ThrottlingException'],
      [3, 'ThrottlingException'],
    ]);
  });

  it.each<UpstreamErrorCode>(['InternalServiceException', 'OperationTimeoutException', 'UpstreamUnavailable', 'UpstreamTimeout'])(
    'retries %s',
    async (code) => {
      const clock = new FakeClock(T0);
      const { cache, fake } = makeCache(clock);
      fake.then(fail(upstreamError(code, true)));
      const served = cache.get(tableRequest());
      await clock.advance(0);
      expect((await served).result).toBe('miss');
      expect(fake.calls).toHaveLength(2);
    },
  );

  it('does not retry a non-retryable error that is not permanent, nor cache it negatively', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    fake.then(fail(upstreamError('UpstreamAuthFailure', false)));
    await expect(cache.get(tableRequest())).rejects.toMatchObject({ code: 'UpstreamAuthFailure' });
    expect(fake.calls).toHaveLength(1);
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'miss' });
  });
});
