import querystring from 'node:querystring';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { LfcsError, truncate } from '../core/errors.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import type { Caller, CallerAuth, Target } from './caller-auth.js';
import { NodeMismatchError } from '../identity/errors.js';
import { accountIdFromTableArn } from '../lakeformation/table-arn.js';
import type { PreparedRequest } from '../cache/cache-key.js';
import type { CredentialRequest, DataLocationCredentialRequest, Lease, TableCredentialRequest } from '../lakeformation/types.js';
import { sendError, statusForCode, toPublicError } from './error-response.js';
import { containerBody, formatExpiration } from './container-body.js';
import { CALLER_BUDGET_TAKEN, KNOWN_CALLER, RATE_LIMIT_TAKEN, type FastPathMarks } from './fast-path.js';
import { sendJson, sendJsonText } from './json-response.js';
import {
  parseDataLocationBody,
  parseDynamicQuery,
  parsePartitionBody,
  parseTableBody,
  type RequestDefaults,
} from './request-parsing.js';

/** What the credentials listener needs from the rest of the sidecar. */
type Served = Promise<{ lease: Lease; result: string; remainingSeconds: number }>;

/** A profile as resolved once at start: its request with the cache key, and the account for `AccountId`. */
export interface ResolvedProfile {
  prepared: PreparedRequest;
  accountId: string | undefined;
}

export interface CredentialsAppDeps {
  cache: {
    /** `signal` aborts when the client disconnects: the cache stops waiting and drops work nobody wants. */
    get(request: CredentialRequest, options?: { signal?: AbortSignal }): Served;
    getPrepared(prepared: PreparedRequest, options?: { label?: string; signal?: AbortSignal }): Served;
  };
  profiles: {
    /** The profile called `name`, or undefined for an unknown name. */
    resolve(name: string): ResolvedProfile | undefined;
  };
  dynamic: {
    enabled: boolean;
    /** Whether the table ARN matches one of `dynamic.allowedTables`. */
    isAllowed(tableArn: string): boolean;
    /** Whether the S3 location matches one of `dynamic.allowedLocations`. Absent: no location is allowed. */
    isLocationAllowed?(location: string): boolean;
  };
  defaults: RequestDefaults;
  /** `GET /v1/cache`: at most `limit` entry summaries (never key material) and the total number cached. */
  listing(limit: number): { total: number; entries: unknown[] };
  /** Who may call, by mode: the shared token (sidecar) or service-account tokens and bindings (agent). */
  auth: CallerAuth;
  /** Token bucket for authenticated requests: false means answer 429. */
  rateLimiter: { tryTake(): boolean };
  /**
   * Token bucket for requests without the right token, apart from the one
   * above: a local process flooding wrong tokens must not make the real
   * client get 429. False means answer 429 without checking further.
   */
  refusedRateLimiter: { tryTake(): boolean };
  /**
   * Token bucket for `GET /v1/cache` (each answer costs milliseconds of event
   * loop): false means answer 429, so even a token holder flooding the listing
   * cannot slow credential serving down.
   */
  listingRateLimiter: { tryTake(): boolean };
  /** Token bucket for `request denied` audit lines: false means drop the line (and count it). */
  deniedLogLimiter: { tryTake(): boolean };
  metrics: SidecarMetrics;
  logger: Logger;
}

/** POST bodies above this size get 413: a real request is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * `GET /v1/cache` lists this many entries unless `?limit=` asks for fewer or
 * more, and never more than `CACHE_LISTING_MAX`: about 7 µs of event loop per
 * entry, so a full listing stays a few milliseconds however large the cache.
 */
export const CACHE_LISTING_DEFAULT = 100;
export const CACHE_LISTING_MAX = 1000;
/** Listings answered per second (burst the same): at most about 30 ms of event loop per second. */
export const CACHE_LISTINGS_PER_SECOND = 4;

type RouteName = 'profile' | 'dynamic' | 'table' | 'partition' | 'data-location' | 'cache' | 'unmatched';

/**
 * The credentials listener's Express app: the ECS-style container-credentials
 * routes and the native table/partition API. Every route goes through the
 * cache; every answer is JSON with `Content-Type: application/json`.
 */
