/**
 * What the cache remembers about failed fetches, one record per key:
 * - a permanent refusal (the grant is missing or revoked), answered from
 *   memory for `negativeTtlSeconds` without calling Lake Formation;
 * - the last retryable failure and its backoff: until `retryAtMs` the key
 *   gets no new fetch, however many clients poll, so an outage costs one
 *   Lake Formation call per key per backoff period.
 */
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

/**
 * Both records are plain maps that grow with the failures they hold, rather
 * than caches preallocated for `maxEntries` keys that a healthy cache never
 * fills; each is still bounded by `maxEntries`, the oldest record going first.
 */
export class FailureRecords {
  readonly #settings: FailureSettings;
  readonly #clock: Clock;
  /** Permanent refusals, in the order they were recorded, each with the time it is forgotten. */
  readonly #negative = new Map<string, { error: LfcsError; untilMs: number }>();
  readonly #failures = new Map<string, Failure>();

  constructor(settings: FailureSettings, clock: Clock) {
    this.#settings = settings;
    this.#clock = clock;
  }

  /** The remembered permanent refusal of `key`, if any. */
  refusal(key: string): LfcsError | undefined {
    if (this.#negative.size === 0) return undefined;
    const refusal = this.#negative.get(key);
    if (refusal === undefined) return undefined;
    if (this.#clock.now() < refusal.untilMs) return refusal.error;
    this.#negative.delete(key);
    return undefined;
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
    const now = this.#clock.now();
    // Same TTL for all, so the oldest records are the first to expire: forget those.
    for (const [oldKey, old] of this.#negative) {
      if (now < old.untilMs) break;
      this.#negative.delete(oldKey);
    }
    this.#negative.delete(key);
    bounded(this.#negative, this.#settings.maxEntries).set(key, { error: err, untilMs: now + this.#settings.negativeTtlSeconds * 1000 });
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
    this.#failures.delete(key);
    bounded(this.#failures, this.#settings.maxEntries).set(key, failure);
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

/** `map` with room for one more record: the oldest goes when it holds `max`. */
function bounded<K, V>(map: Map<K, V>, max: number): Map<K, V> {
  if (map.size >= max) map.delete(map.keys().next().value as K);
  return map;
}
