import { describe, expect, it } from 'vitest';
import { newRequestBudget, REMEMBER_MS } from '../../../src/http/new-request-budget.js';
import { FakeClock } from '../../support/fake-clock.mjs';

describe('newRequestBudget', () => {
  it('spends a token only for a request new to the pod, each pod its own bucket', async () => {
    const clock = new FakeClock(0);
    const budget = newRequestBudget({ clock, ratePerSecond: 2, burst: 3 });
    expect(['a', 'b', 'c', 'd'].map((key) => budget.admit('pod-1', key))).toEqual([true, true, true, false]);
    // Asked before: free, however often.
    expect(Array.from({ length: 10 }, () => budget.admit('pod-1', 'a'))).toEqual(Array(10).fill(true));
    // Another pod's budget is untouched.
    expect(budget.admit('pod-2', 'd')).toBe(true);
    await clock.advance(500);
    expect([budget.admit('pod-1', 'd'), budget.admit('pod-1', 'e')]).toEqual([true, false]);
  });

  it('forgets a request after an hour: it costs a token again', async () => {
    // Not 0: lru-cache takes a start time of 0 as "no TTL".
    const clock = new FakeClock(1_000_000);
    const budget = newRequestBudget({ clock, ratePerSecond: 1, burst: 1 });
    expect(budget.admit('pod-1', 'a')).toBe(true);
    await clock.advance(REMEMBER_MS - 1000);
    expect(budget.admit('pod-1', 'a')).toBe(true);
    await clock.advance(2000);
    expect(budget.admit('pod-1', 'b')).toBe(true);
    expect(budget.admit('pod-1', 'a')).toBe(false);
  });
});
