import type { Clock } from '../clock.js';

/**
 * Token bucket for the credentials listener as a whole. Defaults follow the
 * EKS Pod Identity Agent (1000 requests/s, burst 500): far above what a pod's
 * SDK clients send, low enough that a runaway loop cannot starve the event loop.
 */
export class RequestRateLimiter {
  readonly #clock: Clock;
  readonly #ratePerSecond: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(init: { clock: Clock; ratePerSecond: number; burst: number }) {
    if (!(init.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be > 0');
    if (!(init.burst >= 1)) throw new RangeError('burst must be >= 1');
    this.#clock = init.clock;
    this.#ratePerSecond = init.ratePerSecond;
    this.#burst = init.burst;
    this.#tokens = init.burst;
    this.#updatedAt = init.clock.now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedSeconds * this.#ratePerSecond);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
