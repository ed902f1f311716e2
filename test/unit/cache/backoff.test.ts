import { describe, expect, it } from 'vitest';
import { backoffDelayMs, sleep } from '../../../src/core/backoff.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import { state } from './support.js';

describe('backoffDelayMs (full jitter)', () => {
  const caps = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the cap per attempt up to the maximum (random fixed at 1)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, { ...caps, random: () => 1 }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('waits nothing with random fixed at 0, and a fraction of the cap in between', () => {
    expect(backoffDelayMs(3, { ...caps, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...caps, random: () => 0.5 })).toBe(200);
  });

  it('stays within [0, cap] for a random source out of range, and for huge attempt numbers', () => {
    expect(backoffDelayMs(2, { ...caps, random: () => 7 })).toBe(200);
    expect(backoffDelayMs(2, { ...caps, random: () => -1 })).toBe(0);
    expect(backoffDelayMs(2, { ...caps, random: () => Number.NaN })).toBe(0);
    expect(backoffDelayMs(5000, { ...caps, random: () => 1 })).toBe(1000);
  });

  it('rejects attempt numbers below 1', () => {
    expect(() => backoffDelayMs(0, { ...caps, random: () => 1 })).toThrow(RangeError);
  });
});

describe('sleep', () => {
  it('resolves when the fake clock reaches the delay, not before', async () => {
    const clock = new FakeClock(0);
    const done = sleep(clock, 500);
    await clock.advance(499);
    expect(await state(done)).toBe('pending');
    await clock.advance(1);
    expect(await state(done)).toBe('fulfilled');
  });

  it('rejects with the abort reason and cancels its timer', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const done = sleep(clock, 500, controller.signal);
    const reason = new LfcsError('ShuttingDown', 'bye');
    controller.abort(reason);
    await expect(done).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('backoffDelayMs (equal jitter)', () => {
  const caps = { baseDelayMs: 100, maxDelayMs: 1000, jitter: 'equal' as const };

  it('waits at least half the cap and at most the cap', () => {
    expect(backoffDelayMs(3, { ...caps, random: () => 0 })).toBe(200);
    expect(backoffDelayMs(3, { ...caps, random: () => 0.5 })).toBe(300);
    expect(backoffDelayMs(3, { ...caps, random: () => 1 })).toBe(400);
    expect(backoffDelayMs(50, { ...caps, random: () => 0 })).toBe(500);
  });
});
