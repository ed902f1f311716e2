/**
 * The credential cache's serving policy: one lease per distinct Lake Formation request,
 * kept fresh in the background so that clients only see comfortably long lifetimes. It
 * steers the leases (`store.ts`), the fetches and their waiters (`flights.ts`), the
 * wake-ups (`schedule.ts`) and the failure records (`failures.ts`); the upstream comes
 * built, with its retries and limiter. Why each threshold: docs/design.md.
 *
 * Lifecycle of an entry, by time left on a 1-hour lease with the defaults:
 *
 *   3600 s ... 1800 s   `hit`; at 1800 s (+ 0-120 s jitter) a background refresh starts
 *   1800 s ...  960 s   `hit` on the old lease until the refresh lands
 *    960 s ...   60 s   the request waits for a fresh lease; `stale` if Lake Formation fails
 *     60 s ...    0 s   error (503-type, with Retry-After) if Lake Formation fails
 *
 * - Never an expired lease. A request may ask for more life left
 *   (`minRemainingSeconds`): a lease with less is neither `hit` nor `stale`
 *   for it; it waits for a fresh one, served whatever Lake Formation granted.
 * - Entries requested within `idleSeconds` are refreshed; idle ones leave at expiry.
 * - After a failed fetch the key backs off: requests get the old lease as
 *   `stale`, or the last error, at once instead of each calling Lake Formation.
 * - A permanent error (grant missing or revoked) evicts the entry and is
 *   remembered for `negativeTtlSeconds`. Nothing here logs: see {@link CacheHooks}.
 */
import { clampUnit } from '../core/backoff.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LfcsError, isPermanentUpstreamError, shuttingDownError, withRetryAfter } from '../core/errors.js';
import { parseSettings } from '../core/settings.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import { isDroppedFetch, refusedBeforeAnyCall, type Upstream } from '../upstream/caller.js';
import { cacheKey, type PreparedRequest, snapshotRequest } from './cache-key.js';
import { recordFailure, storeLease, wholeSecondsLeft, type Entry } from './entry.js';
import { FailureRecords } from './failures.js';
import { Flights } from './flights.js';
import { Schedule } from './schedule.js';
import { CACHE_RELATIONS } from './settings.js';
import { isLive, LeaseStore } from './store.js';
import { summarize, summarizeLive, type CacheEntrySummary } from './summary.js';
import { optionsSchema, safeHooks, type CacheHooks, type CredentialCacheOptions, type Flight, type GetOptions } from './types.js';
import type { LookupResult, ServedCredentials, Settings } from './types.js';

/** Refresh-ahead LRU cache of Lake Formation leases: see the module comment, and `cache/settings.ts` for every setting. */
export class CredentialCache {
  readonly #settings: Readonly<Settings>;
  readonly #clock: Clock;
  /** A bad random source must not schedule refreshes outside the window. */
  readonly #random: () => number;
  readonly #hooks: Required<CacheHooks>;
  readonly #upstream: Upstream;
  readonly #store: LeaseStore;
  readonly #failures: FailureRecords;
  readonly #flights: Flights;
  readonly #schedule: Schedule<Entry>;
  #closed = false;

  /** Checks every option at once; throws `LfcsError('InvalidConfiguration')` naming each bad field. */
  constructor(options: CredentialCacheOptions) {
    const defined = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
    const parsed = parseSettings(optionsSchema, defined, 'CredentialCache options', CACHE_RELATIONS);
    const { upstream, clock, random, hooks, pinnedKeys, ...settings } = parsed;
    this.#settings = Object.freeze(settings);
    this.#clock = clock ?? systemClock;
    const randomSource = (random as (() => number) | undefined) ?? Math.random;
    this.#random = () => clampUnit(randomSource());
    this.#hooks = safeHooks(hooks as CacheHooks | undefined);
    this.#upstream = upstream;
    const onCountChange = (count: number): void => this.#hooks.onEntryCountChange(count);
    const onRetire = (entry: Entry): void => this.#retire(entry);
    this.#store = new LeaseStore({ maxEntries: settings.maxEntries, pinnedKeys: pinnedKeys ?? [], onRetire, onCountChange });
    this.#failures = new FailureRecords(settings, this.#clock);
    this.#flights = new Flights({ clock: this.#clock, ...settings });
    this.#schedule = new Schedule(this.#clock, (entry) => this.#wake(entry));
  }

  /** Number of cached leases (expired ones not yet removed included). */
  get size(): number {
    return this.#store.size;
  }

