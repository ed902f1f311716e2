/**
 * The credentials listener's handlers, one per route of the route table:
 * the ECS-style container-credentials routes, the native table, partition
 * and location API, and the cache listing. Each reads its target, has it
 * authorized, gets the lease from the cache and answers.
 */
import type { ServerResponse } from 'node:http';
import { LfcsError, truncate } from '../core/errors.js';
import { containerAccountId } from '../lakeformation/container-body.js';
import { fairShareKey, type Admission } from './admission.js';
import { authorizeTarget } from './authorization.js';
import type { Target } from '../identity/caller-auth.js';
import { containerBody, formatExpiration } from './container-body.js';
import type { CredentialsAppDeps, Served } from './credentials-app.js';
import { answerJson } from './listener.js';
import { parseDataLocationBody, parseDynamicQuery, parsePartitionBody, parseTableBody } from './request-parsing.js';

/** What a handler reads of a request: its path parameters, query and parsed body. */
export interface RouteInput {
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: unknown;
  readonly body: unknown;
}

export type CredentialsHandler = (a: Admission, deps: CredentialsAppDeps, input: RouteInput) => void | Promise<void>;

/**
 * `GET /v1/cache` lists this many entries unless `?limit=` asks for fewer or
 * more, and never more than `CACHE_LISTING_MAX`: about 7 µs of event loop per
 * entry, so a full listing stays a few milliseconds however large the cache.
 */
export const CACHE_LISTING_DEFAULT = 100;
export const CACHE_LISTING_MAX = 1000;
/** Listings answered per second (burst the same): at most about 30 ms of event loop per second. */
export const CACHE_LISTINGS_PER_SECOND = 4;

/** What a 403 for a disabled dynamic request suggests instead. */
const USE_PROFILES = 'use /v1/credentials/{profile}, or ';

/**
 * `GET /v1/credentials/{profile}`: a fresh cached lease is answered at once
 * (the hit path, no promise), anything else through the cache's full path.
 * Authorized first: in agent mode a pod must not learn which profile names exist.
 */
export const serveProfile: CredentialsHandler = (a, deps, input) => {
  const name = String(input.params['profile']);
  const target = authorizeTarget(a, deps, { profile: name });
  const profile = deps.profiles.resolve(name);
  if (!profile) throw new LfcsError('ProfileNotFound', `no profile named "${truncate(name)}" is configured`);
  const hit = deps.cache.serveIfFresh(profile.prepared, name);
  if (hit !== undefined) return answerContainer(a, deps, hit, profile.accountId, target);
  return deps.cache
    .getPrepared(profile.prepared, { label: name, signal: clientGone(a.res), fairnessKey: upstreamTurn(a) })
    .then((served) => answerContainer(a, deps, served, profile.accountId, target));
};

/** `GET /v1/credentials?table=...` or `?location=...`: a request the caller writes, in the container shape. */
export const serveDynamic: CredentialsHandler = async (a, deps, input) => {
  const request = parseDynamicQuery(input.query as Record<string, unknown>, deps.defaults);
  const target = authorizeTarget(a, deps, { request }, USE_PROFILES);
  const served = await deps.cache.get(request, { signal: clientGone(a.res), fairnessKey: upstreamTurn(a) });
  answerContainer(a, deps, served, containerAccountId(request), target);
};

/** `POST /v1/table-credentials` and `/v1/partition-credentials`: the two differ only in how the body is read. */
export function serveNative(kind: 'table' | 'partition'): CredentialsHandler {
  const parse = kind === 'table' ? parseTableBody : parsePartitionBody;
  return async (a, deps, input) => {
    const request = parse(input.body, deps.defaults);
    const target = authorizeTarget(a, deps, { request }, USE_PROFILES);
    const served = await deps.cache.get(request, { signal: clientGone(a.res), fairnessKey: upstreamTurn(a) });
    const { lease } = served;
    answerServed(a, deps, served, target, {
      AccessKeyId: lease.accessKeyId,
      SecretAccessKey: lease.secretAccessKey,
      SessionToken: lease.sessionToken,
      Expiration: formatExpiration(lease.expiration),
      ...(lease.vendedS3Path !== undefined && { VendedS3Path: lease.vendedS3Path }),
    });
  };
}

