import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { RequestRateLimiter } from '../../src/http/request-rate-limiter.js';

describe('RequestRateLimiter', () => {
  it('allows the burst, then the rate', async () => {
    const clock = new FakeClock();
    const limiter = new RequestRateLimiter({ clock, ratePerSecond: 10, burst: 5 });
    const first = Array.from({ length: 8 }, () => limiter.tryTake());
    expect(first.filter(Boolean)).toHaveLength(5);
    await clock.advance(1000);
    const second = Array.from({ length: 20 }, () => limiter.tryTake());
    expect(second.filter(Boolean)).toHaveLength(5); // refilled to the burst, not beyond
    await clock.advance(300);
    expect(Array.from({ length: 10 }, () => limiter.tryTake()).filter(Boolean)).toHaveLength(3);
  });
  it('checks its options', () => {
    expect(() => new RequestRateLimiter({ clock: new FakeClock(), ratePerSecond: 0, burst: 1 })).toThrow(/ratePerSecond/);
  });
});
