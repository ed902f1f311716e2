/**
 * The credentials listener's fast path: `GET /v1/credentials/<profile>`
 * answered from a fresh cached lease straight on node:http, with no router
 * walk and no middleware chain. It is what SDK clients call over and over,
 * so it does the least work that keeps every property of the full path:
 *
 * - the same checks, in the same functions: the listener's `Host`, no proxy
 *   headers, the caller (the token in constant time, or a service-account
 *   token verified moments ago) and its binding, then the rate limit;
 * - the same answer: the body serialised once per lease, `Content-Type`
 *   exactly `application/json`, `Cache-Control: no-store`;
 * - the same metrics, through label children resolved once.
 *
 * Anything else (another route or method, a refused check, a miss, a lease
 * near its refresh floor) returns `false` untouched, and the Express app
 * answers it, errors included.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PreparedRequest, ServedCredentials } from '../cache/index.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import { containerBody } from './container-body.js';
import type { Caller, CallerAuth } from './caller-auth.js';

const PREFIX = '/v1/credentials/';

/** Marks a request whose rate-limit token the fast path already took, so the full path does not take a second. */
export const RATE_LIMIT_TAKEN = Symbol('lfcs.rateLimitTaken');
/** The same for the caller's own budget (agent mode: the pod's), taken before the listener's. */
export const CALLER_BUDGET_TAKEN = Symbol('lfcs.callerBudgetTaken');
/** The caller the fast path authenticated, so the full path neither checks nor counts it again. */
export const KNOWN_CALLER = Symbol('lfcs.knownCaller');

/** What the fast path leaves on a request it hands to the full path. */
export interface FastPathMarks {
  [RATE_LIMIT_TAKEN]?: boolean;
  [CALLER_BUDGET_TAKEN]?: boolean;
  [KNOWN_CALLER]?: Caller;
}

export interface FastPathDeps {
  /** The profile's prepared request and account, or undefined. */
  profile(name: string): { prepared: PreparedRequest; accountId: string | undefined } | undefined;
  cache: { serveIfFresh(prepared: PreparedRequest, label: string): ServedCredentials | undefined };
  auth: CallerAuth;
  rateLimiter: { tryTake(): boolean };
  metrics: SidecarMetrics;
}

/** Returns a handler that answers a profile hit and returns true, or returns false and leaves the request alone. */
export function createFastPath(deps: FastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const requests = deps.metrics.httpRequests.labels({ route: 'profile', code: '200' });
  const duration = deps.metrics.httpRequestDuration.labels({ route: 'profile' });
  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PREFIX)) return false;
    const headers = req.headers;
    if (!deps.auth.hostAllowed(headers.host) || headers['x-forwarded-for'] !== undefined || headers['forwarded'] !== undefined) {
      return false;
    }
    const caller = deps.auth.known(headers.authorization);
    if (caller === undefined) return false;
    const marks = req as FastPathMarks;
    marks[KNOWN_CALLER] = caller;
    // Profile names are URL-safe, so any other character (`/`, `?`, `%`) means "not a plain profile hit".
    const name = url.slice(PREFIX.length);
    const profile = deps.profile(name);
    if (profile === undefined) return false;
    const target = { profile: name };
    if (deps.auth.authorize(caller, target) !== undefined) return false;
    if (!deps.auth.admit(caller)) return false;
    marks[CALLER_BUDGET_TAKEN] = true;
    if (!deps.rateLimiter.tryTake()) return false;
    marks[RATE_LIMIT_TAKEN] = true;
    const served = deps.cache.serveIfFresh(profile.prepared, name);
    if (served === undefined) return false;
    const body = containerBody(served.lease, profile.accountId);
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    deps.auth.served(caller, target, served.lease.expiration.getTime());
    deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
    requests.inc();
    duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    return true;
  };
}
