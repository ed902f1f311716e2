import type { Clock } from './clock.js';

/** Tolerance for float drift in the token count (rates like 3/s do not divide 1000 ms exactly). */
const EPSILON = 1e-9;

export interface TokenBucketInit {
  clock: Clock;
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size, and the tokens it starts with. */
  burst: number;
}

/**
 * A token bucket on the injected clock. It starts full, so the first `burst`
 * takes after start-up do not wait. Used for the credentials listener's own
 * request limit and in front of every Lake Formation call.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #ratePerSecond: number;
  readonly #burst: number;
  #tokens: number;
  #refilledAt: number;

  constructor(init: TokenBucketInit) {
    if (!(init.ratePerSecond > 0)) throw new RangeError(`ratePerSecond must be > 0, got ${init.ratePerSecond}`);
    if (!(init.burst >= 1)) throw new RangeError(`burst must be >= 1, got ${init.burst}`);
    this.#clock = init.clock;
    this.#ratePerSecond = init.ratePerSecond;
    this.#burst = init.burst;
    this.#tokens = init.burst;
    this.#refilledAt = init.clock.now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1 - EPSILON) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Tokens in the bucket now (fractional), after refilling. */
  level(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Milliseconds until a token is available (at least 1 when none is). */
  msUntilToken(): number {
    this.#refill();
    if (this.#tokens >= 1 - EPSILON) return 0;
    return Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.#ratePerSecond));
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = now - this.#refilledAt;
    // A clock that steps backwards must not drain or overfill the bucket.
    if (elapsed > 0) this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#ratePerSecond) / 1000);
    this.#refilledAt = now;
  }
}
