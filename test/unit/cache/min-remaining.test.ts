/**
 * `get(request, { minRemainingSeconds })`: for a client that keeps a lease
 * for a fixed time whatever its Expiration, a cached lease is served only with
 * more than that left; below it the request waits for a fresh lease (1-hour
 * leases, default thresholds: minServe 960 s, hardMinimum 60 s). The clock is
 * moved with `set`, which fires no timers, so no background refresh interferes.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { fail, makeCache, ok, SECOND, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);
const EXPIRY = T0 + 3600 * SECOND;
const FLOOR = 3300;

async function cachedAt(remainingSeconds: number) {
  const clock = new FakeClock(T0);
  const setup = makeCache(clock, { maxAttempts: 1 });
  const first = await setup.cache.get(tableRequest());
  clock.set(EXPIRY - remainingSeconds * SECOND);
  return { clock, ...setup, first };
}

describe('minRemainingSeconds', () => {
  it('serves the cached lease as a hit with more than the floor left', async () => {
    const { cache, fake, first } = await cachedAt(FLOOR + 1);
    const served = await cache.get(tableRequest(), { minRemainingSeconds: FLOOR });
    expect(served).toMatchObject({ result: 'hit', lease: first.lease, remainingSeconds: FLOOR + 1 });
    expect(fake.calls).toHaveLength(1);
  });

  it('fetches a fresh lease with exactly the floor left, though the cache alone would serve it, and keeps it for everyone', async () => {
    const { cache, fake, first } = await cachedAt(FLOOR);
    // Without the option the same lease is a hit (more than minServe left).
    expect((await cache.get(tableRequest())).result).toBe('hit');
    const served = await cache.get(tableRequest(), { minRemainingSeconds: FLOOR });
    expect(served.result).toBe('miss');
    expect(served.lease.accessKeyId).not.toBe(first.lease.accessKeyId);
    expect(served.remainingSeconds).toBe(3600);
    expect(fake.calls).toHaveLength(2);
    expect(await cache.get(tableRequest())).toMatchObject({ result: 'hit', lease: served.lease });
  });

  it('serves a fresh lease shorter than the floor: nothing longer exists', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock, { maxAttempts: 1 });
    fake.then(ok(900));
    const served = await cache.get(tableRequest(), { minRemainingSeconds: FLOOR });
    expect(served).toMatchObject({ result: 'miss', remainingSeconds: 900 });
  });

  it('never serves a lease under the floor as stale: the failure reaches the client', async () => {
    const { cache, fake } = await cachedAt(FLOOR - 1);
    fake.always(fail(throttling()));
    await expect(cache.get(tableRequest(), { minRemainingSeconds: FLOOR })).rejects.toMatchObject({ code: 'ThrottlingException' });
    // The same failing key still serves an ordinary client its old lease while the backoff runs.
    expect((await cache.get(tableRequest())).result).toBe('hit');
    // During the backoff, the floor client gets the error again without a call.
    const calls = fake.calls.length;
    await expect(cache.get(tableRequest(), { minRemainingSeconds: FLOOR })).rejects.toMatchObject({ code: 'ThrottlingException' });
    expect(fake.calls).toHaveLength(calls);
  });

  it('serves stale above the floor while Lake Formation fails', async () => {
    const { cache, fake, first } = await cachedAt(900);
    fake.always(fail(throttling()));
    const served = await cache.get(tableRequest(), { minRemainingSeconds: 600 });
    expect(served).toMatchObject({ result: 'stale', lease: first.lease, remainingSeconds: 900 });
  });
});
