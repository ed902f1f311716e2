/** The cache's public types and the schema of its constructor options. */
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import type { Entry } from './entry.js';
import type { Upstream } from '../upstream/caller.js';
import { cacheSettingsShape, type CacheSettings } from './settings.js';

/**
 * How a `get` was answered:
 * - `hit`: cached lease, more than `minServeSeconds` left;
 * - `miss`: waited for Lake Formation (this request started the call, or was
 *   the first to wait on a background refresh already running);
 * - `coalesced`: waited on a call another request had started;
 * - `stale`: Lake Formation failed (or is backing off after a failure), old lease served;
 * - `negative`: a remembered permanent error was rethrown without a call;
 * - `backoff`: nothing servable while the key backs off after a failed fetch:
 *   the last (retryable) error was rethrown without a call.
 * A `get` that throws reports `miss`, `coalesced`, `negative` or `backoff`.
 */
export type LookupResult = 'hit' | 'miss' | 'stale' | 'coalesced' | 'negative' | 'backoff';

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
   * (Lake Formation failed after all attempts), `dropped` (the entry left the
   * cache before the refresh finished, or the limiter refused it so no call
   * was made; the result, if any, is discarded).
   */
  onRefresh?(outcome: 'success' | 'failure' | 'dropped'): void;
  /** The number of cached leases changed (negative-cache entries are not counted). */
  onEntryCountChange?(count: number): void;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', { error: what });
const isClock = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  ['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function');

const isUpstream = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).fetch === 'function';

/**
 * The constructor's options: the dependencies, plus every `cache.*` setting
 * (each optional, defaults in `cache/settings.ts`). The upstream comes built,
 * with its retry and limiter settings. Unknown keys are rejected.
 */
export const optionsSchema = z.strictObject({
  upstream: z.custom<Upstream>(isUpstream, { error: 'an object with fetch(request, { signal, priority }) => Promise<Lease>' }),
  clock: z.custom<Clock>(isClock, { error: 'an object with now(), setTimeout() and clearTimeout()' }).optional(),
  random: fn('a function returning a number in [0, 1)').optional(),
  hooks: z
    .strictObject({
      onLookup: fn('a function').optional(),
      onRefresh: fn('a function').optional(),
      onEntryCountChange: fn('a function').optional(),
    })
    .optional(),
  /**
   * Keys (from `prepareRequest`) kept apart from the LRU: never evicted by
   * other entries and renewed even when idle. The sidecar pins its profiles.
   */
  pinnedKeys: z.array(z.string()).optional(),
  ...cacheSettingsShape,
});

export type Settings = CacheSettings;

/** Options of {@link CredentialCache}. */
export type CredentialCacheOptions = z.input<typeof optionsSchema> & { upstream: Upstream; clock?: Clock; hooks?: CacheHooks };

/** What {@link CredentialCache.get} returns. */
export interface ServedCredentials {
  lease: Lease;
  result: LookupResult;
  /** Whole seconds the lease has left when served (rounded down). */
  remainingSeconds: number;
}

/**
 * `hooks` with every hook wrapped so that an exception it throws is
 * swallowed: hooks feed metrics and logs, whose failure must never fail a
 * credential request.
 */
export function safeHooks(hooks: CacheHooks = {}): Required<CacheHooks> {
  const wrap =
    <A>(hook: ((arg: A) => void) | undefined) =>
    (arg: A) => {
      try {
        hook?.call(hooks, arg);
      } catch {
        // ignored: see above
      }
    };
  return {
    onLookup: wrap(hooks.onLookup),
    onRefresh: wrap(hooks.onRefresh),
    onEntryCountChange: wrap(hooks.onEntryCountChange),
  };
}

/** One de-duplicated fetch (with its retries) for a key. */
export interface Flight {
  readonly key: string;
  readonly request: CredentialRequest;
  /** Started by the refresh schedule rather than by a client. */
  readonly background: boolean;
  /** The entry a background refresh renews. */
  readonly entry: Entry | undefined;
  /** Cancels everything, a running call included (close, eviction). */
  readonly controller: AbortController;
  /** Aborted when the last client of a foreground fetch leaves: nothing new starts for it. */
  readonly unwanted: AbortController;
  readonly promise: Promise<Lease>;
  readonly resolve: (lease: Lease) => void;
  readonly reject: (err: unknown) => void;
  /** Clients waiting: the first is reported `miss`, the others `coalesced`. */
  waiters: number;
  label: string | undefined;
  /**
   * The limiter's fairness key of the client that started the fetch: a
   * flight several callers share waits in its first caller's turn. A
   * background refresh has none (refreshes yield to every client anyway).
   */
  fairnessKey: string | undefined;
}

/** Per-request options of `CredentialCache.get`. */
export interface GetOptions {
  /** Profile name shown in the listing. */
  label?: string;
  /** Aborts when the client went away: it stops waiting, and a fetch nobody waits for is dropped. */
  signal?: AbortSignal;
  /**
   * For a client that keeps the lease for a fixed time whatever its
   * `Expiration`: a cached lease is served (as `hit` or `stale`) only with
   * more than this many seconds left; otherwise the request waits for a fresh
   * lease, which is served whatever Lake Formation granted. Default 0 (the
   * cache's own thresholds alone).
   */
  minRemainingSeconds?: number;
  /**
   * Who asks, opaque (agent mode: the pod): a fetch this request starts waits
   * for Lake Formation's quota in this caller's turn (`upstream/limiter.ts`).
   * A request that joins a fetch already under way waits in its starter's
   * turn. Default: the one queue of calls without a key (sidecar mode).
   */
  fairnessKey?: string;
}
