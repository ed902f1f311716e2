/**
 * The credential cache: one lease per distinct Lake Formation request, kept
 * fresh in the background so that clients only ever see comfortably long
 * lifetimes, with every upstream call de-duplicated, retried with backoff and
 * rate-limited.
 *
 * Lifecycle of an entry, by time left on a 1-hour lease with the defaults:
 *
 *   3600 s ... 1800 s   `hit`; at 1800 s (+ 0-120 s jitter) a background refresh starts
 *   1800 s ...  960 s   `hit` on the old lease until the refresh lands
 *    960 s ...   60 s   the request waits for a fresh lease; `stale` if Lake Formation fails
 *     60 s ...    0 s   error (503-type, with Retry-After) if Lake Formation fails
 *
 * - A client sees `hit` while the lease has more than `minServeSeconds`
 *   left. Below that, botocore and Java would call the sidecar on nearly every
 *   API call, so the request waits for a fresh lease (`miss`), and falls back
 *   to the old one (`stale`) only if Lake Formation fails and the old one has
 *   more than `hardMinimumSeconds` left. An expired lease is never served.
 * - Entries requested within `idleSeconds` are refreshed in the background
 *   from `refreshBeforeExpirySeconds` left; idle ones are not renewed and
 *   leave the cache at expiry (if their client comes back while the lease is
 *   still served, that request restarts the refresh).
 * - After a failed fetch (background or not), the entry waits a backoff
 *   (`refreshRetryBaseDelayMs` … `refreshRetryMaxDelayMs`) before the next
 *   try; meanwhile requests below `minServeSeconds` get the old lease as
 *   `stale` at once instead of each calling Lake Formation again.
 * - A permanent error (the grant is missing or revoked) evicts the entry and
 *   is remembered for `negativeTtlSeconds`.
 *
 * Nothing here logs: callers observe the cache through {@link CacheHooks}.
 */
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import {
  LfcsError,
  UpstreamError,
  isPermanentUpstreamError,
  type ErrorCode,
  type UpstreamErrorCode,
} from '../core/errors.js';
import type { CredentialRequest, Lease, Operation, Permission, VendFunction } from '../lakeformation/types.js';
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { cacheKey } from './cache-key.js';
import {
  CACHE_DEFAULTS,
  CACHE_TUNING_KEYS,
  cacheTuningProblems,
  effectiveThresholds,
  type CacheTuning,
  type EffectiveThresholds,
} from './options.js';
import { UpstreamLimiter } from '../upstream/limiter.js';
import { definedOnly, describe } from '../core/validation.js';

export { cacheKey } from './cache-key.js';
export {
  CACHE_DEFAULTS,
  cacheTuningProblems,
  effectiveThresholds,
  type CacheTuning,
  type EffectiveThresholds,
  type ThresholdSettings,
} from './options.js';

/**
 * How a `get` was answered:
 * - `hit`: cached lease, more than `minServeSeconds` left;
 * - `miss`: waited for Lake Formation (this request started the call, or was
 *   the first to wait on a background refresh already running);
 * - `coalesced`: waited on a call another request had started;
 * - `stale`: Lake Formation failed (or is backing off after a failure), old lease served;
 * - `negative`: a remembered permanent error was rethrown without a call.
 * A `get` that throws reports `miss`, `coalesced` or `negative`.
 */
export type LookupResult = 'hit' | 'miss' | 'stale' | 'coalesced' | 'negative';

/** One upstream attempt, as reported to {@link CacheHooks.onUpstreamCall}. */
export interface UpstreamCallEvent {
  /** The request sent (no key material; may hold query ids, so keep it out of metric labels). */
  request: CredentialRequest;
  /** `success` or the stable code of the failure. */
  outcome: 'success' | ErrorCode;
  /** Time from the call's start to its answer, on the injected clock. */
  durationSeconds: number;
  /** 1 for the first attempt of a fetch, 2 for its first retry, ... */
  attempt: number;
  /** True for a refresh no client was waiting for when it was queued. */
  background: boolean;
}