/**
 * `POST /v1/data-location-credentials`, in the API's own answer shape.
 * `AccessibleDataLocations` is the lease's, as Lake Formation sent it: never
 * the requested list, so the answer never claims a location that was not granted.
 */
export const serveDataLocation: CredentialsHandler = async (a, deps, input) => {
  const request = parseDataLocationBody(input.body, deps.defaults);
  const target = authorizeTarget(a, deps, { request }, USE_PROFILES);
  const served = await deps.cache.get(request, { signal: clientGone(a.res), fairnessKey: upstreamTurn(a) });
  const { lease } = served;
  answerServed(a, deps, served, target, {
    Credentials: {
      AccessKeyId: lease.accessKeyId,
      SecretAccessKey: lease.secretAccessKey,
      SessionToken: lease.sessionToken,
      Expiration: formatExpiration(lease.expiration),
    },
    AccessibleDataLocations: [...(lease.accessibleDataLocations ?? [])],
    ...(lease.credentialsScope !== undefined && { CredentialsScope: lease.credentialsScope }),
  });
};

/** `GET /v1/cache`: it names every cached table, partition and query id, so only the one token holder sees it. */
export const serveCacheListing: CredentialsHandler = (a, deps, input) => {
  if (!deps.auth.listsCache) {
    // It names every pod's tables and partitions: no single pod may see it.
    throw new LfcsError('RouteNotFound', 'the cache listing is not served in agent mode; see lfcs_cache_entries on the admin port');
  }
  const limit = parseListingLimit(input.query as Record<string, unknown>);
  if (!deps.listingRateLimiter.tryTake()) {
    throw new LfcsError('RateLimited', `the cache listing is answered at most ${CACHE_LISTINGS_PER_SECOND} times per second`, {
      retryAfterSeconds: 1,
    });
  }
  const { total, entries } = deps.listing(limit);
  answerJson(a, 200, JSON.stringify({ count: total, listed: entries.length, truncated: entries.length < total, entries }));
};

function answerContainer(
  a: Admission,
  deps: CredentialsAppDeps,
  served: Awaited<Served>,
  accountId: string | undefined,
  target: Target,
): void {
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  answerJson(a, 200, containerBody(served.lease, accountId));
  if (a.caller !== undefined) deps.auth.served(a.caller, target, served.lease.expiration.getTime());
}

function answerServed(a: Admission, deps: CredentialsAppDeps, served: Awaited<Served>, target: Target, body: object): void {
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  if (a.caller !== undefined) deps.auth.served(a.caller, target, served.lease.expiration.getTime());
  answerJson(a, 200, JSON.stringify(body));
}

function parseListingLimit(query: Record<string, unknown>): number {
  const unknown = Object.keys(query).filter((name) => name !== 'limit');
  if (unknown.length > 0) {
    throw new LfcsError('InvalidRequest', `query parameter ${truncate(unknown[0]!)} is not accepted here (accepted parameters: limit)`);
  }
  const raw = query['limit'];
  if (raw === undefined) return CACHE_LISTING_DEFAULT;
  if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > CACHE_LISTING_MAX) {
    throw new LfcsError('InvalidRequest', `query parameter limit: expected an integer from 1 to ${CACHE_LISTING_MAX}`);
  }
  return Number(raw);
}

/**
 * Whose turn a fetch this request starts waits in for Lake Formation's quota:
 * each pod its own (agent mode); the one token holder of sidecar mode keeps
 * the one shared queue, as background refreshes and the other listeners do.
 */
function upstreamTurn(a: Admission): string | undefined {
  return a.caller?.kind === 'pod' ? fairShareKey(a.caller) : undefined;
}

/** Aborts when the client closes the connection before its answer was sent: the cache stops waiting for it. */
function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
