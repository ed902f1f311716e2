/**
 * A manually driven clock for tests and the simulated-day benchmark (plain
 * JavaScript so `bench/` can import it without a build; types in
 * `fake-clock.d.mts`). `advance(ms)` fires due timers in time order, and lets
 * promise continuations run between them, so code that awaits inside a timer
 * callback behaves as it would in real time.
 */
export class FakeClock {
  #now;
  #nextId = 1;
  #timers = [];

  constructor(startMs = Date.UTC(2026, 10, 25, 6, 0, 0)) {
    this.#now = startMs;
  }

  now() {
    return this.#now;
  }

  setTimeout(callback, ms) {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle) {
    const id = handle.id;
    this.#timers = this.#timers.filter((t) => t.id !== id);
  }

  /** Number of timers not yet fired. */
  get pendingTimers() {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms) {
    const target = this.#now + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.#timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Sets the time without firing timers (for tests of time-only logic). */
  set(ms) {
    this.#now = ms;
  }
}

/** Lets queued promise continuations run; several rounds cover short await chains. */
export async function flushMicrotasks(rounds = 20) {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
