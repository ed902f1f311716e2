/**
 * The cache's knobs (`cache.*` in the configuration): the one definition of
 * each, with its default, range and reason, the rules between them, and how
 * the lifetime thresholds shrink for short leases.
 *
 * With the defaults, on a 1-hour lease: refresh in the background from 30 min
 * left (+ up to 2 min jitter), serve as `hit` down to 16 min left, then wait
 * for a fresh lease, and while Lake Formation fails serve the old one as
 * `stale` down to 1 min left.
 */
import type { z } from 'zod';
import { integer, section, type Relation } from '../core/settings.js';
import { DURATION_SECONDS_MAX } from '../lakeformation/fields.js';
import { MAX_ENTRIES } from './max-entries.js';

export const cacheSettingsShape = {
  maxEntries: integer(MAX_ENTRIES.min, MAX_ENTRIES.max)
    .default(MAX_ENTRIES.default)
    .describe('Cached leases kept; the least recently requested is evicted beyond it.'),
  refreshBeforeExpirySeconds: integer(60, DURATION_SECONDS_MAX)
    .default(1800)
    .describe(
      'Start a background refresh once a lease has less than this left: on 1 h leases at 30 min, leaving 14 min of retries before minServeSeconds. Scaled down for leases shorter than twice this.',
    ),
  minServeSeconds: integer(1, DURATION_SECONDS_MAX)
    .default(960)
    .describe(
      'While Lake Formation is healthy, never serve a lease with less than this left: botocore and Java re-fetch on nearly every call from 15 min left.',
    ),
  hardMinimumSeconds: integer(1, DURATION_SECONDS_MAX)
    .default(60)
    .describe('While Lake Formation fails, serve an old lease (stale) only above this much left; Java v2 treats 1 min left as expired.'),
  refreshJitterSeconds: integer(0, 3600)
    .default(120)
    .describe('Each refresh starts up to this many s late, so leases vended together are not renewed in the same second. 0 disables.'),
  idleSeconds: integer(60, 604_800)
    .default(3600)
    .describe('Only leases requested within this long are refreshed in the background; no quota is spent on clients that left.'),
  negativeTtlSeconds: integer(1, 3600)
    .default(30)
    .describe(
      'Remember a permanent refusal (AccessDenied, EntityNotFound, ...) this long: a client retrying a revoked grant costs no quota.',
    ),
  refreshRetryBaseDelayMs: integer(1, 3_600_000)
    .default(10_000)
    .describe(
      'After a failed fetch, wait half to all of this before the next try of that key (doubling per failure), lease or not: an outage costs one Lake Formation call per key per wait, however many clients poll.',
    ),
  refreshRetryMaxDelayMs: integer(1, 3_600_000)
    .default(120_000)
    .describe('Largest wait between tries of a failing key: after an outage every lease is fresh again within about this long.'),
  missDeadlineMs: integer(100, 3_600_000)
    .default(5000)
    .describe(
      'Longest a request waits for Lake Formation (first fetch or below minServeSeconds) before a retryable 504, or the old lease if still servable: SDK clients give up after 1-5 s. Background refreshes keep their own budget.',
    ),
  retryAfterSeconds: integer(1, 3600)
    .default(1)
    .describe('Retry-After sent with retryable errors; botocore and JS retry 1 s apart anyway.'),
};

/** `cache.*`. */
export const cacheSettingsSchema = section(cacheSettingsShape);
export type CacheSettings = z.output<typeof cacheSettingsSchema>;

/** Rules between `cache.*` fields. */
export const CACHE_RELATIONS: readonly Relation[] = [
  { lower: ['hardMinimumSeconds'], upper: 'minServeSeconds', strict: true },
  {
    lower: ['minServeSeconds', 'refreshJitterSeconds'],
    upper: 'refreshBeforeExpirySeconds',
    strict: true,
    why: 'so every (jittered) refresh starts while the lease is still served',
  },
  { lower: ['refreshRetryBaseDelayMs'], upper: 'refreshRetryMaxDelayMs', strict: false },
];

/** Every default of `cache.*`. */
export const CACHE_DEFAULTS: Readonly<CacheSettings> = Object.freeze(cacheSettingsSchema.parse({}));

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
  CacheSettings,
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
 * start-up check warns about such `durationSeconds`.
 *
 * Values may be fractional. Settings not given take {@link CACHE_DEFAULTS}.
 */
export function effectiveThresholds(lifetimeSeconds: number, settings: Partial<ThresholdSettings> = {}): EffectiveThresholds {
  if (typeof lifetimeSeconds !== 'number' || !Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
    throw new RangeError(`lifetimeSeconds must be a positive finite number, got ${String(lifetimeSeconds)}`);
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
