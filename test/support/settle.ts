/**
 * Waiting for asynchronous work without sleeping on a guess: each helper
 * names what it waits for.
 */

/** Runs every queued promise continuation (a macrotask boundary drains the whole microtask queue). */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Lets pending I/O callbacks run until `condition` holds; no timers involved. */
export async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await drain();
  }
  throw new Error('condition not reached');
}

/**
 * Lets real socket I/O make progress for `ms` of wall time, for tests that
 * drive a fake clock while the emulator answers over real sockets.
 */
export function realTick(ms = 2): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
