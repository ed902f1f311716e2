/** The cache's one scheduler: a heap of wake-ups behind a single clock timer. */
import { describe, expect, it } from 'vitest';
import { Schedule, type Scheduled } from '../../../src/cache/schedule.js';
import { FakeClock } from '../../support/fake-clock.mjs';

type Item = Scheduled & { name: string };
const item = (name: string): Item => ({ name, wakeAtMs: 0, heapIndex: -1 });

describe('Schedule', () => {
  it('wakes items in time order with one timer, however many are armed', async () => {
    const clock = new FakeClock(0);
    const woken: string[] = [];
    const schedule = new Schedule<Item>(clock, (i) => woken.push(`${i.name}@${clock.now()}`));
    const items = Array.from({ length: 1000 }, (_, n) => item(`i${n}`));
    for (const [n, it] of items.entries()) schedule.arm(it, ((n * 7919) % 1000) + 1);
    expect(clock.pendingTimers).toBe(1);
    expect(schedule.size).toBe(1000);
    await clock.advance(1000);
    expect(woken).toHaveLength(1000);
    const times = woken.map((w) => Number(w.split('@')[1]));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(clock.pendingTimers).toBe(0);
  });

  it('re-arms and cancels: a moved item wakes at its new time, a cancelled one never', async () => {
    const clock = new FakeClock(0);
    const woken: string[] = [];
    const schedule = new Schedule<Item>(clock, (i) => woken.push(i.name));
    const [a, b, c] = [item('a'), item('b'), item('c')];
    schedule.arm(a, 100);
    schedule.arm(b, 200);
    schedule.arm(c, 300);
    schedule.arm(c, 50); // earlier
    schedule.arm(a, 250); // later
    schedule.cancel(b);
    await clock.advance(49);
    expect(woken).toEqual([]);
    await clock.advance(1);
    expect(woken).toEqual(['c']);
    await clock.advance(250);
    expect(woken).toEqual(['c', 'a']);
    expect(schedule.size).toBe(0);
    expect(b.heapIndex).toBe(-1);
  });

  it('lets a wake-up arm items again, and clear() drops everything', async () => {
    const clock = new FakeClock(0);
    let wakes = 0;
    const schedule: Schedule<Item> = new Schedule<Item>(clock, (i) => {
      wakes += 1;
      if (wakes < 3) schedule.arm(i, clock.now() + 10);
    });
    schedule.arm(item('x'), 10);
    await clock.advance(100);
    expect(wakes).toBe(3);
    schedule.arm(item('y'), 500);
    schedule.clear();
    expect(clock.pendingTimers).toBe(0);
  });
});