/**
 * Observation points for metrics and the audit log. Every hook is optional
 * and called synchronously; an exception thrown by a hook is swallowed, so a
 * broken metrics sink can never stop credentials from being served.
 */
export interface CacheHooks {
  /** Exactly once per `get` on an open cache, with the final result. */
  onLookup?(result: LookupResult): void;
  /**
   * Once per background refresh: `success` (new lease stored), `failure`
   * (Lake Formation failed after all attempts), `dropped` (the entry was
   * evicted or expired before the refresh finished, or the limiter queue was
   * full so no call was made; the result, if any, is discarded).
   */
  onRefresh?(outcome: 'success' | 'failure' | 'dropped'): void;
  /** Every single upstream attempt, retries and background refreshes included. */
  onUpstreamCall?(event: UpstreamCallEvent): void;
  /** The number of cached leases changed (negative-cache entries are not counted). */
  onEntryCountChange?(count: number): void;
}

/**
 * Options of {@link CredentialCache}. Every {@link CacheTuning} setting is
 * optional and defaults to {@link CACHE_DEFAULTS}; unknown keys are rejected.
 */
export interface CredentialCacheOptions extends Partial<CacheTuning> {
  /** Calls Lake Formation (or a fake). Required. */
  vend: VendFunction;
  /** Time source for lifetimes, timers and the rate limiter. Default `systemClock`. */
  clock?: Clock;
  /** Uniform random in [0, 1) for jitter and backoff. Default `Math.random`. */
  random?: () => number;
  /** Observation hooks. Default none. */
  hooks?: CacheHooks;
}

/** Options of {@link CredentialCache.get}. */
export interface GetOptions {
  /** Profile name shown in {@link CredentialCache.entries}; the latest label given wins. Default none. */
  label?: string;
}

/** What {@link CredentialCache.get} returns. */
export interface ServedCredentials {
  lease: Lease;
  result: LookupResult;
  /** Whole seconds the lease has left when served (rounded down). */
  remainingSeconds: number;
}

/** One cached lease as listed by `GET /v1/cache`. Holds no key material. */
export interface CacheEntrySummary {
  label?: string;
  operation: Operation;
  tableArn: string;
  partitionValues?: string[];
  /** As requested, sorted and de-duplicated (as in the cache key). */
  permissions?: Permission[];
  queryId?: string;
  expiration: Date;
  /** Whole seconds left, rounded down. */
  remainingSeconds: number;
  /** When the current lease was received. */
  fetchedAt: Date;
  /** When the lease was last renewed or a renewal last failed (absent until the first renewal). */
  lastRefreshAt?: Date;
  lastRefreshOutcome?: 'success' | ErrorCode;
  /** Requests answered from this entry's lease without waiting for a fresh one (`hit` and `stale`). */
  hits: number;
  lastRequestedAt: Date;
  /** An upstream call for this entry is queued or running. */
  refreshing: boolean;
}

interface Entry {
  readonly key: string;
  /** Snapshot of the request that created the entry; refreshes send it again. */
  readonly request: CredentialRequest;
  label: string | undefined;
  lease: Lease;
  expiresAtMs: number;
  fetchedAtMs: number;
  thresholds: EffectiveThresholds;
  /** Earliest time the next refresh may start (jittered, or pushed back by a failure). */
  refreshAtMs: number;
  /** The refresh time passed while the entry was idle; it now only waits for expiry. */
  refreshSuspended: boolean;
  consecutiveFailures: number;
  lastRefreshAtMs: number | undefined;
  lastRefreshOutcome: 'success' | ErrorCode | undefined;
  hits: number;
  lastRequestedAtMs: number;
  /** The single pending wake-up (refresh time or expiry). */
  timer: TimerHandle | undefined;
}

/** One de-duplicated fetch (with its retries) for a key. */
interface Flight {
  readonly key: string;
  readonly request: CredentialRequest;
  /** Started by the refresh schedule rather than by a client. */
  readonly background: boolean;
  /** The entry a background refresh renews. */
  readonly entry: Entry | undefined;
  readonly controller: AbortController;
  readonly promise: Promise<Lease>;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (err: unknown) => void;
  /** Clients waiting: the first is reported `miss`, the others `coalesced`. */
  waiters: number;
  label: string | undefined;
  /** Upstream attempts actually started (0 when the limiter refused or dropped the call). */
  attempts: number;
}

