import { describe, expect, it } from 'vitest';
import { FairShareBucket } from '../../../src/http/fair-share.js';
import { FakeClock } from '../../support/fake-clock.mjs';

const takes = (bucket: FairShareBucket, caller: string | undefined, n: number) =>
  Array.from({ length: n }, () => bucket.take(caller)).filter((r) => r === undefined).length;

describe('FairShareBucket', () => {
  it('is a plain token bucket for one caller: the whole burst, then the rate', async () => {
    const clock = new FakeClock(0);
    const bucket = new FairShareBucket({ clock, ratePerSecond: 10, burst: 20 });
    expect(takes(bucket, 'token', 25)).toBe(20);
    await clock.advance(1000);
    expect(takes(bucket, 'token', 25)).toBe(10);
    expect(bucket.take('token')).toBe('empty');
  });

  it('refuses a caller over its share once the bucket is below half, keeping tokens for the others', async () => {
    const clock = new FakeClock(0);
    const bucket = new FairShareBucket({ clock, ratePerSecond: 100, burst: 40 });
    expect(bucket.take('quiet')).toBeUndefined();
    // The noisy caller takes the upper half freely; what it took counts against its share of the lower half (20 / 2 callers).
    expect(takes(bucket, 'noisy', 100)).toBe(20);
    expect(bucket.take('noisy')).toBe('fair_share');
    expect(bucket.take('quiet')).toBeUndefined();
    // From then on the quiet caller gets every token it asks for; the noisy one the rest (the bucket wastes nothing).
    let noisy = 0;
    for (let i = 0; i < 10; i++) {
      await clock.advance(100);
      noisy += takes(bucket, 'noisy', 20);
      expect(bucket.take('quiet')).toBeUndefined();
    }
    expect(noisy).toBe(90);
  });

  it('without a caller name it spends the bucket with no fairness', () => {
    const bucket = new FairShareBucket({ clock: new FakeClock(0), ratePerSecond: 1, burst: 3 });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });
});