export function createCredentialsApp(deps: CredentialsAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('query parser', parseQueryString);

  app.use(countRequests(deps));
  app.use(refuseForeignRequests(deps));
  app.use(authenticate(deps));

  app
    .route('/v1/credentials/:profile')
    .get(handleAs('profile', async (req, res) => {
      const name = String(req.params['profile']);
      // Authorized first: in agent mode a pod must not learn which profile names exist.
      const target = authorized(deps, res, { profile: name });
      const profile = deps.profiles.resolve(name);
      if (!profile) throw new LfcsError('ProfileNotFound', `no profile named "${truncate(name)}" is configured`);
      const served = await deps.cache.getPrepared(profile.prepared, { label: name, signal: clientGone(res) });
      sendContainerCredentials(res, served, profile.accountId, deps, target);
    }))
    .all(methodNotAllowed('GET'));

  app
    .route('/v1/credentials')
    .get(handleAs('dynamic', async (req, res) => {
      const request = parseDynamicQuery(req.query as Record<string, unknown>, deps.defaults);
      if (request.operation === 'GetTemporaryDataLocationCredentials') {
        const target = checkLocationsAllowed(deps, res, request);
        // No AccountId: a location names no account.
        sendContainerCredentials(res, await deps.cache.get(request, { signal: clientGone(res) }), undefined, deps, target);
        return;
      }
      const target = checkDynamicAllowed(deps, res, request);
      const served = await deps.cache.get(request, { signal: clientGone(res) });
      sendContainerCredentials(res, served, accountIdFromTableArn(request.tableArn), deps, target);
    }))
    .all(methodNotAllowed('GET'));

  // The cache listing names every cached table, partition and query id: only token holders see it.
  app
    .route('/v1/cache')
    .get(handleAs('cache', async (req, res) => {
      if (!deps.auth.listsCache) {
        // It names every pod's tables and partitions: no single pod may see it.
        throw new LfcsError('RouteNotFound', 'the cache listing is not served in agent mode; see lfcs_cache_entries on the admin port');
      }
      const limit = parseListingLimit(req.query as Record<string, unknown>);
      if (!deps.listingRateLimiter.tryTake()) {
        throw new LfcsError('RateLimited', `the cache listing is answered at most ${CACHE_LISTINGS_PER_SECOND} times per second`, {
          retryAfterSeconds: 1,
        });
      }
      const { total, entries } = deps.listing(limit);
      sendJson(res, 200, { count: total, listed: entries.length, truncated: entries.length < total, entries });
    }))
    .all(methodNotAllowed('GET'));

  const jsonBody = express.json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });
  // The two native routes differ only in how the body is read.
  const nativeRoutes = [
    ['/v1/table-credentials', 'table', parseTableBody],
    ['/v1/partition-credentials', 'partition', parsePartitionBody],
  ] as const;
  for (const [path, name, parse] of nativeRoutes) {
    app
      .route(path)
      .post(requireJson, jsonBody, handleAs(name, async (req, res) => {
        const request = parse(req.body, deps.defaults);
        const target = checkDynamicAllowed(deps, res, request);
        await serveNativeCredentials(deps, res, request, clientGone(res), target);
      }))
      .all(methodNotAllowed('POST'));
  }

  app
    .route('/v1/data-location-credentials')
    .post(requireJson, jsonBody, handleAs('data-location', async (req, res) => {
      const request = parseDataLocationBody(req.body, deps.defaults);
      const target = checkLocationsAllowed(deps, res, request);
      await serveDataLocationCredentials(deps, res, request, target);
    }))
    .all(methodNotAllowed('POST'));

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new LfcsError('RouteNotFound', `no route ${req.method} ${truncate(req.path)}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // The client hung up while its lease was fetched: nobody reads an answer.
    if (res.destroyed || res.writableEnded) return;
    const error =
      err instanceof URIError
        ? new LfcsError('InvalidRequest', `the path ${truncate(req.path)} has a bad percent-encoding`)
        : fromExpressError(err);
    sendError(res, error);
    if (error.code === 'InternalError') {
      // The name and first stack frame locate the bug; the message could carry anything, so it stays out.
      const e = err as { name?: unknown; stack?: unknown };
      const frame = typeof e?.stack === 'string' ? e.stack.split('\n').find((line) => line.trim().startsWith('at '))?.trim() : undefined;
      deps.logger.error({ route: routeOf(res), errorName: typeof e?.name === 'string' ? e.name : typeof err, frame }, 'unexpected error while serving');
    }
    auditDenied(deps, req, res, error);
  });
  return app;
}

function sendContainerCredentials(
  res: Response,
  served: Awaited<Served>,
  accountId: string | undefined,
  deps: CredentialsAppDeps,
  target: Target,
): void {
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  sendJsonText(res, 200, containerBody(served.lease, accountId));
  deps.auth.served(callerOf(res), target, served.lease.expiration.getTime());
}

async function serveNativeCredentials(
  deps: CredentialsAppDeps,
  res: Response,
  request: CredentialRequest,
  signal: AbortSignal,
  target: Target,
): Promise<void> {
  const served = await deps.cache.get(request, { signal });
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  deps.auth.served(callerOf(res), target, served.lease.expiration.getTime());
  sendJson(res, 200, {
    AccessKeyId: served.lease.accessKeyId,
    SecretAccessKey: served.lease.secretAccessKey,
    SessionToken: served.lease.sessionToken,
    Expiration: formatExpiration(served.lease.expiration),
    ...(served.lease.vendedS3Path !== undefined && { VendedS3Path: served.lease.vendedS3Path }),
  });
}

/**
 * The API's own answer shape. `AccessibleDataLocations` is the lease's, as
 * Lake Formation sent it: never the requested list, so the answer never
 * claims a location that was not granted.
 */
async function serveDataLocationCredentials(
  deps: CredentialsAppDeps,
  res: Response,
  request: CredentialRequest,
  target: Target,
): Promise<void> {
  const served = await deps.cache.get(request, { signal: clientGone(res) });
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  deps.auth.served(callerOf(res), target, served.lease.expiration.getTime());
  sendJson(res, 200, {
    Credentials: {
      AccessKeyId: served.lease.accessKeyId,
      SecretAccessKey: served.lease.secretAccessKey,
      SessionToken: served.lease.sessionToken,
      Expiration: formatExpiration(served.lease.expiration),
    },
    AccessibleDataLocations: [...(served.lease.accessibleDataLocations ?? [])],
    ...(served.lease.credentialsScope !== undefined && { CredentialsScope: served.lease.credentialsScope }),
  });
}

/**
 * More query parameters than any route accepts (the dynamic route has 10). A
 * request with more is refused, never cut short: Node's own parser silently
 * drops every pair past the 1000th, which let a second `table=` through.
 */
export const MAX_QUERY_PARAMETERS = 32;

/** The query parser of the credentials app: every pair kept (repeats become arrays), and at most {@link MAX_QUERY_PARAMETERS}. */
function parseQueryString(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  const pairs = text.split('&').length;
  if (pairs > MAX_QUERY_PARAMETERS) {
    throw new LfcsError('InvalidRequest', `the query string has ${pairs} parameters; at most ${MAX_QUERY_PARAMETERS} are accepted`);
  }
  return { ...querystring.parse(text, '&', '=', { maxKeys: 0 }) };
}

/** Aborts when the client closes the connection before its answer was sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** The caller `authenticate` put on the response. */
function callerOf(res: Response): Caller {
  return res.locals['caller'] as Caller;
}

/** Throws the 403 when the caller may not use `target` (agent mode: its binding); returns the target. */
function authorized(deps: CredentialsAppDeps, res: Response, target: Target): Target {
  const refusal = deps.auth.authorize(callerOf(res), target);
  if (refusal) throw refusal;
  return target;
}

/** Dynamic and native requests name any table, so both pass the same allow-list. */
function checkDynamicAllowed(deps: CredentialsAppDeps, res: Response, request: TableCredentialRequest): Target {
  const { tableArn } = request;
  if (!deps.dynamic.enabled) {
    throw new LfcsError(
      'DynamicRequestsDisabled',
      'dynamic requests are disabled; use /v1/credentials/{profile}, or set dynamic.enabled and dynamic.allowedTables',
    );
  }
  if (!deps.dynamic.isAllowed(tableArn)) {
    throw new LfcsError('TableNotAllowed', `table ${truncate(tableArn)} matches none of dynamic.allowedTables`);
  }
  return authorized(deps, res, { request });
}

/** Dynamic and native location requests: every location must match `dynamic.allowedLocations`. */
function checkLocationsAllowed(deps: CredentialsAppDeps, res: Response, request: DataLocationCredentialRequest): Target {
  const locations = request.dataLocations;
  if (!deps.dynamic.enabled) {
    throw new LfcsError(
      'DynamicRequestsDisabled',
      'dynamic requests are disabled; use /v1/credentials/{profile}, or set dynamic.enabled and dynamic.allowedLocations',
    );
  }
  const refused = locations.filter((location) => !deps.dynamic.isLocationAllowed?.(location));
  if (refused.length > 0) {
    throw new LfcsError(
      'LocationNotAllowed',
      `location(s) ${truncate(refused.join(', '))} match none of dynamic.allowedLocations`,
    );
  }
  return authorized(deps, res, { request });
}

/** Host check, proxy-header check and rate limit, before any credential work. */
/** Host check and proxy-header check, before any credential work (both cheap, neither looks at the token). */
function refuseForeignRequests(deps: CredentialsAppDeps) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // DNS-rebinding defence (as the EKS Pod Identity Agent): a browser tricked
    // into calling us sends the attacker's host name, never a loopback one.
    // An absolute-form target (`GET http://evil/v1/...`) names a host of its own
    // that the Host check below would never see; only proxies receive those.
    if (!req.url.startsWith('/')) {
      return next(new LfcsError('ForbiddenHost', 'the request target must be a path (origin-form), not an absolute URL'));
    }
    if (!deps.auth.hostAllowed(req.headers.host)) {
      return next(new LfcsError('ForbiddenHost', `the Host header must be ${deps.auth.hostRule}`));
    }
    // A proxied request did not originate in this pod.
    if (req.headers['x-forwarded-for'] !== undefined || req.headers['forwarded'] !== undefined) {
      return next(new LfcsError('ForwardedRequestRejected', 'proxied requests (X-Forwarded-For, Forwarded) are refused'));
    }
    next();
  };
}

