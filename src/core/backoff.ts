/**
 * Retry timing, the one place for it: exponential backoff with a named
 * jitter style, and a sleep on the injected clock.
 *
 * - `full`: a uniformly random delay between 0 and the exponential cap. What
 *   the AWS SDKs use; it spreads the retries of many callers that failed
 *   together, which is exactly the throttling case. Used for the retries of
 *   one Lake Formation call and for the prewarm of profiles.
 * - `equal`: half the cap, plus up to the other half. A backoff period always
 *   lasts long enough to hold a failing key to one attempt, yet keys that
 *   failed together still spread out. Used by the cache between fetches of a
 *   failing key.
 */
import type { Clock } from './clock.js';

/** How the random part of a delay is drawn (see the module comment). */
export type JitterStyle = 'full' | 'equal';

/** Inputs of {@link backoffDelayMs}. */
export interface BackoffOptions {
  /** Cap of the first retry's delay, in ms. */
  baseDelayMs: number;
  /** Largest cap, in ms: the exponential growth stops here. */
  maxDelayMs: number;
  /** Default `full`. */
  jitter?: JitterStyle;
  /** Uniform random number in [0, 1). Injected so tests can pin it (0 → the shortest wait, 1 → the cap). */
  random: () => number;
}

/**
 * Delay before retry number `attempt` (1 = the first retry), rounded down to
 * whole ms, with `cap = min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`:
 * `full` waits `random() * cap`, `equal` waits `cap / 2 + random() * cap / 2`.
 * With `random` fixed at 1 the delays are exactly the caps (base, 2·base,
 * 4·base, ... up to max) in both styles.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  }
  // The exponent is clamped so the product stays a finite, exact number for any attempt.
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt - 1, 52));
  const r = clampUnit(options.random());
  return Math.floor((options.jitter ?? 'full') === 'equal' ? cap / 2 + (r * cap) / 2 : r * cap);
}

/** A random source outside [0, 1] (a buggy injection) must not produce negative or huge delays. */
export function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return Math.min(value, 1);
}

/**
 * Resolves after `ms` on `clock`. If `signal` aborts first, the timer is
 * cancelled and the promise rejects with `signal.reason`.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
