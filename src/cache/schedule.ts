/**
 * When each entry next needs attention: its refresh time, or its expiry when
 * no refresh is due. One pending wake-up per entry; the cache decides what a
 * wake-up does.
 */
import type { Clock } from '../core/clock.js';
import type { Entry } from './entry.js';

export class Schedule {
  readonly #clock: Clock;
  readonly #wake: (entry: Entry) => void;

  constructor(clock: Clock, wake: (entry: Entry) => void) {
    this.#clock = clock;
    this.#wake = wake;
  }

  /** Replaces the entry's wake-up with one at `atMs` (at once if past). */
  arm(entry: Entry, atMs: number): void {
    this.cancel(entry);
    entry.timer = this.#clock.setTimeout(() => {
      entry.timer = undefined;
      this.#wake(entry);
    }, Math.max(0, atMs - this.#clock.now()));
  }

  cancel(entry: Entry): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }
}