const HOOK_NAMES = ['onLookup', 'onRefresh', 'onUpstreamCall', 'onEntryCountChange'] as const;
const OPTION_KEYS = new Set<string>(['vend', 'clock', 'random', 'hooks', ...CACHE_TUNING_KEYS]);

/**
 * Refresh-ahead LRU cache of Lake Formation leases. See the module comment
 * for the serving rules and {@link CacheTuning} for every setting.
 */
export class CredentialCache {
  readonly #tuning: Readonly<CacheTuning>;
  readonly #vend: VendFunction;
  readonly #clock: Clock;
  readonly #randomSource: () => number;
  readonly #hooks: CacheHooks;
  readonly #limiter: UpstreamLimiter;
  readonly #entries: LRUCache<string, Entry>;
  readonly #negative: LRUCache<string, LfcsError>;
  readonly #inflight = new Map<string, Flight>();
  #reportedCount = 0;
  #closed = false;

  /**
   * Checks every option at once and throws `LfcsError('InvalidConfiguration')`
   * naming each bad field and what it accepts.
   */
  constructor(options: CredentialCacheOptions) {
    this.#tuning = resolveOptions(options);
    this.#vend = options.vend;
    this.#clock = options.clock ?? systemClock;
    this.#randomSource = options.random ?? Math.random;
    this.#hooks = options.hooks ?? {};
    const clock = this.#clock;
    // lru-cache reads time through `perf`; ttlResolution 0 stops it from
    // caching "now" behind a real setTimeout, so the fake clock is the only time source.
    const perf = { now: () => clock.now() };
    this.#entries = new LRUCache<string, Entry>({
      max: this.#tuning.maxEntries,
      perf,
      ttlResolution: 0,
      dispose: (entry) => this.#retire(entry),
    });
    this.#negative = new LRUCache<string, LfcsError>({
      max: this.#tuning.maxEntries,
      ttl: this.#tuning.negativeTtlSeconds * 1000,
      perf,
      ttlResolution: 0,
    });
    this.#limiter = new UpstreamLimiter({
      clock,
      maxConcurrency: this.#tuning.maxConcurrency,
      ratePerSecond: this.#tuning.ratePerSecond,
      burst: this.#tuning.burst,
      maxQueuedCalls: this.#tuning.maxQueuedCalls,
    });
  }

  /** Number of cached leases (entries whose expiry timer has not fired yet included). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Credentials for `request`, from the cache when they have enough lifetime
   * left, otherwise from Lake Formation (one call per key however many
   * requests wait). Rejects with the `UpstreamError` when nothing valid can be
   * served (retryable ones carry `retryAfterSeconds`), with the remembered
   * error for a negatively cached request, and with `LfcsError('ShuttingDown')`
   * after {@link close}.
   */
  async get(request: CredentialRequest, options: GetOptions = {}): Promise<ServedCredentials> {
    if (this.#closed) throw shuttingDown();
    const key = cacheKey(request);
    const remembered = this.#negative.get(key);
    if (remembered) {
      this.#emitLookup('negative');
      throw remembered;
    }

    const now = this.#clock.now();
    const entry = this.#touch(key, now);
    if (entry) {
      entry.lastRequestedAtMs = now;
      if (options.label !== undefined) entry.label = options.label;
      const remainingMs = entry.expiresAtMs - now;
      if (remainingMs > entry.thresholds.minServeSeconds * 1000) {
        // An idle entry skipped its refresh; its client is back, so renew now.
        if (now >= entry.refreshAtMs && !this.#inflight.has(key)) this.#startRefresh(entry);
        return this.#serve(entry, 'hit', now);
      }
      if (
        entry.consecutiveFailures > 0 &&
        now < entry.refreshAtMs &&
        !this.#inflight.has(key) &&
        remainingMs > entry.thresholds.hardMinimumSeconds * 1000
      ) {
        // The last fetch for this key failed moments ago and its backoff has
        // not passed: calling again for every client request would turn an
        // outage into a storm against Lake Formation's quota.
        return this.#serve(entry, 'stale', now);
      }
    }

    const flight = this.#flightFor(key, request);
    const result: LookupResult = flight.waiters === 0 ? 'miss' : 'coalesced';
    flight.waiters += 1;
    if (flight.label === undefined) flight.label = options.label;
    try {
      const lease = await flight.promise;
      this.#emitLookup(result);
      return { lease, result, remainingSeconds: wholeSecondsLeft(lease.expiration.getTime(), this.#clock.now()) };
    } catch (err) {
      if (this.#closed) {
        this.#emitLookup(result);
        throw err;
      }
      const fallback = this.#peekLive(key);
      const nowAfter = this.#clock.now();
      if (
        !isPermanentUpstreamError(err) &&
        fallback &&
        fallback.expiresAtMs - nowAfter > fallback.thresholds.hardMinimumSeconds * 1000
      ) {
        // Still-valid credentials beat an error while Lake Formation is failing.
        return this.#serve(fallback, 'stale', nowAfter);
      }
      this.#emitLookup(result);
      throw err;
    }
  }

  /** Summaries of the cached leases, most recently requested first. Never holds key material. */
  entries(): CacheEntrySummary[] {
    if (this.#closed) return [];
    const now = this.#clock.now();
    const list: CacheEntrySummary[] = [];
    for (const entry of this.#entries.values()) {
      if (now >= entry.expiresAtMs) continue;
      list.push(this.#summarize(entry, now));
    }
    return list;
  }

  /**
   * Stops the cache: cancels every timer and queued upstream call, aborts
   * running ones (through the `signal` given to `vend`), rejects pending and
   * later `get`s with `LfcsError('ShuttingDown')` and drops every entry.
   * Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = shuttingDown();
    const flights = [...this.#inflight.values()];
    this.#inflight.clear();
    for (const flight of flights) {
      flight.controller.abort(reason);
      flight.reject(reason);
    }
    this.#limiter.close(reason);
    this.#entries.clear(); // dispose → #retire clears each entry's timer
    this.#negative.clear();
    this.#reportCount();
  }

  // ---- entries -------------------------------------------------------------

  /** The live entry for `key`, marked most recently used; an expired one is removed. */
  #touch(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && now >= entry.expiresAtMs) {
      this.#entries.delete(key);
      this.#reportCount();
      return undefined;
    }
    this.#reportCount(); // lru-cache may have dropped an expired entry inside get()
    return entry;
  }

  /** The live entry for `key` without touching recency. */
  #peekLive(key: string): Entry | undefined {
    const entry = this.#entries.peek(key);
    return entry && this.#clock.now() < entry.expiresAtMs ? entry : undefined;
  }

  #serve(entry: Entry, result: 'hit' | 'stale', now: number): ServedCredentials {
    entry.hits += 1;
    this.#emitLookup(result);
    return { lease: entry.lease, result, remainingSeconds: wholeSecondsLeft(entry.expiresAtMs, now) };
  }

  /** Stores a fresh lease for the flight's key, creating or renewing the entry. */
  #store(flight: Flight, received: Lease): Entry {
    const now = this.#clock.now();
    const lease = freezeLease(received);
    const expiresAtMs = lease.expiration.getTime();
    const thresholds = effectiveThresholds((expiresAtMs - now) / 1000, this.#tuning);
    const clientWaiting = !flight.background || flight.waiters > 0;
    let entry = this.#peekLive(flight.key);
    if (entry) {
      entry.lastRefreshAtMs = now;
      entry.lastRefreshOutcome = 'success';
      if (clientWaiting) entry.lastRequestedAtMs = now;
    } else {
      entry = {
        key: flight.key,
        request: flight.request,
        label: undefined,
        lease,
        expiresAtMs,
        fetchedAtMs: now,
        thresholds,
        refreshAtMs: 0,
        refreshSuspended: false,
        consecutiveFailures: 0,
        lastRefreshAtMs: undefined,
        lastRefreshOutcome: undefined,
        hits: 0,
        lastRequestedAtMs: now,
        timer: undefined,
      };
    }
    if (flight.label !== undefined) entry.label = flight.label;
    entry.lease = lease;
    entry.expiresAtMs = expiresAtMs;
    entry.fetchedAtMs = now;
    entry.thresholds = thresholds;
    // Jitter only delays the start within the refresh window: the refresh
    // still begins before minServe because jitter < refreshBefore - minServe.
    entry.refreshAtMs =
      expiresAtMs - thresholds.refreshBeforeSeconds * 1000 + this.#random() * thresholds.refreshJitterSeconds * 1000;
    entry.refreshSuspended = false;
    entry.consecutiveFailures = 0;
    // lru-cache's own ttl guarantees an expired lease is never returned even
    // if the expiry timer below has not fired yet (e.g. a clock that jumped).
    this.#entries.set(flight.key, entry, { ttl: Math.max(1, Math.ceil(expiresAtMs - now)) });
    this.#schedule(entry);
    this.#reportCount();
    return entry;
  }

  /** Cleans up an entry that left the cache (evicted, expired, deleted or cleared). */
  #retire(entry: Entry): void {
    if (entry.timer !== undefined) {
      this.#clock.clearTimeout(entry.timer);
      entry.timer = undefined;
    }
    const flight = this.#inflight.get(entry.key);
    if (flight && flight.background && flight.waiters === 0 && flight.entry === entry) {
      // Nobody will use this refresh any more: if it is still queued it never
      // reaches Lake Formation, and if it runs its result is discarded.
      this.#inflight.delete(entry.key);
      flight.controller.abort(
        new LfcsError('CacheEvicted', 'The cache entry left the cache before its refresh finished'),
      );
    }
  }

  /** Arms the entry's single wake-up: its refresh time, or its expiry when no refresh is due. */
  #schedule(entry: Entry): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    if (this.#closed) return;
    const waitForExpiry = entry.refreshSuspended || this.#inflight.has(entry.key);
    const at = waitForExpiry ? entry.expiresAtMs : Math.min(entry.refreshAtMs, entry.expiresAtMs);
    entry.timer = this.#clock.setTimeout(() => this.#wake(entry), Math.max(0, at - this.#clock.now()));
  }

  #wake(entry: Entry): void {
    entry.timer = undefined;
    if (this.#closed || this.#entries.peek(entry.key, { allowStale: true }) !== entry) return;
    const now = this.#clock.now();
    if (now >= entry.expiresAtMs) {
      this.#entries.delete(entry.key);
      this.#reportCount();
      return;
    }
    if (now >= entry.refreshAtMs && !this.#inflight.has(entry.key)) {
      if (now - entry.lastRequestedAtMs > this.#tuning.idleSeconds * 1000) {
        // Nobody asked for this lease lately: spend no quota renewing it.
        entry.refreshSuspended = true;
        this.#schedule(entry);
        return;
      }
      this.#startRefresh(entry);
      return;
    }
    this.#schedule(entry);
  }

  #startRefresh(entry: Entry): void {
    entry.refreshSuspended = false;
    this.#startFlight(entry.key, entry.request, entry);
    this.#schedule(entry); // now waits for expiry; the flight's end re-arms it
  }

  // ---- upstream ------------------------------------------------------------

  /** The flight in progress for `key`, or a new client-driven one. */
  #flightFor(key: string, request: CredentialRequest): Flight {
    return this.#inflight.get(key) ?? this.#startFlight(key, structuredClone(request), undefined);
  }

  /** Starts one fetch; `entry` set means a background refresh of that entry. */
  #startFlight(key: string, request: CredentialRequest, entry: Entry | undefined): Flight {
    let resolve!: (lease: Lease) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<Lease>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A background refresh may end with nobody waiting on it.
    promise.catch(() => undefined);
    const flight: Flight = {
      key,
      request,
      background: entry !== undefined,
      entry,
      controller: new AbortController(),
      promise,
      resolve,
      reject,
      waiters: 0,
      label: undefined,
      attempts: 0,
    };
    this.#inflight.set(key, flight);
    void this.#runFlight(flight);
    return flight;
  }

  async #runFlight(flight: Flight): Promise<void> {
    try {
      const received = await this.#callWithRetries(flight);
      this.#endFlight(flight);
      if (this.#closed) return;
      if (flight.background && flight.waiters === 0 && this.#peekLive(flight.key) !== flight.entry) {
        // The entry left the cache while the call ran; re-adding it would evict a wanted one.
        this.#emitRefresh('dropped');
        flight.resolve(received);
        return;
      }
      const entry = this.#store(flight, received);
      if (flight.background) this.#emitRefresh('success');
      flight.resolve(entry.lease);
    } catch (err) {
      this.#endFlight(flight);
      if (this.#closed) return; // close() already rejected the waiters
      flight.reject(this.#afterFailure(flight, toLfcsError(err)));
    }
  }

  #endFlight(flight: Flight): void {
    if (this.#inflight.get(flight.key) === flight) this.#inflight.delete(flight.key);
  }

  /** Records a failed fetch and returns the error its waiters receive. */
  #afterFailure(flight: Flight, err: LfcsError): LfcsError {
    if (flight.controller.signal.aborted) {
      // Dropped because its entry left the cache.
      this.#emitRefresh('dropped');
      return err;
    }
    if (isPermanentUpstreamError(err)) {
      // The grant is missing or was revoked: stop serving the old lease and
      // answer repeats from memory for a while.
      this.#negative.set(flight.key, err);
      if (this.#entries.has(flight.key)) {
        this.#entries.delete(flight.key);
        this.#reportCount();
      }
      if (flight.background) this.#emitRefresh('failure');
      return err;
    }
    const entry = this.#peekLive(flight.key);
    if (entry) {
      const now = this.#clock.now();
      entry.consecutiveFailures += 1;
      entry.lastRefreshAtMs = now;
      entry.lastRefreshOutcome = err.code;
      entry.refreshAtMs =
        now +
        backoffDelayMs(entry.consecutiveFailures, {
          baseDelayMs: this.#tuning.refreshRetryBaseDelayMs,
          maxDelayMs: this.#tuning.refreshRetryMaxDelayMs,
          random: () => this.#random(),
        });
      entry.refreshSuspended = false;
      this.#schedule(entry);
    }
    if (flight.background) this.#emitRefresh(flight.attempts === 0 ? 'dropped' : 'failure');
    return err.retryable ? withRetryAfter(err, this.#tuning.retryAfterSeconds) : err;
  }

  /** Up to `maxAttempts` upstream attempts through the limiter, with full-jitter backoff between them. */
  async #callWithRetries(flight: Flight): Promise<Lease> {
    const signal = flight.controller.signal;
    for (let attempt = 1; ; attempt++) {
      let startedAtMs: number | undefined;
      let lease: Lease | undefined;
      let failure: LfcsError | undefined;
      try {
        const received = await this.#limiter.run(
          () => {
            startedAtMs = this.#clock.now();
            flight.attempts += 1;
            return this.#vend(flight.request, signal);
          },
          // A client waits on it (from the start, or it joined a queued refresh): go first.
          { urgent: () => !flight.background || flight.waiters > 0, signal },
        );
        lease = this.#checkLease(received);
      } catch (err) {
        // Refused or dropped by the limiter: no upstream attempt to report.
        if (startedAtMs === undefined) throw err;
        failure = toLfcsError(err);
      }
      const endedAtMs = this.#clock.now();
      const outcome: 'success' | ErrorCode =
        signal.aborted && failure ? toLfcsError(signal.reason).code : (failure?.code ?? 'success');
      this.#emit('onUpstreamCall', {
        request: flight.request,
        outcome,
        durationSeconds: (endedAtMs - (startedAtMs ?? endedAtMs)) / 1000,
        attempt,
        background: flight.background && flight.waiters === 0,
      });
      if (signal.aborted) throw signal.reason;
      if (lease) return lease;
      const error = failure as LfcsError;
      if (!error.retryable || isPermanentUpstreamError(error) || attempt >= this.#tuning.maxAttempts) throw error;
      await sleep(
        this.#clock,
        backoffDelayMs(attempt, {
          baseDelayMs: this.#tuning.retryBaseDelayMs,
          maxDelayMs: this.#tuning.retryMaxDelayMs,
          random: () => this.#random(),
        }),
        signal,
      );
    }
  }

  /** The cache schedules by `expiration`, so it must be a real, future time. */
  #checkLease(lease: Lease): Lease {
    const expiresAtMs = lease?.expiration instanceof Date ? lease.expiration.getTime() : Number.NaN;
    if (Number.isNaN(expiresAtMs)) {
      throw new UpstreamError('InvalidUpstreamResponse', 'Lake Formation returned credentials without a valid Expiration', {
        upstreamName: 'InvalidUpstreamResponse',
        retryable: true,
      });
    }
    if (expiresAtMs <= this.#clock.now()) {
      throw new UpstreamError(
        'InvalidUpstreamResponse',
        'Lake Formation returned credentials that have already expired; check the host clock',
        { upstreamName: 'InvalidUpstreamResponse', retryable: true },
      );
    }
    return lease;
  }

  // ---- helpers -------------------------------------------------------------

  #random(): number {
    const value = this.#randomSource();
    // A bad random source must not schedule refreshes outside the window.
    if (!Number.isFinite(value) || value <= 0) return 0;
    return value >= 1 ? 1 : value;
  }

  #summarize(entry: Entry, now: number): CacheEntrySummary {
    const { request } = entry;
    const summary: CacheEntrySummary = {
      operation: request.operation,
      tableArn: request.tableArn,
      expiration: new Date(entry.expiresAtMs),
      remainingSeconds: wholeSecondsLeft(entry.expiresAtMs, now),
      fetchedAt: new Date(entry.fetchedAtMs),
      hits: entry.hits,
      lastRequestedAt: new Date(entry.lastRequestedAtMs),
      refreshing: this.#inflight.has(entry.key),
    };
    if (entry.label !== undefined) summary.label = entry.label;
    if (request.partitionValues !== undefined) summary.partitionValues = [...request.partitionValues];
    if (request.permissions !== undefined) {
      summary.permissions = [...new Set(request.permissions)].sort();
    }
    const queryId = request.querySessionContext?.queryId;
    if (queryId !== undefined) summary.queryId = queryId;
    if (entry.lastRefreshAtMs !== undefined) summary.lastRefreshAt = new Date(entry.lastRefreshAtMs);
    if (entry.lastRefreshOutcome !== undefined) summary.lastRefreshOutcome = entry.lastRefreshOutcome;
    return summary;
  }

  #reportCount(): void {
    const count = this.#entries.size;
    if (count === this.#reportedCount) return;
    this.#reportedCount = count;
    this.#emit('onEntryCountChange', count);
  }

  #emitLookup(result: LookupResult): void {
    this.#emit('onLookup', result);
  }

  #emitRefresh(outcome: 'success' | 'failure' | 'dropped'): void {
    this.#emit('onRefresh', outcome);
  }

  #emit<K extends keyof CacheHooks>(name: K, arg: Parameters<NonNullable<CacheHooks[K]>>[0]): void {
    const hook = this.#hooks[name] as ((value: typeof arg) => void) | undefined;
    if (!hook) return;
    try {
      hook.call(this.#hooks, arg);
    } catch {
      // Hooks feed metrics and logs; their failure must not fail a credential request.
    }
  }
}