/**
 * Authentication, then the rate limit of its outcome: authenticated requests
 * spend `rateLimiter`, refused ones `refusedRateLimiter`. The caller is kept
 * in `res.locals` for the routes' authorization.
 */
function authenticate(deps: CredentialsAppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    // The fast path may have authenticated this request, and taken its budgets, before it fell through here.
    const marks = req as FastPathMarks;
    const known = marks[KNOWN_CALLER] ?? deps.auth.known(header);
    const accepted = (caller: Caller) => {
      if (!marks[CALLER_BUDGET_TAKEN] && !deps.auth.admit(caller)) {
        return next(new LfcsError('RateLimited', 'too many requests from this pod; slow down', { retryAfterSeconds: 1 }));
      }
      if (!marks[RATE_LIMIT_TAKEN] && !deps.rateLimiter.tryTake()) {
        return next(new LfcsError('RateLimited', 'too many requests; slow down', { retryAfterSeconds: 1 }));
      }
      res.locals['caller'] = caller;
      next();
    };
    if (known !== undefined) return accepted(known);
    deps.auth
      .authenticate(header)
      .then(accepted, (err: unknown) => {
        const refused = err instanceof LfcsError && (err.code === 'Unauthorized' || err.code === 'NodeMismatch');
        // Its signature verified, so the audit line may name the pod it was refused to.
        if (err instanceof NodeMismatchError) res.locals['caller'] = { kind: 'pod', identity: err.identity } satisfies Caller;
        if (refused && !deps.refusedRateLimiter.tryTake()) {
          return next(new LfcsError('RateLimited', 'too many requests without the right token; slow down', { retryAfterSeconds: 1 }));
        }
        next(err);
      })
      .catch(next);
  };
}

