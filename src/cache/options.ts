/**
 * The cache's tuning knobs: defaults (with the reason for each), the strict
 * checks run once at construction, and how the lifetime thresholds shrink
 * for short leases.
 */
import { LIMITER_DEFAULTS, limiterOptionProblems } from '../upstream/limiter.js';
import { describe, isNonNegativeInteger, isPositiveInteger } from '../core/validation.js';

/** Every numeric setting of the credential cache. All are optional in `CredentialCacheOptions`. */
export interface CacheTuning {
  /**
   * Most leases kept; the least recently requested is evicted beyond it.
   * Default 10000 (a lease is well under 4 KiB, so tens of MiB at most).
   */
  maxEntries: number;
  /**
   * A background refresh starts once a lease has less than this left.
   * Default 1800: on 1-hour leases, refresh at 30 min left, which leaves
   * 14 min of background retries before `minServeSeconds` is reached.
   * Shrinks for short leases (see {@link effectiveThresholds}).
   */
  refreshBeforeExpirySeconds: number;
  /**
   * A cached lease is served (`hit`) only while it has more than this left;
   * below it the request waits for a fresh one. Default 960: botocore and
   * Java refresh at 15 min left, so anything served with less makes them
   * call the sidecar on nearly every API call; 1 min of margin on top.
   * Must be below `refreshBeforeExpirySeconds`.
   */
  minServeSeconds: number;
  /**
   * When Lake Formation fails, an old lease is still served (`stale`) while it
   * has more than this left. Default 60: valid credentials beat an error, but
   * a lease with under a minute left could expire in the middle of use (Java
   * v2 treats it as stale at 1 min). Must be below `minServeSeconds`.
   */
  hardMinimumSeconds: number;
  /**
   * Each refresh starts at a random point up to this many seconds after the
   * lease enters the refresh window, so entries created in the same second
   * do not all refresh in the same second. Default 120 (2 min: 1200 calls at
   * the default rate). Must be below `refreshBeforeExpirySeconds -
   * minServeSeconds`, so a jittered refresh still starts before leases stop
   * being served. 0 disables jitter.
   */
  refreshJitterSeconds: number;
  /**
   * Only entries requested within this many seconds are refreshed in the
   * background; idle ones are left to expire (no upstream call is spent on a
   * client that went away). Default 3600: botocore re-fetches a 1-hour lease
   * about every 45 min, so an active client always counts as recent.
   */
  idleSeconds: number;
  /**
   * A permanent error (AccessDenied, EntityNotFound, InvalidInput,
   * PermissionTypeMismatch) is remembered this long and rethrown without an
   * upstream call. Default 30: a client retrying a revoked grant costs no
   * quota, and a new grant is picked up within 30 s.
   */
  negativeTtlSeconds: number;
  /**
   * Upstream attempts per fetch, retries of retryable errors included.
   * Default 3, as in the AWS SDKs' standard retry mode; more would outlast
   * the 1-2 s timeout of the waiting client.
   */
  maxAttempts: number;
  /** Cap of the first retry's delay (full jitter, doubling per retry). Default 100 ms. */
  retryBaseDelayMs: number;
  /** Largest retry delay cap. Default 1000 ms: clients time out after 1-2 s. */
  retryMaxDelayMs: number;
  /**
   * After a failed refresh, the next try waits up to this much (full jitter,
   * doubling per consecutive failure). Default 10000 ms: during an outage each
   * entry costs a few calls per minute, not a stream of them.
   */
  refreshRetryBaseDelayMs: number;
  /**
   * Largest wait between refresh tries. Default 120000 ms: after Lake
   * Formation recovers, every entry is fresh again within about 2 min.
   */
  refreshRetryMaxDelayMs: number;
  /** Upstream calls in flight at once. Default 4 (see `UpstreamLimiterOptions`). */
  maxConcurrency: number;
  /** Sustained upstream call starts per second. Default 10 (see `UpstreamLimiterOptions`). */
  ratePerSecond: number;
  /** Upstream calls that may start at once after a quiet period. Default 20. */
  burst: number;
  /** Upstream calls allowed to wait for the limiter. Default 1000 (see `UpstreamLimiterOptions`). */
  maxQueuedCalls: number;
  /**
   * `retryAfterSeconds` put on retryable errors the cache throws (sent as
   * `Retry-After`). Default 1: botocore and JS retry 1 s apart anyway, so
   * clients that honour the header stay in step with those that do not.
   */
  retryAfterSeconds: number;
}

/** Default of every {@link CacheTuning} setting. */
export const CACHE_DEFAULTS: Readonly<CacheTuning> = Object.freeze({
  maxEntries: 10_000,
  refreshBeforeExpirySeconds: 1800,
  minServeSeconds: 960,
  hardMinimumSeconds: 60,
  refreshJitterSeconds: 120,
  idleSeconds: 3600,
  negativeTtlSeconds: 30,
  maxAttempts: 3,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 1000,
  refreshRetryBaseDelayMs: 10_000,
  refreshRetryMaxDelayMs: 120_000,
  maxConcurrency: LIMITER_DEFAULTS.maxConcurrency,
  ratePerSecond: LIMITER_DEFAULTS.ratePerSecond,
  burst: LIMITER_DEFAULTS.burst,
  maxQueuedCalls: LIMITER_DEFAULTS.maxQueuedCalls,
  retryAfterSeconds: 1,
});

/** Names of all tuning settings, for unknown-option checks. */
export const CACHE_TUNING_KEYS = Object.freeze(Object.keys(CACHE_DEFAULTS)) as readonly (keyof CacheTuning)[];

