/**
 * The credentials listener: the routes of the route table's `credentials`
 * rows behind the admission checks of `credentialsChecks`. An admitted
 * request on a fast-path route with a plain path (a profile with no query, or
 * the dynamic route with its query; no percent-encoding in the path) goes
 * straight to its handler; every other one goes through Express (body
 * parsing, 404 and 405), to the same handlers. Every answer is JSON with
 * `Content-Type: application/json`.
 */
import querystring from 'node:querystring';
import type { RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { NO_STORE } from '../core/json-answer.js';
import { LfcsError, truncate } from '../core/errors.js';
import type { PreparedRequest, ServedCredentials } from '../cache/index.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import { createRequestLog } from '../observability/request-log.js';
import { credentialsChecks, type Admission, type RateLimiter } from './admission.js';
import type { DynamicPolicy } from './authorization.js';
import type { NewRequestBudget } from './new-request-budget.js';
import type { CallerAuth } from '../identity/caller-auth.js';
import type { CredentialsHandler, RouteInput } from './credential-routes.js';
import { errorResponse } from './error-response.js';
import { answerError, listenerHandler, type Listener, type RenderedError } from './listener.js';
import type { RequestDefaults } from './request-parsing.js';
import { routeMatcher, UNMATCHED_LABEL, routesOf, type CredentialsRoute } from './routes.js';

export { CACHE_LISTING_DEFAULT, CACHE_LISTING_MAX, CACHE_LISTINGS_PER_SECOND } from './credential-routes.js';
export { ROUTE_NAMES } from './routes.js';

export type Served = Promise<{ lease: Lease; result: string; remainingSeconds: number }>;

/** A profile as resolved once at start: its request with the cache key, and the account for `AccountId`. */
export interface ResolvedProfile {
  prepared: PreparedRequest;
  accountId: string | undefined;
}

/** What the credentials listener needs from the rest of the sidecar. */
export interface CredentialsAppDeps {
  cache: {
    /** `signal` aborts when the client disconnects: the cache stops waiting and drops work nobody wants. */
    /** `fairnessKey`: whose turn a fetch this request starts waits in, for Lake Formation's quota. */
    get(request: CredentialRequest, options?: { signal?: AbortSignal; fairnessKey?: string | undefined }): Served;
    getPrepared(prepared: PreparedRequest, options?: { label?: string; signal?: AbortSignal; fairnessKey?: string | undefined }): Served;
    /** The cached lease when it would be served as a hit, without a promise; otherwise undefined. */
    serveIfFresh(prepared: PreparedRequest, label: string): ServedCredentials | undefined;
  };
  profiles: {
    /** The profile called `name`, or undefined for an unknown name. */
    resolve(name: string): ResolvedProfile | undefined;
  };
  dynamic: DynamicPolicy;
  defaults: RequestDefaults;
  /** `GET /v1/cache`: at most `limit` entry summaries (never key material) and the total number cached. */
  listing(limit: number): { total: number; entries: unknown[] };
  /** Who may call, by mode: the shared token (sidecar) or service-account tokens and bindings (agent). */
  auth: CallerAuth;
  /** Token bucket for authenticated requests: false means answer 429 (a `FairShareBucket` shares it fairly among callers). */
  rateLimiter: RateLimiter;
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
  /** Agent mode: each pod's budget of distinct new requests. Absent: not budgeted. */
  newRequests?: NewRequestBudget;
  metrics: SidecarMetrics;
  logger: Logger;
}

/** POST bodies above this size get 413: a real request is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * More query parameters than any route accepts (the dynamic route has 10). A
 * request with more is refused, never cut short: Node's own parser silently
 * drops every pair past the 1000th, which let a second `table=` through.
 */
export const MAX_QUERY_PARAMETERS = 32;

/** The credentials listener's request handler (admission, fast path, Express). */
export function createCredentialsApp(deps: CredentialsAppDeps): RequestListener {
  const app = createExpressApp(deps);
  const fast = fastPath(deps);
  const listener: Listener = {
    name: 'credentials',
    match: routeMatcher('credentials'),
    unmatched: UNMATCHED_LABEL['credentials'],
    checks: credentialsChecks(deps),
    log: createRequestLog({ metrics: deps.metrics, logger: deps.logger, deniedLogLimiter: deps.deniedLogLimiter }),
    headers: NO_STORE,
    render: renderError,
    who: (a) =>
      a.caller?.kind === 'pod'
        ? { namespace: a.caller.identity.namespace, serviceAccount: a.caller.identity.serviceAccount, pod: a.caller.identity.pod }
        : undefined,
    dispatch(a) {
      if (fast(a)) return;
      // Express's own channel for per-request state: the handlers read the admission from it.
      (a.res as Response).locals = { admission: a };
      app(a.req, a.res);
    },
  };
  return listenerHandler(listener);
}

function renderError(err: unknown): RenderedError {
  const { error, status, headers, body } = errorResponse(err);
  return { status, headers, body, code: error.code, reason: error.message, unexpected: error.code === 'InternalError' };
}

/**
 * The fast path: a fast-path route asked for with its own method and a plain
 * path (and a query only where the route takes one) goes to its handler
 * without Express, which would cost the dynamic route most of its time per
 * request. Returns false for anything else. A fast-path route names at most
 * one parameter, its last segment.
 */
function fastPath(deps: CredentialsAppDeps): (a: Admission) => boolean {
  const none = Object.freeze({});
  // Each fast-path route's parameter name, found once.
  const parameters = new Map(
    routesOf('credentials')
      .filter((route) => route.fastPath)
      .map((route) => [route, route.path.includes('/:') ? route.path.slice(route.path.lastIndexOf('/:') + 2) : undefined]),
  );
  return (a) => {
    const route = a.route as CredentialsRoute | undefined;
    if (route === undefined || !route.fastPath || a.req.method !== route.method) return false;
    const url = a.req.url!;
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    // Profile names are URL-safe, so `%` means "not a plain path": Express decodes those.
    if (path.includes('%')) return false;
    // A query only where the route takes one; `#` (never sent by a client) is left to Express's URL parsing.
    if (queryAt >= 0 && (route.fastPath !== 'query' || url.includes('#'))) return false;
    const parameter = parameters.get(route);
    const params = parameter === undefined ? none : { [parameter]: path.slice(path.lastIndexOf('/') + 1) };
    let query: Record<string, unknown> = none;
    try {
      if (queryAt >= 0) query = parseQueryString(url.slice(queryAt + 1));
    } catch (err) {
      answerError(a, err);
      return true;
    }
    run(a, deps, route.handler, { params, query, body: undefined });
    return true;
  };
}

/** Runs a handler; whatever it throws or rejects with is answered. */
function run(a: Admission, deps: CredentialsAppDeps, handler: CredentialsHandler, input: RouteInput): void {
  try {
    const pending = handler(a, deps, input);
    if (pending !== undefined) pending.catch((err: unknown) => answerError(a, err));
  } catch (err) {
    answerError(a, err);
  }
}

function admissionOf(res: ServerResponse): Admission {
  return (res as Response).locals['admission'] as Admission;
}

/** The Express app of the full path: one route per row, each with its 405 for other methods, then 404. */
function createExpressApp(deps: CredentialsAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('query parser', parseQueryString);
  const jsonBody = express.json({ limit: MAX_BODY_BYTES, strict: true, type: () => true });
  for (const route of routesOf('credentials')) {
    const serve = (req: Request, res: Response) => run(admissionOf(res), deps, route.handler, req);
    const chain = app.route(route.path);
    if (route.method === 'POST') chain.post(requireJson, jsonBody, serve);
    else chain.get(serve);
    chain.all(methodNotAllowed(route.method));
  }
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new LfcsError('RouteNotFound', `no route ${req.method} ${truncate(req.path)}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error =
      err instanceof URIError
        ? new LfcsError('InvalidRequest', `the path ${truncate(req.path)} has a bad percent-encoding`)
        : fromExpressError(err);
    answerError(admissionOf(res), error);
  });
  return app;
}

/** The query parser: every pair kept (repeats become arrays), and at most {@link MAX_QUERY_PARAMETERS}. */
function parseQueryString(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  const pairs = text.split('&').length;
  if (pairs > MAX_QUERY_PARAMETERS) {
    throw new LfcsError('InvalidRequest', `the query string has ${pairs} parameters; at most ${MAX_QUERY_PARAMETERS} are accepted`);
  }
  return { ...querystring.parse(text, '&', '=', { maxKeys: 0 }) };
}

function requireJson(req: Request, _res: Response, next: NextFunction) {
  if (!req.is('application/json')) return next(new LfcsError('UnsupportedMediaType', 'send the body as Content-Type: application/json'));
  next();
}

function methodNotAllowed(allowed: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Allow', allowed === 'GET' ? 'GET, HEAD' : allowed);
    next(new LfcsError('MethodNotAllowed', `${req.method} is not allowed here; use ${allowed}`));
  };
}

/** Maps body-parser's errors (which carry a `type`) to our codes. */
function fromExpressError(err: unknown): unknown {
  if (err instanceof LfcsError) return err;
  const type = (err as { type?: unknown })?.type;
  if (type === 'entity.too.large') return new LfcsError('PayloadTooLarge', `the body exceeds ${MAX_BODY_BYTES} bytes`);
  if (type === 'entity.parse.failed') return new LfcsError('InvalidRequest', 'the body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new LfcsError('UnsupportedMediaType', 'send the body as UTF-8 JSON without content encoding');
  }
  if (type === 'request.aborted' || type === 'request.size.invalid') return new LfcsError('InvalidRequest', 'the body was incomplete');
  if ((err as { status?: unknown })?.status === 400) return new LfcsError('InvalidRequest', 'the body could not be decoded');
  return err;
}