  /** The summary of `key`'s live lease, without touching its recency; `undefined` when it has none. */
  peek(key: string): CacheEntrySummary | undefined {
    const now = this.#clock.now();
    const entry = this.#closed ? undefined : this.#store.peek(key, now);
    return entry && summarize(entry, now, this.#flights.has(key));
  }

  /**
   * Credentials for `request`: cached when they have enough lifetime left,
   * otherwise from Lake Formation (one call per key however many requests
   * wait). Rejects with the `UpstreamError` when nothing valid can be served
   * (retryable ones carry `retryAfterSeconds`), with the remembered error of a
   * refused request, and with `ShuttingDown` after {@link close}.
   */
  get(request: CredentialRequest, options: GetOptions = {}): Promise<ServedCredentials> {
    // The request is the caller's: a fetch keeps a frozen copy of it, taken only on a miss.
    return this.#lookup(cacheKey(request), () => snapshotRequest(request), options);
  }

  /** {@link get} for a request whose key was computed once ({@link prepareRequest}), e.g. a profile. */
  getPrepared(prepared: PreparedRequest, options: GetOptions = {}): Promise<ServedCredentials> {
    return this.#lookup(prepared.key, () => prepared.request, options);
  }

  /** The fast path's hit without a promise: `undefined` (nothing counted) when it would not be a `hit`. */
  serveIfFresh(prepared: PreparedRequest, label?: string): ServedCredentials | undefined {
    if (this.#closed || this.#failures.refusal(prepared.key)) return undefined;
    const now = this.#clock.now();
    const entry = this.#store.touch(prepared.key, now);
    return entry ? this.#freshHit(entry, label, now) : undefined;
  }

  /** Serves `entry` as a `hit` with more than `minServeSeconds` (and the request's `floorMs`) left; records the request either way. */
  #freshHit(entry: Entry, label: string | undefined, now: number, floorMs = 0): ServedCredentials | undefined {
    entry.lastRequestedAtMs = now;
    if (label !== undefined) entry.label = label;
    if (!isLive(entry, now, Math.max(entry.minServeMs, floorMs))) return undefined;
    // An idle entry skipped its refresh; its client is back, so renew now.
    if (now >= entry.refreshAtMs && !this.#flights.has(entry.key)) this.#startRefresh(entry);
    return this.#serve(entry, 'hit', now);
  }

  async #lookup(key: string, snapshot: () => CredentialRequest, options: GetOptions): Promise<ServedCredentials> {
    if (this.#closed) throw shuttingDownError();
    const refusal = this.#failures.refusal(key);
    if (refusal) {
      this.#hooks.onLookup('negative');
      throw refusal;
    }
    const floorMs = (options.minRemainingSeconds ?? 0) * 1000;
    const now = this.#clock.now();
    const entry = this.#store.touch(key, now);
    const hit = entry && this.#freshHit(entry, options.label, now, floorMs);
    if (hit) return hit;
    // The key failed moments ago and its backoff has not passed: calling again
    // for every client request would turn an outage into a storm against Lake
    // Formation's quota. The old lease if it is servable, else the last error.
    const failure = this.#flights.has(key) ? undefined : this.#failures.backingOff(key, now);
    if (failure && entry && this.#servableStale(entry, now, floorMs)) return this.#serve(entry, 'stale', now);
    if (failure?.error) {
      this.#hooks.onLookup('backoff');
      throw withRetryAfter(failure.error, Math.max(1, Math.ceil((failure.retryAtMs - now) / 1000)));
    }

    const joined = this.#flights.get(key);
    // A fetch several callers share waits in its first caller's turn at the limiter.
    const flight = joined ?? this.#flights.create(key, snapshot(), undefined, options.fairnessKey);
    const result: LookupResult = flight.waiters === 0 ? 'miss' : 'coalesced';
    flight.waiters += 1;
    flight.label ??= options.label;
    if (!joined) void this.#run(flight);
    try {
      const lease = await this.#flights.wait(flight, options.signal);
      this.#hooks.onLookup(result);
      return { lease, result, remainingSeconds: wholeSecondsLeft(lease.expiration.getTime(), this.#clock.now()) };
    } catch (err) {
      const nowAfter = this.#clock.now();
      const fallback = this.#closed ? undefined : this.#store.peek(key, nowAfter);
      // Still-valid credentials beat an error while Lake Formation is failing.
      if (fallback && !isPermanentUpstreamError(err) && this.#servableStale(fallback, nowAfter, floorMs)) {
        return this.#serve(fallback, 'stale', nowAfter);
      }
      this.#hooks.onLookup(result);
      throw err;
    }
  }

  /** Summaries of the live leases (no key material), pinned first, then most recently requested; at most `limit`. */
  entries(limit = Number.POSITIVE_INFINITY): CacheEntrySummary[] {
    if (this.#closed) return [];
    return summarizeLive(this.#store.values(), this.#clock.now(), limit, (key) => this.#flights.has(key));
  }

  /** Stops: cancels every wake-up and fetch, rejects pending and later `get`s with `ShuttingDown`, drops every entry. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#flights.close(shuttingDownError());
    this.#store.clear(); // each entry's retirement cancels its wake-up
    this.#failures.clear();
  }

  /** While Lake Formation fails, an old lease is served only above `hardMinimumSeconds` (and the request's floor) left. */
  #servableStale(entry: Entry, now: number, floorMs: number): boolean {
    return isLive(entry, now, Math.max(entry.hardMinimumMs, floorMs));
  }

  #serve(entry: Entry, result: 'hit' | 'stale', now: number): ServedCredentials {
    entry.hits += 1;
    this.#hooks.onLookup(result);
    return { lease: entry.lease, result, remainingSeconds: wholeSecondsLeft(entry.expiresAtMs, now) };
  }

  /** Arms the entry's single wake-up: its refresh time, or its expiry when no refresh is due. */
  #arm(entry: Entry): void {
    if (this.#closed) return;
    const waitForExpiry = entry.refreshSuspended || this.#flights.has(entry.key);
    this.#schedule.arm(entry, waitForExpiry ? entry.expiresAtMs : Math.min(entry.refreshAtMs, entry.expiresAtMs));
  }

  #wake(entry: Entry): void {
    if (this.#closed || !this.#store.holds(entry)) return;
    const now = this.#clock.now();
    if (!isLive(entry, now)) {
      this.#store.delete(entry.key);
    } else if (now < entry.refreshAtMs || this.#flights.has(entry.key)) {
      this.#arm(entry);
    } else if (!this.#store.isPinned(entry.key) && now - entry.lastRequestedAtMs > this.#settings.idleSeconds * 1000) {
      // Nobody asked for this lease lately: spend no quota renewing it.
      entry.refreshSuspended = true;
      this.#arm(entry);
    } else {
      this.#startRefresh(entry);
    }
  }

  #startRefresh(entry: Entry): void {
    entry.refreshSuspended = false;
    void this.#run(this.#flights.create(entry.key, entry.request, entry));
    this.#arm(entry); // now waits for expiry; the flight's end re-arms it
  }

  /** Cleans up an entry that left the cache (evicted, expired, deleted, replaced or cleared). */
  #retire(entry: Entry): void {
    this.#schedule.cancel(entry);
    const flight = this.#flights.get(entry.key);
    if (flight?.background && flight.waiters === 0 && flight.entry === entry) {
      // Nobody will use this refresh any more: queued, it never reaches Lake
      // Formation; running, its result is discarded.
      this.#flights.cancel(flight, new LfcsError('CacheEvicted', 'The cache entry left the cache before its refresh finished'));
    }
  }

  async #run(flight: Flight): Promise<void> {
    try {
      const received = await this.#upstream.fetch(flight.request, {
        signal: flight.controller.signal,
        // A client waits on it (from the start, or it joined a queued refresh): go first.
        priority: () => (!flight.background || flight.waiters > 0 ? 'client' : 'background'),
        unwanted: flight.unwanted.signal,
        retry: !this.#failures.singleAttempt(flight.key),
        fairnessKey: flight.fairnessKey,
      });
      this.#flights.end(flight);
      if (!this.#closed) flight.resolve(this.#afterSuccess(flight, received));
    } catch (err) {
      this.#flights.end(flight);
      // After close() the waiters were rejected already.
      if (!this.#closed) flight.reject(this.#afterFailure(flight, err as LfcsError));
    }
  }

  #afterSuccess(flight: Flight, received: Lease): Lease {
    this.#failures.succeeded(flight.key);
    const now = this.#clock.now();
    const existing = this.#store.peek(flight.key, now);
    if (flight.background && flight.waiters === 0 && existing !== flight.entry) {
      // The entry left the cache while the call ran; re-adding it would evict a wanted one.
      this.#hooks.onRefresh('dropped');
      return received;
    }
    const init = { key: flight.key, request: flight.request, received, now, random: this.#random() };
    const entry = storeLease(existing, init, this.#settings);
    if (existing && (!flight.background || flight.waiters > 0)) entry.lastRequestedAtMs = now;
    if (flight.label !== undefined) entry.label = flight.label;
    this.#store.set(entry);
    this.#arm(entry);
    if (flight.background) this.#hooks.onRefresh('success');
    return entry.lease;
  }

  /** Records a failed fetch and returns the error its waiters receive. */
  #afterFailure(flight: Flight, err: LfcsError): LfcsError {
    const refreshDone = (outcome: 'failure' | 'dropped'): void => void (flight.background && this.#hooks.onRefresh(outcome));
    // Dropped because its entry left the cache, or (foreground) because every client left.
    if (flight.controller.signal.aborted || isDroppedFetch(err)) {
      refreshDone('dropped');
      return err;
    }
    if (isPermanentUpstreamError(err)) {
      // The grant is missing or was revoked: stop serving the old lease and
      // answer repeats from memory for a while.
      this.#failures.refused(flight.key, err);
      this.#store.delete(flight.key);
      refreshDone('failure');
      return err;
    }
    const now = this.#clock.now();
    const asked = !refusedBeforeAnyCall(err);
    const failure = this.#failures.failed(flight.key, err, asked, now, this.#random);
    const entry = this.#store.peek(flight.key, now);
    if (entry) {
      recordFailure(entry, err.code, now, failure.retryAtMs);
      this.#arm(entry);
    }
    refreshDone(asked ? 'failure' : 'dropped');
    return this.#failures.shown(err);
  }
}
