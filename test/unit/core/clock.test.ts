import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';

describe('FakeClock', () => {
  it('fires due timers in time order and stops at the target time', async () => {
    const clock = new FakeClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const late = clock.setTimeout(() => fired.push('never'), 500);
    clock.clearTimeout(late);
    clock.setTimeout(() => fired.push('later'), 1_000);
    await clock.advance(300);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(1_300);
    expect(clock.pendingTimers).toBe(1);
  });
});
