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
import { backoffDelayMs, clampUnit } from '../core/backoff.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LfcsError, isPermanentUpstreamError, shuttingDownError, withRetryAfter } from '../core/errors.js';
import { parseSettings } from '../core/settings.js';
import type { CredentialRequest, Lease, VendFunction } from '../lakeformation/types.js';
import { UpstreamCaller } from '../upstream/caller.js';
import { UPSTREAM_RELATIONS } from '../upstream/settings.js';
import { cacheKey, type PreparedRequest } from './cache-key.js';
import { recordFailure, storeLease, wholeSecondsLeft, type Entry } from './entry.js';
import { CACHE_RELATIONS } from './settings.js';
import { summarize, type CacheEntrySummary } from './summary.js';
import {
  optionsSchema,
  safeHooks,
  type CacheHooks,
  type CredentialCacheOptions,
  type Flight,
  type GetOptions,
  type LookupResult,
  type ServedCredentials,
  type Settings,
} from './types.js';

/** A key whose last fetch failed retryably: no new flight for it before `retryAtMs`. */
interface Outage {
  failures: number;
  retryAtMs: number;
  /** What clients are told meanwhile (the last failure, with `Retry-After`). */
  error: LfcsError;
}

/**
 * Refresh-ahead LRU cache of Lake Formation leases. See the module comment
 * for the serving rules and `cache/settings.ts` for every setting.
 */
export class CredentialCache {
  readonly #settings: Readonly<Settings>;
  readonly #clock: Clock;
  readonly #randomSource: () => number;
  readonly #hooks: Required<CacheHooks>;
  readonly #upstream: UpstreamCaller;
  /** Dynamic entries: least recently requested evicted beyond `maxEntries`. */
  readonly #entries: LRUCache<string, Entry>;
  /** Entries of `pinnedKeys` (the profiles): their own store, never evicted by dynamic ones. */
  readonly #pinned: LRUCache<string, Entry>;
  readonly #pinnedKeys: ReadonlySet<string>;
  readonly #negative: LRUCache<string, LfcsError>;
  /** Keys whose last fetch failed (retryably), until one succeeds: the per-key backoff, lease or not. */
  readonly #outages: LRUCache<string, Outage>;
  readonly #inflight = new Map<string, Flight>();
  /** Every client waiting on a flight: close() ends each wait (and its deadline timer) at once. */
  readonly #waits = new Set<(err: LfcsError) => void>();
  #reportedCount = 0;
  #closed = false;

