/**
 * What the cache remembers about failed fetches, one record per key:
 * - a permanent refusal (the grant is missing or revoked), answered from
 *   memory for `negativeTtlSeconds` without calling Lake Formation;
 * - the last retryable failure and its backoff: until `retryAtMs` the key
 *   gets no new fetch, however many clients poll, so an outage costs one
 *   Lake Formation call per key per backoff period.
 */
import { LRUCache } from 'lru-cache';
import { backoffDelayMs } from '../core/backoff.js';
import { withRetryAfter, type LfcsError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';

/** The failure record of one key, until a fetch succeeds. */
export interface Failure {
  /** Failed fetches in a row. */
  count: number;
  /** No new fetch for the key before this time. */
  retryAtMs: number;
  /**
   * Set when Lake Formation answered with a retryable error: what clients with
   * nothing servable are told until `retryAtMs` (with `Retry-After`), and the
   * next fetch makes a single attempt (the backoff between fetches is the retry).
   */
  error: LfcsError | undefined;
}

export interface FailureSettings {
  maxEntries: number;
  negativeTtlSeconds: number;
  refreshRetryBaseDelayMs: number;
  refreshRetryMaxDelayMs: number;
  retryAfterSeconds: number;
}

export class FailureRecords {
  readonly #settings: FailureSettings;
  readonly #negative: LRUCache<string, LfcsError>;
  readonly #failures: LRUCache<string, Failure>;

  constructor(settings: FailureSettings, clock: Clock) {
    this.#settings = settings;
    // lru-cache reads time through `perf`; ttlResolution 0 stops it from caching
    // "now" behind a real setTimeout, so the injected clock is the only time source.
    const perf = { now: () => clock.now() };
    this.#negative = new LRUCache({ max: settings.maxEntries, perf, ttlResolution: 0, ttl: settings.negativeTtlSeconds * 1000 });
    this.#failures = new LRUCache({ max: settings.maxEntries });
  }

  /** The remembered permanent refusal of `key`, if any. */
  refusal(key: string): LfcsError | undefined {
    return this.#negative.get(key);
  }

  /** The failure record of `key` while its backoff lasts. */
  backingOff(key: string, now: number): Failure | undefined {
    const failure = this.#failures.get(key);
    return failure && now < failure.retryAtMs ? failure : undefined;
  }

  /** Whether the next fetch of `key` should make a single attempt. */
  singleAttempt(key: string): boolean {
    return this.#failures.get(key)?.error !== undefined;
  }

  refused(key: string, err: LfcsError): void {
    this.#failures.delete(key);
    this.#negative.set(key, err);
  }

  /**
   * Records a failed fetch of `key` and returns its record. `asked`: Lake
   * Formation answered (the limiter did not refuse the call).
   */
  failed(key: string, err: LfcsError, asked: boolean, now: number, random: () => number): Failure {
    const count = (this.#failures.get(key)?.count ?? 0) + 1;
    const backoffMs = backoffDelayMs(count, {
      baseDelayMs: this.#settings.refreshRetryBaseDelayMs,
      maxDelayMs: this.#settings.refreshRetryMaxDelayMs,
      jitter: 'equal',
      random,
    });
    const failure: Failure = {
      count,
      retryAtMs: now + backoffMs,
      error: asked && err.retryable ? this.shown(err) : undefined,
    };
    this.#failures.set(key, failure);
    return failure;
  }

  /** The error waiting clients receive for `err`: a retryable one carries `Retry-After`. */
  shown(err: LfcsError): LfcsError {
    return err.retryable ? withRetryAfter(err, this.#settings.retryAfterSeconds) : err;
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }

  clear(): void {
    this.#negative.clear();
    this.#failures.clear();
  }
}
