import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { TokenBucket } from '../../../src/core/token-bucket.js';

describe('TokenBucket', () => {
  it('allows the burst, then the rate', async () => {
    const clock = new FakeClock();
    const limiter = new TokenBucket({ clock, ratePerSecond: 10, burst: 5 });
    const first = Array.from({ length: 8 }, () => limiter.tryTake());
    expect(first.filter(Boolean)).toHaveLength(5);
    await clock.advance(1000);
    const second = Array.from({ length: 20 }, () => limiter.tryTake());
    expect(second.filter(Boolean)).toHaveLength(5); // refilled to the burst, not beyond
    await clock.advance(300);
    expect(Array.from({ length: 10 }, () => limiter.tryTake()).filter(Boolean)).toHaveLength(3);
  });
  it('says how long until the next token', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 4, burst: 1 });
    expect(bucket.msUntilToken()).toBe(0);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.msUntilToken()).toBe(250);
    await clock.advance(100);
    expect(bucket.msUntilToken()).toBe(150);
  });

  it('checks its options', () => {
    expect(() => new TokenBucket({ clock: new FakeClock(), ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
  });
});
