/**
 * The cache key: one string per distinct Lake Formation request.
 *
 * Two requests share a cache entry exactly when Lake Formation would answer
 * them with interchangeable credentials. So every field that reaches the API
 * is part of the key, in a canonical form:
 *
 * - `permissions` and `supportedPermissionTypes` are sets to Lake Formation:
 *   sorted, duplicates removed. An absent list and an empty list are the same
 *   key, because both mean "no filter" to the API.
 * - `partitionValues` keep their order (it is the partition-key order) and
 *   duplicates (two keys may hold the same value). Absent and `[]` differ: the
 *   partition operation requires the list, so `[]` is a different (invalid)
 *   request, not "no partition".
 * - Every `querySessionContext` field is kept, so different query sessions
 *   never share credentials; `queryStartTime` as epoch milliseconds;
 *   `additionalContext` sorted by key. An empty context (no field set, or an
 *   empty `additionalContext`) is the same key as no context.
 * - `auditContext` is kept: the audit trail in CloudTrail must name the right
 *   context, so requests with different audit strings do not share a lease.
 * - `s3Path` and `durationSeconds` are kept as given. An absent
 *   `durationSeconds` is not folded into Lake Formation's default, since that
 *   default is the service's to change.
 *
 * - Data-location requests (`GetTemporaryDataLocationCredentials`): the
 *   `dataLocations` are a set of locations, so they are canonical in the
 *   key: trailing `/` removed, sorted, duplicates removed (`data-location.ts`).
 *   An absent `credentialsScope` is kept apart from `READ`: the service's
 *   default is the service's to change.
 *
 * The key is the JSON text of a fixed-position array, so field values that
 * contain separators, quotes or look like other fields cannot collide.
 */
import { deepFreeze } from '../core/objects.js';
import { canonicalDataLocations } from '../lakeformation/data-location.js';
import type { CredentialRequest, QuerySessionContext } from '../lakeformation/types.js';

/** Version tag, so a future change of layout can never match an old key. */
const KEY_VERSION = 'lfcs-key-1';

/**
 * Canonical, unambiguous cache key of `request` (see the module comment for
 * which differences matter). The key holds query ids and table ARNs but never
 * key material; it is only used in memory and never logged by the cache.
 */
export function cacheKey(request: CredentialRequest): string {
  if (request.operation === 'GetTemporaryDataLocationCredentials') {
    return JSON.stringify([
      KEY_VERSION,
      request.operation,
      canonicalDataLocations(request.dataLocations),
      request.credentialsScope ?? null,
      request.durationSeconds ?? null,
      request.auditContext?.additionalAuditContext ?? null,
    ]);
  }
  return JSON.stringify([
    KEY_VERSION,
    request.operation,
    request.tableArn,
    request.partitionValues === undefined ? null : [...request.partitionValues],
    sortedSet(request.permissions),
    sortedSet(request.supportedPermissionTypes),
    request.s3Path ?? null,
    request.durationSeconds ?? null,
    canonicalSession(request.querySessionContext),
    request.auditContext?.additionalAuditContext ?? null,
  ]);
}

/** Sorted by UTF-16 code units (locale-independent), duplicates removed. */
function sortedSet(values: readonly string[] | undefined): string[] {
  return [...new Set(values ?? [])].sort(compareCodeUnits);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalSession(context: QuerySessionContext | undefined): unknown[] | null {
  if (context === undefined) return null;
  const additional = Object.entries(context.additionalContext ?? {}).sort(([a], [b]) => compareCodeUnits(a, b));
  const fields = [
    context.queryId ?? null,
    canonicalTime(context.queryStartTime),
    context.clusterId ?? null,
    context.queryAuthorizationId ?? null,
    additional,
  ];
  const empty = fields.slice(0, 4).every((f) => f === null) && additional.length === 0;
  return empty ? null : fields;
}

/** Epoch ms; an invalid Date becomes a string so it cannot equal any real time or "absent". */
function canonicalTime(time: Date | undefined): number | string | null {
  if (time === undefined) return null;
  const ms = time.getTime();
  return Number.isNaN(ms) ? 'invalid-date' : ms;
}

/** A request with its cache key computed once, for requests served many times (profiles). */
export interface PreparedRequest {
  readonly request: Readonly<CredentialRequest>;
  readonly key: string;
}

/** Freezes a private copy of `request` with its key, so neither can drift apart. */
export function prepareRequest(request: CredentialRequest): PreparedRequest {
  const copy = snapshotRequest(request);
  return Object.freeze({ request: copy, key: cacheKey(copy) });
}

/**
 * A private, deeply frozen copy of `request`: what an entry keeps to send
 * again on refresh. Its permission lists are shared, frozen arrays: a node
 * agent holds 100k entries that ask for a handful of distinct lists, and a
 * copy of `["SELECT"]` per entry cost about 200 bytes of each. Lists keep
 * their order (the request is sent as the caller wrote it).
 */
export function snapshotRequest(request: CredentialRequest): CredentialRequest {
  const copy = structuredClone(request);
  if (copy.operation !== 'GetTemporaryDataLocationCredentials') {
    if (copy.permissions !== undefined) copy.permissions = sharedList(copy.permissions);
    if (copy.supportedPermissionTypes !== undefined) copy.supportedPermissionTypes = sharedList(copy.supportedPermissionTypes);
  }
  return deepFreeze(copy);
}

/** Distinct lists shared at most: beyond it a list keeps its own copy (no unbounded growth from callers' input). */
const MAX_SHARED_LISTS = 256;
const sharedLists = new Map<string, readonly string[]>();

function sharedList<T extends string>(list: T[]): T[] {
  const id = JSON.stringify(list);
  const shared = sharedLists.get(id);
  if (shared !== undefined) return shared as T[];
  if (sharedLists.size >= MAX_SHARED_LISTS) return list;
  const frozen = Object.freeze([...list]) as T[];
  sharedLists.set(id, frozen);
  return frozen;
}
