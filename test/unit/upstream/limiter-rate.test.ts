import { describe, expect, it } from 'vitest';
import { UpstreamLimiter } from '../../../src/upstream/limiter.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain } from '../cache/support.js';

describe('UpstreamLimiter token bucket', () => {
  it('starts at most burst + rate·t calls in any window of t seconds', async () => {
    const clock = new FakeClock(0);
    const limiter = new UpstreamLimiter({ clock, ratePerSecond: 10, burst: 20, maxConcurrency: 1000 });
    const starts: number[] = [];
    const all = Array.from({ length: 120 }, () =>
      limiter.run(async () => {
        starts.push(clock.now());
      }),
    );
    for (let t = 0; t < 20_000; t += 50) {
      await clock.advance(50);
      await drain();
    }
    await Promise.all(all);
    expect(starts).toHaveLength(120);
    for (let i = 0; i < starts.length; i++) {
      for (let j = i; j < starts.length; j++) {
        const windowSeconds = ((starts[j] as number) - (starts[i] as number)) / 1000;
        expect(j - i + 1).toBeLessThanOrEqual(20 + 10 * windowSeconds + 1e-9);
      }
    }
    // The bucket is not stricter than configured: 20 at once, then one every 100 ms.
    expect(starts.filter((s) => s === 0)).toHaveLength(20);
    expect(starts[119]).toBe(10_000);
  });

  it('refills while idle, but never beyond burst', async () => {
    const clock = new FakeClock(0);
    const limiter = new UpstreamLimiter({ clock, ratePerSecond: 1, burst: 3, maxConcurrency: 100 });
    await clock.advance(60_000);
    const starts: number[] = [];
    const runs = Array.from({ length: 4 }, () => limiter.run(async () => void starts.push(clock.now())));
    await drain();
    expect(starts).toEqual([60_000, 60_000, 60_000]);
    await clock.advance(1000);
    await Promise.all(runs);
    expect(starts).toEqual([60_000, 60_000, 60_000, 61_000]);
  });

  it('handles fractional rates', async () => {
    const clock = new FakeClock(0);
    const limiter = new UpstreamLimiter({ clock, ratePerSecond: 0.5, burst: 1 });
    const starts: number[] = [];
    const runs = Array.from({ length: 3 }, () => limiter.run(async () => void starts.push(clock.now())));
    await clock.advance(4000);
    await Promise.all(runs);
    expect(starts).toEqual([0, 2000, 4000]);
  });
});
