/**
 * One cached lease and its bookkeeping, and the arithmetic of storing a fresh
 * lease in it. The serving policy that reads these fields is in
 * `credential-cache.ts`.
 */
import type { ErrorCode } from '../core/errors.js';
import { compactLease, containerAccountId } from '../lakeformation/container-body.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import type { Scheduled } from './schedule.js';
import { effectiveThresholds, type ThresholdSettings } from './settings.js';

/** A flat record: the lease, the two serving bounds it was received with, and the bookkeeping. */
export interface Entry extends Scheduled {
  readonly key: string;
  /** Snapshot of the request that created the entry; refreshes send it again. */
  readonly request: CredentialRequest;
  label: string | undefined;
  lease: Lease;
  expiresAtMs: number;
  fetchedAtMs: number;
  /** Served as `hit` only with more than this left (`minServeSeconds`, scaled to the lease's lifetime). */
  minServeMs: number;
  /** Served as `stale` (upstream failing) only with more than this left (`hardMinimumSeconds`, scaled). */
  hardMinimumMs: number;
  /** Earliest time the next refresh may start (jittered, or pushed back by a failure). */
  refreshAtMs: number;
  /** The refresh time passed while the entry was idle; it now only waits for expiry. */
  refreshSuspended: boolean;
  lastRefreshAtMs: number | undefined;
  lastRefreshOutcome: 'success' | ErrorCode | undefined;
  /** Requests answered from this entry's lease without waiting for a fresh one (`hit` and `stale`). */
  hits: number;
  lastRequestedAtMs: number;
}

/**
 * Puts a freshly received lease into `entry` (a new one when `entry` is
 * undefined) and returns it: thresholds for its lifetime, the jittered
 * refresh time, failures cleared. `random` is in [0, 1].
 */
export function storeLease(
  entry: Entry | undefined,
  init: { key: string; request: CredentialRequest; received: Lease; now: number; random: number },
  settings: ThresholdSettings,
): Entry {
  const { now } = init;
  // A private, read-only copy (callers and the HTTP layer cannot alter what
  // later requests get) that holds its secrets once, in its container answer.
  const lease = compactLease(init.received, containerAccountId(init.request));
  const expiresAtMs = lease.expiration.getTime();
  const thresholds = effectiveThresholds((expiresAtMs - now) / 1000, settings);
  const target: Entry = entry ?? {
    key: init.key,
    request: init.request,
    label: undefined,
    lease,
    expiresAtMs,
    fetchedAtMs: now,
    minServeMs: 0,
    hardMinimumMs: 0,
    refreshAtMs: 0,
    refreshSuspended: false,
    lastRefreshAtMs: undefined,
    lastRefreshOutcome: undefined,
    hits: 0,
    lastRequestedAtMs: now,
    wakeAtMs: 0,
    heapIndex: -1,
  };
  if (entry) {
    target.lastRefreshAtMs = now;
    target.lastRefreshOutcome = 'success';
  }
  target.lease = lease;
  target.expiresAtMs = expiresAtMs;
  target.fetchedAtMs = now;
  target.minServeMs = thresholds.minServeSeconds * 1000;
  target.hardMinimumMs = thresholds.hardMinimumSeconds * 1000;
  // Jitter only delays the start within the refresh window: the refresh
  // still begins before minServe because jitter < refreshBefore - minServe.
  target.refreshAtMs = expiresAtMs - thresholds.refreshBeforeSeconds * 1000 + init.random * thresholds.refreshJitterSeconds * 1000;
  target.refreshSuspended = false;
  return target;
}

/** Whole seconds left, rounded down, never negative. */
export function wholeSecondsLeft(expiresAtMs: number, now: number): number {
  return Math.max(0, Math.floor((expiresAtMs - now) / 1000));
}

/** Records a failed fetch on `entry`: the next try waits until `retryAtMs` (the key's backoff, `failures.ts`). */
export function recordFailure(entry: Entry, code: ErrorCode, now: number, retryAtMs: number): void {
  entry.lastRefreshAtMs = now;
  entry.lastRefreshOutcome = code;
  entry.refreshAtMs = retryAtMs;
  entry.refreshSuspended = false;
}
