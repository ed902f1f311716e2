/**
 * When each entry next needs attention (its refresh time, or its expiry when
 * no refresh is due), for the whole cache with one timer: a binary min-heap
 * of entries by wake-up time, and a single clock timer armed for the
 * earliest. A timer per entry cost about 300 bytes each and made 100k
 * pending timers for 100k leases; here an entry carries two numbers. The
 * cache decides what a wake-up does.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

/** What the schedule keeps on each entry: its wake-up time and its place in the heap (-1: none). */
export interface Scheduled {
  wakeAtMs: number;
  heapIndex: number;
}

export class Schedule<T extends Scheduled> {
  readonly #clock: Clock;
  readonly #wake: (item: T) => void;
  readonly #heap: T[] = [];
  #timer: TimerHandle | undefined;
  /** When the armed timer fires. */
  #timerAtMs = Number.POSITIVE_INFINITY;

  constructor(clock: Clock, wake: (item: T) => void) {
    this.#clock = clock;
    this.#wake = wake;
  }

  /** Wake-ups pending. */
  get size(): number {
    return this.#heap.length;
  }

  /** Replaces the item's wake-up with one at `atMs` (at the next timer tick if past). */
  arm(item: T, atMs: number): void {
    item.wakeAtMs = atMs;
    if (item.heapIndex < 0) {
      item.heapIndex = this.#heap.length;
      this.#heap.push(item);
    }
    this.#fix(item.heapIndex);
    this.#rearm();
  }

  cancel(item: T): void {
    const index = item.heapIndex;
    if (index < 0) return;
    const last = this.#heap.pop() as T;
    item.heapIndex = -1;
    if (last !== item) {
      this.#heap[index] = last;
      last.heapIndex = index;
      this.#fix(index);
    }
    this.#rearm();
  }

  /** Drops every wake-up and the timer. */
  clear(): void {
    for (const item of this.#heap) item.heapIndex = -1;
    this.#heap.length = 0;
    this.#rearm();
  }

  /**
   * Runs every wake-up that is due, earliest first, each removed before it
   * runs; one that arms itself again for a past time waits for the next tick.
   */
  #fire(): void {
    this.#timer = undefined;
    this.#timerAtMs = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due: T[] = [];
    for (let top = this.#heap[0]; top !== undefined && top.wakeAtMs <= now; top = this.#heap[0]) {
      this.cancel(top);
      due.push(top);
    }
    for (const item of due) this.#wake(item);
    this.#rearm();
  }

  /** Keeps the one timer at the earliest wake-up. */
  #rearm(): void {
    const next = this.#heap[0]?.wakeAtMs ?? Number.POSITIVE_INFINITY;
    if (next === this.#timerAtMs) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = next;
    if (next === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#clock.setTimeout(() => this.#fire(), Math.max(0, next - this.#clock.now()));
  }

  /** Restores the heap order around `index` after its item's time changed. */
  #fix(index: number): void {
    const heap = this.#heap;
    const item = heap[index] as T;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as T).wakeAtMs <= item.wakeAtMs) break;
      this.#place(heap[parent] as T, i);
      i = parent;
    }
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as T).wakeAtMs < (heap[left] as T).wakeAtMs ? right : left;
      if ((heap[child] as T).wakeAtMs >= item.wakeAtMs) break;
      this.#place(heap[child] as T, i);
      i = child;
    }
    this.#place(item, i);
  }

  #place(item: T, index: number): void {
    this.#heap[index] = item;
    item.heapIndex = index;
  }
}