function parseListingLimit(query: Record<string, unknown>): number {
  const names = Object.keys(query);
  const unknown = names.filter((name) => name !== 'limit');
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

function requireJson(req: Request, _res: Response, next: NextFunction) {
  if (!req.is('application/json')) {
    return next(new LfcsError('UnsupportedMediaType', 'send the body as Content-Type: application/json'));
  }
  next();
}

function methodNotAllowed(allowed: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Allow', allowed === 'GET' ? 'GET, HEAD' : allowed);
    next(new LfcsError('MethodNotAllowed', `${req.method} is not allowed here; use ${allowed}`));
  };
}

/** Wraps an async handler: names the route for metrics and passes errors to the error handler. */
function handleAs(name: RouteName, handler: (req: Request, res: Response) => Promise<void>) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals['route'] = name;
    handler(req, res).catch(next);
  };
}

/** The route a path belongs to, known before authentication so refusals are counted under it. */
function routeForPath(path: string): RouteName {
  if (path === '/v1/credentials') return 'dynamic';
  if (path.startsWith('/v1/credentials/') && path.indexOf('/', '/v1/credentials/'.length) < 0) return 'profile';
  if (path === '/v1/table-credentials') return 'table';
  if (path === '/v1/partition-credentials') return 'partition';
  if (path === '/v1/cache') return 'cache';
  return 'unmatched';
}