  /** Checks every option at once and throws `LfcsError('InvalidConfiguration')` naming each bad field. */
  constructor(options: CredentialCacheOptions) {
    const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
    const { vend, clock, random, hooks, pinnedKeys, ...settings } = parseSettings(optionsSchema, defined, 'CredentialCache options', [
      ...CACHE_RELATIONS,
      ...UPSTREAM_RELATIONS,
    ]);
    this.#settings = Object.freeze(settings);
    this.#clock = clock ?? systemClock;
    this.#randomSource = (random as (() => number) | undefined) ?? Math.random;
    this.#hooks = safeHooks(hooks as CacheHooks | undefined);
    // lru-cache reads time through `perf`; ttlResolution 0 stops it from caching
    // "now" behind a real setTimeout, so the injected clock is the only time source.
    const time = { max: settings.maxEntries, perf: { now: () => this.#clock.now() }, ttlResolution: 0 };
    this.#entries = new LRUCache<string, Entry>({ ...time, dispose: (entry) => this.#retire(entry) });
    this.#pinnedKeys = new Set(pinnedKeys ?? []);
    this.#pinned = new LRUCache<string, Entry>({
      ...time,
      max: Math.max(1, this.#pinnedKeys.size),
      dispose: (entry) => this.#retire(entry),
    });
    this.#negative = new LRUCache<string, LfcsError>({ ...time, ttl: settings.negativeTtlSeconds * 1000 });
    this.#outages = new LRUCache<string, Outage>({ max: settings.maxEntries });
    this.#upstream = new UpstreamCaller({
      vend: vend as VendFunction,
      settings,
      clock: this.#clock,
      random: () => this.#random(),
      onAttempt: this.#hooks.onUpstreamCall,
    });
  }

  /** Lake Formation calls running and waiting in the limiter now. */
  get upstreamLoad(): { active: number; queued: number } {
    return this.#upstream.load;
  }

  /** Number of cached leases (entries whose expiry timer has not fired yet included). */
  get size(): number {
    return this.#entries.size + this.#pinned.size;
  }

  /** Whether `key` has a lease that has not expired (without touching its recency). */
  hasLive(key: string): boolean {
    return !this.#closed && this.#peekLive(key) !== undefined;
  }

  /**
   * Credentials for `request`, from the cache when they have enough lifetime
   * left, otherwise from Lake Formation (one call per key however many
   * requests wait). Rejects with the `UpstreamError` when nothing valid can be
   * served (retryable ones carry `retryAfterSeconds`), with the remembered
   * error for a negatively cached request, and with `ShuttingDown` after {@link close}.
   */
  get(request: CredentialRequest, options: GetOptions = {}): Promise<ServedCredentials> {
    return this.#lookup(cacheKey(request), request, options);
  }

  /** {@link get} for a request whose key was computed once ({@link prepareRequest}), e.g. a profile. */
  getPrepared(prepared: PreparedRequest, options: GetOptions = {}): Promise<ServedCredentials> {
    return this.#lookup(prepared.key, prepared.request, options);
  }

  /**
   * The hit path without a promise, for the listener's fast path: the cached
   * lease when it would be served as `hit`, else `undefined` and nothing is
   * counted (the caller then takes the full path, {@link getPrepared}).
   */
  serveIfFresh(prepared: PreparedRequest, label?: string): ServedCredentials | undefined {
    if (this.#closed || this.#negative.has(prepared.key)) return undefined;
    const now = this.#clock.now();
    const entry = this.#touch(prepared.key, now);
    return entry ? this.#freshHit(entry, label, now) : undefined;
  }

  /** Serves `entry` as a `hit` if it has more than `minServeSeconds` left; records the request either way. */
  #freshHit(entry: Entry, label: string | undefined, now: number): ServedCredentials | undefined {
    entry.lastRequestedAtMs = now;
    if (label !== undefined) entry.label = label;
    if (entry.expiresAtMs - now <= entry.thresholds.minServeSeconds * 1000) return undefined;
    // An idle entry skipped its refresh; its client is back, so renew now.
    if (now >= entry.refreshAtMs && !this.#inflight.has(entry.key)) this.#startRefresh(entry);
    return this.#serve(entry, 'hit', now);
  }

  async #lookup(key: string, request: CredentialRequest, options: GetOptions): Promise<ServedCredentials> {
    const { label, signal } = options;
    if (this.#closed) throw shuttingDownError();
    const remembered = this.#negative.get(key);
    if (remembered) {
      this.#hooks.onLookup('negative');
      throw remembered;
    }

    const now = this.#clock.now();
    const entry = this.#touch(key, now);
    if (entry) {
      const hit = this.#freshHit(entry, label, now);
      if (hit) return hit;
      if (
        entry.consecutiveFailures > 0 &&
        now < entry.refreshAtMs &&
        !this.#inflight.has(key) &&
        entry.expiresAtMs - now > entry.thresholds.hardMinimumSeconds * 1000
      ) {
        // The last fetch for this key failed moments ago and its backoff has
        // not passed: calling again for every client request would turn an
        // outage into a storm against Lake Formation's quota.
        return this.#serve(entry, 'stale', now);
      }
    }

    const outage = this.#outages.get(key);
    if (outage && now < outage.retryAtMs && !this.#inflight.has(key)) {
      // Nothing servable and the last fetch failed moments ago: however many
      // clients poll, the key costs one Lake Formation attempt per backoff
      // period. They get the last error (retryable, 503-type) at once.
      this.#hooks.onLookup('backoff');
      throw withRetryAfter(outage.error, Math.max(1, Math.ceil((outage.retryAtMs - now) / 1000)));
    }

    const flight = this.#inflight.get(key) ?? this.#startFlight(key, structuredClone(request), undefined);
    const result: LookupResult = flight.waiters === 0 ? 'miss' : 'coalesced';
    flight.waiters += 1;
    if (flight.label === undefined) flight.label = label;
    try {
      const lease = await this.#await(flight, signal);
      this.#hooks.onLookup(result);
      return { lease, result, remainingSeconds: wholeSecondsLeft(lease.expiration.getTime(), this.#clock.now()) };
    } catch (err) {
      const fallback = this.#closed ? undefined : this.#peekLive(key);
      const nowAfter = this.#clock.now();
      if (
        fallback &&
        !isPermanentUpstreamError(err) &&
        fallback.expiresAtMs - nowAfter > fallback.thresholds.hardMinimumSeconds * 1000
      ) {
        // Still-valid credentials beat an error while Lake Formation is failing.
        return this.#serve(fallback, 'stale', nowAfter);
      }
      this.#hooks.onLookup(result);
      throw err;
    }
  }

  /**
   * The flight's lease for one waiter, who leaves when `signal` aborts (its
   * client went away) or after `missDeadlineMs`. When the last waiter of a
   * foreground fetch leaves while it is queued or between retries, the fetch
   * is dropped before it reaches Lake Formation; an attempt already running
   * may finish and fill the cache. Background refreshes are never dropped here.
   */
  #await(flight: Flight, signal: AbortSignal | undefined): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        this.#clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waits.delete(end);
        return true;
      };
      const end = (err: LfcsError): void => {
        if (settle()) reject(err);
      };
      this.#waits.add(end);
      const leave = (err: LfcsError): void => {
        if (!settle()) return;
        reject(err);
        this.#leave(flight);
      };
      const onAbort = (): void => leave(new LfcsError('InvalidRequest', 'the client went away before the lease arrived'));
      const timer = this.#clock.setTimeout(
        () =>
          leave(
            new LfcsError('UpstreamTimeout', `no lease from Lake Formation within ${this.#settings.missDeadlineMs} ms; try again`, {
              retryable: true,
              retryAfterSeconds: this.#settings.retryAfterSeconds,
            }),
          ),
        this.#settings.missDeadlineMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (lease) => settle() && resolve(lease),
        (err: unknown) => settle() && reject(err),
      );
      if (signal?.aborted) onAbort();
    });
  }

  #leave(flight: Flight): void {
    flight.waiters -= 1;
    if (flight.waiters > 0 || flight.background || flight.running || this.#inflight.get(flight.key) !== flight) return;
    // Nobody wants this fetch any more: a queued call never reaches Lake
    // Formation and no retry follows. A later request starts afresh.
    this.#inflight.delete(flight.key);
    flight.controller.abort(new LfcsError('InvalidRequest', 'every client waiting for this lease went away'));
  }

  /**
   * Summaries of the cached leases, most recently requested first, at most
   * `limit` of them (default all). Never holds key material. The walk stops
   * at `limit`, so a bounded listing costs the same however large the cache.
   */
  entries(limit = Number.POSITIVE_INFINITY): CacheEntrySummary[] {
    const now = this.#clock.now();
    const listed: CacheEntrySummary[] = [];
    if (this.#closed) return listed;
    for (const store of [this.#pinned, this.#entries]) {
      for (const entry of store.values()) {
        if (listed.length >= limit) return listed;
        if (now < entry.expiresAtMs) listed.push(summarize(entry, now, this.#inflight.has(entry.key)));
      }
    }
    return listed;
  }

  /**
   * Stops the cache: cancels every timer and queued upstream call, aborts
   * running ones (through the `signal` given to `vend`), rejects pending and
   * later `get`s with `ShuttingDown` and drops every entry. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = shuttingDownError();
    const flights = [...this.#inflight.values()];
    this.#inflight.clear();
    for (const flight of flights) {
      flight.controller.abort(reason);
      flight.reject(reason);
    }
    for (const end of [...this.#waits]) end(reason);
    this.#upstream.close(reason);
    this.#entries.clear(); // dispose → #retire clears each entry's timer
    this.#pinned.clear();
    this.#negative.clear();
    this.#outages.clear();
    this.#reportCount();
  }

  // ---- entries -------------------------------------------------------------

  #storeFor(key: string): LRUCache<string, Entry> {
    return this.#pinnedKeys.has(key) ? this.#pinned : this.#entries;
  }

  /** The live entry for `key`, marked most recently used; an expired one is removed. */
  #touch(key: string, now: number): Entry | undefined {
    const store = this.#storeFor(key);
    const entry = store.get(key);
    if (entry && now >= entry.expiresAtMs) store.delete(key);
    this.#reportCount(); // lru-cache may also have dropped an expired entry inside get()
    return entry && now < entry.expiresAtMs ? entry : undefined;
  }

  /** The live entry for `key` without touching recency. */
  #peekLive(key: string): Entry | undefined {
    const entry = this.#storeFor(key).peek(key);
    return entry && this.#clock.now() < entry.expiresAtMs ? entry : undefined;
  }

  #serve(entry: Entry, result: 'hit' | 'stale', now: number): ServedCredentials {
    entry.hits += 1;
    this.#hooks.onLookup(result);
    return { lease: entry.lease, result, remainingSeconds: wholeSecondsLeft(entry.expiresAtMs, now) };
  }

  /** Stores a fresh lease for the flight's key, creating or renewing the entry. */
  #store(flight: Flight, received: Lease): Entry {
    const now = this.#clock.now();
    const existing = this.#peekLive(flight.key);
    const entry = storeLease(
      existing,
      { key: flight.key, request: flight.request, received, now, random: this.#random() },
      this.#settings,
    );
    if (existing && (!flight.background || flight.waiters > 0)) entry.lastRequestedAtMs = now;
    if (flight.label !== undefined) entry.label = flight.label;
    // lru-cache's own ttl guarantees an expired lease is never returned even
    // if the expiry timer below has not fired yet (e.g. a clock that jumped).
    this.#storeFor(flight.key).set(flight.key, entry, { ttl: Math.max(1, Math.ceil(entry.expiresAtMs - now)) });
    this.#schedule(entry);
    this.#reportCount();
    return entry;
  }

  /** Cleans up an entry that left the cache (evicted, expired, deleted or cleared). */
  #retire(entry: Entry): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    const flight = this.#inflight.get(entry.key);
    if (flight?.background && flight.waiters === 0 && flight.entry === entry) {
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
    if (this.#closed || this.#storeFor(entry.key).peek(entry.key, { allowStale: true }) !== entry) return;
    const now = this.#clock.now();
    if (now >= entry.expiresAtMs) {
      this.#storeFor(entry.key).delete(entry.key);
      this.#reportCount();
    } else if (now < entry.refreshAtMs || this.#inflight.has(entry.key)) {
      this.#schedule(entry);
    } else if (!this.#pinnedKeys.has(entry.key) && now - entry.lastRequestedAtMs > this.#settings.idleSeconds * 1000) {
      // Nobody asked for this lease lately: spend no quota renewing it.
      entry.refreshSuspended = true;
      this.#schedule(entry);
    } else {
      this.#startRefresh(entry);
    }
  }

  #startRefresh(entry: Entry): void {
    entry.refreshSuspended = false;
    this.#startFlight(entry.key, entry.request, entry);
    this.#schedule(entry); // now waits for expiry; the flight's end re-arms it
  }

  // ---- upstream ------------------------------------------------------------

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
      running: false,
    };
    this.#inflight.set(key, flight);
    void this.#runFlight(flight);
    return flight;
  }

  async #runFlight(flight: Flight): Promise<void> {
    try {
      const received = await this.#upstream.fetch(flight.request, {
        signal: flight.controller.signal,
        // A client waits on it (from the start, or it joined a queued refresh): go first.
        urgent: () => !flight.background || flight.waiters > 0,
        onStart: () => {
          flight.attempts += 1;
          flight.running = true;
        },
        onSettled: () => (flight.running = false),
        // A foreground fetch whose clients all left makes no further attempt.
        wanted: () => flight.background || flight.waiters > 0,
        // After a failure the backoff between flights is the retry: one attempt each.
        ...(this.#outages.has(flight.key) && { maxAttempts: 1 }),
      });
      this.#endFlight(flight);
      if (!this.#closed) flight.resolve(this.#afterSuccess(flight, received));
    } catch (err) {
      this.#endFlight(flight);
      // After close() the waiters were rejected already.
      if (!this.#closed) flight.reject(this.#afterFailure(flight, err as LfcsError));
    }
  }

  #endFlight(flight: Flight): void {
    if (this.#inflight.get(flight.key) === flight) this.#inflight.delete(flight.key);
  }

  #afterSuccess(flight: Flight, received: Lease): Lease {
    this.#outages.delete(flight.key);
    if (flight.background && flight.waiters === 0 && this.#peekLive(flight.key) !== flight.entry) {
      // The entry left the cache while the call ran; re-adding it would evict a wanted one.
      this.#hooks.onRefresh('dropped');
      return received;
    }
    const entry = this.#store(flight, received);
    if (flight.background) this.#hooks.onRefresh('success');
    return entry.lease;
  }

  /** Records a failed fetch and returns the error its waiters receive. */
  #afterFailure(flight: Flight, err: LfcsError): LfcsError {
    if (flight.controller.signal.aborted) {
      // Dropped because its entry left the cache, or (foreground) because every client left.
      if (flight.background) this.#hooks.onRefresh('dropped');
      return err;
    }
    if (isPermanentUpstreamError(err)) {
      // The grant is missing or was revoked: stop serving the old lease and
      // answer repeats from memory for a while.
      this.#outages.delete(flight.key);
      this.#negative.set(flight.key, err);
      if (this.#storeFor(flight.key).delete(flight.key)) this.#reportCount();
      if (flight.background) this.#hooks.onRefresh('failure');
      return err;
    }
    const entry = this.#peekLive(flight.key);
    const now = this.#clock.now();
    const failures = Math.max(this.#outages.get(flight.key)?.failures ?? 0, entry?.consecutiveFailures ?? 0) + 1;
    const shown = err.retryable ? withRetryAfter(err, this.#settings.retryAfterSeconds) : err;
    // Equal jitter (half the cap, plus up to the other half): a backoff period
    // always lasts long enough to hold the key to one attempt, yet keys that
    // failed together still spread out.
    const capMs = backoffDelayMs(failures, {
      baseDelayMs: this.#settings.refreshRetryBaseDelayMs,
      maxDelayMs: this.#settings.refreshRetryMaxDelayMs,
      random: () => 1,
    });
    const backoffMs = Math.floor(capMs / 2 + (this.#random() * capMs) / 2);
    if (flight.attempts > 0 && err.retryable) {
      this.#outages.set(flight.key, { failures, retryAtMs: now + backoffMs, error: shown });
    }
    if (entry) {
      entry.consecutiveFailures = failures - 1;
      recordFailure(entry, err.code, now, backoffMs);
      this.#schedule(entry);
    }
    if (flight.background) this.#hooks.onRefresh(flight.attempts === 0 ? 'dropped' : 'failure');
    return shown;
  }

  // ---- helpers -------------------------------------------------------------

  /** A bad random source must not schedule refreshes outside the window. */
  #random(): number {
    return clampUnit(this.#randomSource());
  }

  #reportCount(): void {
    const count = this.size;
    if (count === this.#reportedCount) return;
    this.#reportedCount = count;
    this.#hooks.onEntryCountChange(count);
  }
}
