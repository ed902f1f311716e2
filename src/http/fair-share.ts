/**
 * A listener's rate limit shared fairly among its callers: a token bucket
 * (`rateLimit.requestsPerSecond`, `rateLimit.burst`) whose lower half is kept
 * for callers within their fair share. While the bucket holds more than half
 * its burst, anyone may take a token. Below that (contended), a caller may
 * take one only within its share: of the kept half, `burst / 2 / active`
 * tokens, refilled at `ratePerSecond / active`, where `active` is the number
 * of callers seen in this second or the last. The shares together never
 * outrun the bucket, so a dozen runaway pods, each within its own budget but
 * together over the node's, are refused before it runs dry, and a quiet pod
 * still finds a token. A lone caller (sidecar mode) has the whole bucket, as
 * a plain token bucket.
 *
 * Each caller's use is a meter that drains at its share rate: one per token
 * taken, capped at its allowance, so a caller that slows down to its share
 * is admitted again at once.
 */
import type { Clock } from '../core/clock.js';
import { TokenBucket } from '../core/token-bucket.js';

/** Why a caller was refused: over its fair share of a contended bucket, or no token at all. */
export type FairShareRefusal = 'fair_share' | 'empty';

export interface FairShareInit {
  clock: Clock;
  /** Tokens added per second (`rateLimit.requestsPerSecond`). */
  ratePerSecond: number;
  /** Bucket size, and the tokens it starts with (`rateLimit.burst`). */
  burst: number;
}

/** Callers seen within the last two of these windows count as active. */
const WINDOW_MS = 1000;
/** Tolerance for float drift in the token count. */
const EPSILON = 1e-9;

interface Meter {
  /** Tokens taken, drained at the caller's share rate. */
  level: number;
  /** When `level` was last brought up to date, ms. */
  at: number;
  /** The last window the caller took a token in. */
  window: number;
}

export class FairShareBucket {
  readonly #clock: Clock;
  readonly #bucket: TokenBucket;
  readonly #ratePerSecond: number;
  readonly #burst: number;
  #window: number;
  readonly #meters = new Map<string, Meter>();
  /** Callers that took a token in this window, and in the previous one. */
  #active = new Set<string>();
  #previouslyActive = new Set<string>();

  constructor(init: FairShareInit) {
    this.#bucket = new TokenBucket(init);
    this.#clock = init.clock;
    this.#ratePerSecond = init.ratePerSecond;
    this.#burst = init.burst;
    this.#window = Math.floor(init.clock.now() / WINDOW_MS);
  }

  /** Takes one token for an unnamed caller (no fairness): false when none is left. */
  tryTake(): boolean {
    return this.take(undefined) === undefined;
  }

  /** Takes one token for `caller`; undefined when taken, otherwise why not. */
  take(caller: string | undefined): FairShareRefusal | undefined {
    const now = this.#clock.now();
    this.#rollWindow(now);
    if (caller === undefined) return this.#bucket.tryTake() ? undefined : 'empty';
    const active = Math.max(1, this.#active.size + (this.#active.has(caller) ? 0 : 1), this.#previouslyActive.size);
    const allowance = Math.max(1, this.#burst / 2 / active);
    const meter = this.#meter(caller, now, this.#ratePerSecond / active);
    // A lone caller keeps the whole bucket, as a plain token bucket.
    if (active > 1 && this.#bucket.level() < this.#burst / 2 && meter.level + 1 > allowance + EPSILON) return 'fair_share';
    if (!this.#bucket.tryTake()) return 'empty';
    meter.level = Math.min(allowance, meter.level + 1);
    meter.window = this.#window;
    this.#active.add(caller);
    return undefined;
  }

  /** `caller`'s meter, drained at `sharePerSecond` since it was last brought up to date. */
  #meter(caller: string, now: number, sharePerSecond: number): Meter {
    let meter = this.#meters.get(caller);
    if (meter === undefined) {
      meter = { level: 0, at: now, window: this.#window };
      this.#meters.set(caller, meter);
    } else if (now > meter.at) {
      meter.level = Math.max(0, meter.level - ((now - meter.at) * sharePerSecond) / 1000);
      meter.at = now;
    }
    return meter;
  }

  #rollWindow(now: number): void {
    const window = Math.floor(now / WINDOW_MS);
    if (window === this.#window) return;
    this.#previouslyActive = window === this.#window + 1 ? this.#active : new Set();
    this.#active = new Set();
    this.#window = window;
    // Meters of callers gone for two windows are forgotten (one that returns starts afresh), so memory follows the active callers.
    for (const [caller, meter] of this.#meters) if (meter.window < window - 1) this.#meters.delete(caller);
  }
}