/** Route names of `lfcs_http_requests_total`, all initialised at 0. */
export const ROUTE_NAMES: readonly RouteName[] = ['profile', 'dynamic', 'table', 'partition', 'data-location', 'cache', 'unmatched'];

function countRequests(deps: CredentialsAppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.locals['route'] = req.url.startsWith('/') ? routeForPath(req.path) : 'unmatched';
    res.on('finish', () => {
      const routeName = routeOf(res);
      deps.metrics.httpRequests.inc({ route: routeName, code: String(res.statusCode) });
      deps.metrics.httpRequestDuration.observe(
        { route: routeName },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  };
}

function routeOf(res: Response): RouteName {
  return (res.locals['route'] as RouteName | undefined) ?? 'unmatched';
}

/**
 * One audit line per refused request (4xx), with the reason; never the token.
 * Sampled: beyond `deniedLogLimiter` a line is dropped and counted in
 * `lfcs_log_lines_dropped_total`, so a flood of refusals cannot flood the log.
 */
function auditDenied(deps: CredentialsAppDeps, req: Request, res: Response, error: LfcsError): void {
  const status = statusForCode(error.code);
  if (status >= 500) return;
  if (!deps.deniedLogLimiter.tryTake()) {
    deps.metrics.logLinesDropped.inc({ kind: 'denied' });
    return;
  }
  // A pod that was authenticated but refused is named (agent mode); an unauthenticated one has no verified name.
  const caller = res.locals['caller'] as Caller | undefined;
  const who = caller?.kind === 'pod' ? { namespace: caller.identity.namespace, serviceAccount: caller.identity.serviceAccount, pod: caller.identity.pod } : {};
  deps.logger.info(
    { audit: 'denied', route: routeOf(res), method: req.method, status, code: error.code, reason: error.message, ...who },
    'request denied',
  );
}

/** Maps body-parser's errors (which carry a `type`) to our codes. */
function fromExpressError(err: unknown): LfcsError {
  if (err instanceof LfcsError) return err;
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.too.large') return new LfcsError('PayloadTooLarge', `the body exceeds ${MAX_BODY_BYTES} bytes`);
  if (type === 'entity.parse.failed') return new LfcsError('InvalidRequest', 'the body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new LfcsError('UnsupportedMediaType', 'send the body as UTF-8 JSON without content encoding');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') {
    return new LfcsError('InvalidRequest', 'the body was incomplete');
  }
  if ((err as { status?: unknown })?.status === 400) return new LfcsError('InvalidRequest', 'the body could not be decoded');
  return toPublicError(err);
}