const POSITIVE_INTEGER_SETTINGS = [
  'maxEntries',
  'refreshBeforeExpirySeconds',
  'minServeSeconds',
  'hardMinimumSeconds',
  'idleSeconds',
  'negativeTtlSeconds',
  'maxAttempts',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'refreshRetryBaseDelayMs',
  'refreshRetryMaxDelayMs',
  'retryAfterSeconds',
] as const satisfies readonly (keyof CacheTuning)[];

/**
 * Every problem with a complete set of tuning values, one message each,
 * naming the field and what it accepts (empty when valid). The configuration
 * loader can call this to report cache problems together with its own.
 */
export function cacheTuningProblems(tuning: Record<keyof CacheTuning, unknown>): string[] {
  const problems: string[] = [];
  for (const name of POSITIVE_INTEGER_SETTINGS) {
    if (!isPositiveInteger(tuning[name])) {
      problems.push(`${name} must be a positive integer, got ${describe(tuning[name])}`);
    }
  }
  if (!isNonNegativeInteger(tuning.refreshJitterSeconds)) {
    problems.push(`refreshJitterSeconds must be a non-negative integer, got ${describe(tuning.refreshJitterSeconds)}`);
  }
  problems.push(...limiterOptionProblems(tuning));

  // Relations are checked whenever both sides are valid, so one message lists everything.
  const ordered = (smaller: keyof CacheTuning, larger: keyof CacheTuning, strict: boolean, why = ''): void => {
    const a = tuning[smaller];
    const b = tuning[larger];
    if (!isNonNegativeInteger(a) || !isPositiveInteger(b)) return;
    if (strict ? a < b : a <= b) return;
    problems.push(`${smaller} (${a}) must be ${strict ? 'less than' : 'at most'} ${larger} (${b})${why}`);
  };
  ordered(
    'minServeSeconds',
    'refreshBeforeExpirySeconds',
    true,
    ', or leases would stop being served before their background refresh starts',
  );
  ordered('hardMinimumSeconds', 'minServeSeconds', true);
  ordered('retryBaseDelayMs', 'retryMaxDelayMs', false);
  ordered('refreshRetryBaseDelayMs', 'refreshRetryMaxDelayMs', false);
  const { refreshJitterSeconds: jitter, refreshBeforeExpirySeconds: before, minServeSeconds: minServe } = tuning;
  if (
    isNonNegativeInteger(jitter) &&
    isPositiveInteger(before) &&
    isPositiveInteger(minServe) &&
    minServe < before &&
    jitter >= before - minServe
  ) {
    problems.push(
      `refreshJitterSeconds (${jitter}) must be less than refreshBeforeExpirySeconds - minServeSeconds ` +
        `(${before - minServe}), so every refresh starts while the lease is still served`,
    );
  }
  return problems;
}

/** The lifetime thresholds that apply to one lease. */
export interface EffectiveThresholds {
  /** Background refresh starts below this many seconds left. */
  refreshBeforeSeconds: number;
  /** Served as `hit` only above this many seconds left. */
  minServeSeconds: number;
  /** Served as `stale` (upstream failing) only above this many seconds left. */
  hardMinimumSeconds: number;
  /** Random delay added to the refresh start, up to this many seconds. */
  refreshJitterSeconds: number;
  /** Factor applied to the configured values: 1 for long leases, < 1 for short ones. */
  scale: number;
}

/** The settings {@link effectiveThresholds} reads. */
export type ThresholdSettings = Pick<
  CacheTuning,
  'refreshBeforeExpirySeconds' | 'minServeSeconds' | 'hardMinimumSeconds' | 'refreshJitterSeconds'
>;

/**
 * Thresholds for a lease of `lifetimeSeconds` (expiration minus the time it
 * was received). A refresh must never be due at birth, so when
 * `refreshBeforeExpirySeconds` exceeds half the lifetime, all four values are
 * scaled down by the same factor to make it exactly half; their order and
 * ratios stay as configured (`hardMinimum < minServe < refreshBefore`).
 *
 * With the defaults: 3600 s and 43200 s leases use 1800 / 960 / 60 (jitter
 * 120) unchanged; a 900 s lease uses 450 / 240 / 15 (jitter 30). A lease
 * shorter than about 2 × 960 s is then served with under 15 min left, which
 * makes botocore and Java call the sidecar on nearly every API call: the
 * start-up check should warn about such `durationSeconds`.
 *
 * Values may be fractional. Settings not given take {@link CACHE_DEFAULTS}.
 */
export function effectiveThresholds(
  lifetimeSeconds: number,
  settings: Partial<ThresholdSettings> = {},
): EffectiveThresholds {
  if (typeof lifetimeSeconds !== 'number' || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new RangeError(`lifetimeSeconds must be a positive finite number, got ${describe(lifetimeSeconds)}`);
  }
  const refreshBefore = settings.refreshBeforeExpirySeconds ?? CACHE_DEFAULTS.refreshBeforeExpirySeconds;
  const scale = Math.min(1, lifetimeSeconds / 2 / refreshBefore);
  return {
    refreshBeforeSeconds: refreshBefore * scale,
    minServeSeconds: (settings.minServeSeconds ?? CACHE_DEFAULTS.minServeSeconds) * scale,
    hardMinimumSeconds: (settings.hardMinimumSeconds ?? CACHE_DEFAULTS.hardMinimumSeconds) * scale,
    refreshJitterSeconds: (settings.refreshJitterSeconds ?? CACHE_DEFAULTS.refreshJitterSeconds) * scale,
    scale,
  };
}
