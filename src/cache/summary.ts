/** The key-material-free view of a cached lease that `GET /v1/cache` and `lfcs status` show. */
import type { ErrorCode } from '../core/errors.js';
import type { CredentialsScope, Operation, Permission } from '../lakeformation/types.js';
import { missingDataLocations } from '../lakeformation/data-location.js';
import { wholeSecondsLeft, type Entry } from './entry.js';
import { isLive } from './store.js';

/** One cached lease as listed by `GET /v1/cache`. Holds no key material. */
export interface CacheEntrySummary {
  label?: string;
  operation: Operation;
  /** Table and partition operations. */
  tableArn?: string;
  /** Data-location operation: the locations asked for (canonical). */
  dataLocations?: string[];
  /** Data-location operation: the locations Lake Formation granted (`AccessibleDataLocations`). */
  accessibleDataLocations?: string[];
  /** Data-location operation: the requested locations the current lease does not cover. */
  missingDataLocations?: string[];
  credentialsScope?: CredentialsScope;
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

export function summarize(entry: Entry, now: number, refreshing: boolean): CacheEntrySummary {
  const { request } = entry;
  const summary: CacheEntrySummary = {
    operation: request.operation,
    expiration: new Date(entry.expiresAtMs),
    remainingSeconds: wholeSecondsLeft(entry.expiresAtMs, now),
    fetchedAt: new Date(entry.fetchedAtMs),
    hits: entry.hits,
    lastRequestedAt: new Date(entry.lastRequestedAtMs),
    refreshing,
  };
  if (entry.label !== undefined) summary.label = entry.label;
  if (request.operation === 'GetTemporaryDataLocationCredentials') {
    const accessible = entry.lease.accessibleDataLocations ?? [];
    summary.dataLocations = [...request.dataLocations];
    summary.accessibleDataLocations = [...accessible];
    summary.missingDataLocations = missingDataLocations(request.dataLocations, accessible);
    const scope = entry.lease.credentialsScope ?? request.credentialsScope;
    if (scope !== undefined) summary.credentialsScope = scope;
    return withRefresh(summary, entry);
  }
  summary.tableArn = request.tableArn;
  if (request.partitionValues !== undefined) summary.partitionValues = [...request.partitionValues];
  if (request.permissions !== undefined) summary.permissions = [...new Set(request.permissions)].sort();
  const queryId = request.querySessionContext?.queryId;
  if (queryId !== undefined) summary.queryId = queryId;
  return withRefresh(summary, entry);
}

function withRefresh(summary: CacheEntrySummary, entry: Entry): CacheEntrySummary {
  if (entry.lastRefreshAtMs !== undefined) summary.lastRefreshAt = new Date(entry.lastRefreshAtMs);
  if (entry.lastRefreshOutcome !== undefined) summary.lastRefreshOutcome = entry.lastRefreshOutcome;
  return summary;
}

/**
 * Summaries of the live entries of `entries`, in their order, at most
 * `limit`: the walk stops there, so a bounded listing costs the same however
 * large the cache.
 */
export function summarizeLive(
  entries: Iterable<Entry>,
  now: number,
  limit: number,
  refreshing: (key: string) => boolean,
): CacheEntrySummary[] {
  const listed: CacheEntrySummary[] = [];
  for (const entry of entries) {
    if (listed.length >= limit) break;
    if (isLive(entry, now)) listed.push(summarize(entry, now, refreshing(entry.key)));
  }
  return listed;
}