function resolveOptions(options: CredentialCacheOptions): Readonly<CacheTuning> {
  if (typeof options !== 'object' || options === null) {
    throw new LfcsError('InvalidConfiguration', 'Invalid CredentialCache options: expected an options object with vend');
  }
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) problems.push(`unknown option "${key}"`);
  }
  if (typeof options.vend !== 'function') {
    problems.push(`vend must be a function (request, signal) => Promise<Lease>, got ${describe(options.vend)}`);
  }
  const { clock } = options;
  if (
    clock !== undefined &&
    (typeof clock !== 'object' ||
      clock === null ||
      typeof clock.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function')
  ) {
    problems.push('clock must implement now(), setTimeout() and clearTimeout()');
  }
  if (options.random !== undefined && typeof options.random !== 'function') {
    problems.push(`random must be a function returning a number in [0, 1), got ${describe(options.random)}`);
  }
  const { hooks } = options;
  if (hooks !== undefined) {
    if (typeof hooks !== 'object' || hooks === null) {
      problems.push(`hooks must be an object, got ${describe(hooks)}`);
    } else {
      for (const [name, value] of Object.entries(hooks)) {
        if (!(HOOK_NAMES as readonly string[]).includes(name)) {
          problems.push(`unknown hook "${name}" (known: ${HOOK_NAMES.join(', ')})`);
        } else if (value !== undefined && typeof value !== 'function') {
          problems.push(`hooks.${name} must be a function, got ${describe(value)}`);
        }
      }
    }
  }
  const given = definedOnly(options) as Record<string, unknown>;
  const tuning = { ...CACHE_DEFAULTS } as Record<keyof CacheTuning, unknown>;
  for (const key of CACHE_TUNING_KEYS) {
    if (key in given) tuning[key] = given[key];
  }
  problems.push(...cacheTuningProblems(tuning));
  if (problems.length > 0) {
    throw new LfcsError('InvalidConfiguration', `Invalid CredentialCache options: ${problems.join('; ')}`);
  }
  return Object.freeze(tuning as CacheTuning);
}

