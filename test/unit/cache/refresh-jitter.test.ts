/** The refresh start is spread over refreshJitterSeconds by the injected random source. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain, makeCache, SECOND, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

/** Fake-clock time (ms after T0) at which the first background refresh called upstream. */
async function firstRefreshAt(random: () => number, lifetimeSeconds = 3600): Promise<number> {
  const clock = new FakeClock(T0);
  const { cache, fake } = makeCache(clock, { random });
  fake.lifetimeSeconds = lifetimeSeconds;
  await cache.get(tableRequest());
  // Keep the client active so idleness never suppresses the refresh.
  while (fake.calls.length < 2) {
    await clock.advance(SECOND);
    await drain();
  }
  return (fake.calls[1]?.at ?? Number.NaN) - T0;
}

describe('refresh jitter', () => {
  it('starts exactly at refreshBeforeExpirySeconds left with random 0', async () => {
    expect(await firstRefreshAt(() => 0)).toBe((3600 - 1800) * SECOND);
  });

  it('starts refreshJitterSeconds later with random at its maximum', async () => {
    expect(await firstRefreshAt(() => 1)).toBe((3600 - 1800 + 120) * SECOND);
  });

  it('lands in between for other values', async () => {
    expect(await firstRefreshAt(() => 0.25)).toBe((3600 - 1800 + 30) * SECOND);
  });

  it('scales the jitter with a short lease (30 s for 900 s)', async () => {
    expect(await firstRefreshAt(() => 1, 900)).toBe((900 - 450 + 30) * SECOND);
  });

  it('spreads entries created in the same second over the jitter window', async () => {
    const clock = new FakeClock(T0);
    let i = 0;
    const values = [0, 0.5, 0.75];
    const { cache, fake } = makeCache(clock, { random: () => values[i++ % values.length] ?? 0 });
    await Promise.all([1, 2, 3].map((n) => cache.get(tableRequest(n))));
    await clock.advance(2000 * SECOND);
    await drain();
    const refreshTimes = fake.calls.slice(3).map((c) => (c.at - T0) / SECOND);
    expect(refreshTimes).toEqual([1800, 1860, 1890]);
  });
});