function shuttingDown(): LfcsError {
  return new LfcsError('ShuttingDown', 'The sidecar is shutting down', { retryable: true, retryAfterSeconds: 1 });
}

function wholeSecondsLeft(expiresAtMs: number, now: number): number {
  return Math.max(0, Math.floor((expiresAtMs - now) / 1000));
}

/** A private, read-only copy: callers (and the HTTP layer) cannot alter what later requests get. */
function freezeLease(lease: Lease): Lease {
  const copy: Lease = {
    accessKeyId: lease.accessKeyId,
    secretAccessKey: lease.secretAccessKey,
    sessionToken: lease.sessionToken,
    expiration: new Date(lease.expiration.getTime()),
  };
  if (lease.vendedS3Path !== undefined) copy.vendedS3Path = Object.freeze([...lease.vendedS3Path]) as string[];
  return Object.freeze(copy);
}

/**
 * Every failure becomes an `LfcsError`. Anything else thrown by `vend` is
 * replaced by a generic retryable `UpstreamUnavailable`: its message or
 * properties could hold request signatures or response bodies, so neither
 * is kept (not even as `cause`). Only a plain identifier-like `name` survives.
 */
function toLfcsError(err: unknown): LfcsError {
  if (err instanceof LfcsError) return err;
  const name = err instanceof Error && /^[A-Za-z_$][\w$]{0,63}$/.test(err.name) ? err.name : 'UnknownError';
  return new UpstreamError('UpstreamUnavailable', 'The Lake Formation call failed unexpectedly', {
    upstreamName: name,
    retryable: true,
  });
}

/**
 * Copy of a retryable error with `retryAfterSeconds` set (kept if already
 * set). A copy, so an error object the vend function may reuse is not changed.
 */
function withRetryAfter(err: LfcsError, seconds: number): LfcsError {
  if (err.retryAfterSeconds !== undefined) return err;
  let copy: LfcsError;
  if (err instanceof UpstreamError) {
    copy = new UpstreamError(err.code as UpstreamErrorCode, err.message, {
      upstreamName: err.upstreamName,
      upstreamStatus: err.upstreamStatus,
      retryable: err.retryable,
    });
    // UpstreamError's constructor takes no retryAfterSeconds; the field is a plain own property.
    Object.defineProperty(copy, 'retryAfterSeconds', { value: seconds, enumerable: true });
  } else {
    copy = new LfcsError(err.code, err.message, { retryable: err.retryable, retryAfterSeconds: seconds });
  }
  return copy;
}
