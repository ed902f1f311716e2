/**
 * Admission: the ordered checks a request passes before any credential work,
 * one list per listener, run once per request by {@link runChecks} (the fast
 * path included: it answers only requests these checks admitted). Each check
 * is cheap and synchronous except authentication of an unknown
 * service-account token, so the usual request passes them all without a
 * promise. A check returns nothing to let the request on, or the refusal to
 * answer with; it may note what it learned (the caller) on the admission.
 *
 * Adding a check (per-identity fairness, a new listener's rules) is one row in
 * the list of each listener it applies to, below.
 *
 * What a request asks for is authorized once its target is read (the path for
 * a profile, the query or body otherwise), by `authorizeTarget`
 * (`authorization.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import type { Caller, CallerAuth } from '../identity/caller-auth.js';
import { NodeMismatchError } from '../identity/errors.js';
import type { ServiceError } from '../lakeformation/service-error.js';
import { isLoopbackHostHeader } from '../identity/host-check.js';
import type { RateLimitName } from '../observability/metrics.js';
import type { FairShareRefusal } from './fair-share.js';
import { assignRequestId, jsonContentType, knownOperation, postOnly, signed } from './lakeformation-api-checks.js';
import type { Listener } from './listener.js';
import type { Route } from './routes.js';

/** A request on its way in, and what the checks learned about it. */
export interface Admission {
  /** The listener the request arrived on: how it answers and records. */
  readonly listener: Listener;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** `process.hrtime.bigint()` at arrival, for the duration metric. */
  readonly started: bigint;
  /** The row of the route table the path names (whatever the method), or undefined. */
  readonly route: Route | undefined;
  /** The metric label: the route's, or the listener's `unmatched` label. */
  readonly label: string;
  /** Who is calling, once authenticated (credentials listener). */
  caller: Caller | undefined;
  /** The access key id of the caller's SigV4 signature (Lake Formation API listener), for the audit line. */
  callerAccessKeyId: string | undefined;
}

/** A refusal, in lfcs's terms or already in Lake Formation's. */
export type Refusal = LfcsError | ServiceError;
export type CheckResult = Refusal | undefined;
/** One admission check: nothing lets the request on; a refusal is answered. */
export type Check = (admission: Admission) => CheckResult | Promise<CheckResult>;

/**
 * Runs `checks` in order until one refuses. Synchronous while every check is;
 * from the first check that needs to wait, the rest run after it.
 */
export function runChecks(checks: readonly Check[], admission: Admission, from = 0): CheckResult | Promise<CheckResult> {
  for (let i = from; i < checks.length; i++) {
    const result = checks[i]!(admission);
    if (result === undefined) continue;
    if (result instanceof Promise) return result.then((refusal) => refusal ?? runChecks(checks, admission, i + 1));
    return result;
  }
  return undefined;
}

/** A token bucket; one that can `take` for a named caller shares itself fairly among callers (`FairShareBucket`). */
export type RateLimiter = { tryTake(): boolean } | { tryTake(): boolean; take(caller: string | undefined): FairShareRefusal | undefined };

/** What the credentials listener's checks use. */
export interface CredentialsAdmissionDeps {
  auth: CallerAuth;
  /**
   * Token bucket for authenticated requests: false means answer 429. A
   * `FairShareBucket` also bounds each caller's share of it.
   */
  rateLimiter: RateLimiter;
  /** Token bucket for requests refused by authentication, apart, so a flood of wrong tokens cannot make the real client get 429. */
  refusedRateLimiter: { tryTake(): boolean };
}

/**
 * The credentials listener: where the request comes from (target form, Host,
 * proxy headers), who sends it, then how fast (the caller's own budget, then
 * the listener's rate limit).
 */
export function credentialsChecks(deps: CredentialsAdmissionDeps): readonly Check[] {
  return [
    originForm,
    hostAllowed(deps.auth.hostAllowed, deps.auth.hostRule),
    noProxyHeaders,
    authenticated(deps.auth, deps.refusedRateLimiter),
    callerBudget(deps.auth),
    fairlyRateLimited(deps.rateLimiter),
  ];
}

/** What the Iceberg REST gateway's checks use. */
export interface IcebergAdmissionDeps {
  auth: CallerAuth;
  /** Token bucket for authenticated requests: false means answer 429. */
  rateLimiter: { tryTake(): boolean };
  /** Token bucket for requests refused by authentication, apart, as on the credentials listener. */
  refusedRateLimiter: { tryTake(): boolean };
}

/**
 * The Iceberg REST gateway: where the request comes from (loopback only,
 * whatever the mode: it answers with table credentials), who sends it (the
 * catalog `token` property, which Iceberg clients send as a bearer token),
 * then how fast.
 */
export function icebergChecks(deps: IcebergAdmissionDeps): readonly Check[] {
  return [
    originForm,
    hostAllowed(isLoopbackHostHeader, 'a loopback address such as 127.0.0.1'),
    noProxyHeaders,
    authenticated(deps.auth, deps.refusedRateLimiter, bearerToken),
    callerBudget(deps.auth),
    rateLimited(deps.rateLimiter, 'iceberg', 'too many requests; slow down', { retryAfterSeconds: 1 }),
  ];
}

/**
 * The token of `Authorization: Bearer <token>`, as Iceberg Java, PyIceberg
 * and Trino send the catalog `token` property. Another scheme is a token
 * that matches nothing; no header stays no header.
 */
function bearerToken(a: Admission): string | undefined {
  const header = a.req.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer +(\S+)$/i.exec(header)?.[1] ?? '';
}

/** What the Lake Formation API listener's checks use. */
export interface LakeFormationApiAdmissionDeps {
  /** Token bucket for well-formed, signed requests: false means answer ThrottlingException. */
  rateLimiter: { tryTake(): boolean };
  /**
   * Token bucket for requests refused before it (foreign target or Host,
   * proxied, unsigned, malformed, unknown operation), apart, so a flood of
   * them cannot spend the signed callers' budget; past it they are throttled.
   */
  refusedRateLimiter: { tryTake(): boolean };
  /** For the `X-Amz-Date` window. */
  clock: Clock;
}

/**
 * The Lake Formation API listener: where the request comes from (target
 * form, Host, proxy headers) and what it is (POST, a JSON body, a
 * well-formed signature, an operation it serves), refusals spending their
 * own bucket; then how fast, on the signed callers' bucket.
 */
export function lakeFormationApiChecks(deps: LakeFormationApiAdmissionDeps): readonly Check[] {
  return [
    assignRequestId,
    refusalsBudgeted(deps.refusedRateLimiter, [
      originForm,
      hostAllowed(isLoopbackHostHeader, 'a loopback address such as 127.0.0.1'),
      noProxyHeaders,
      postOnly,
      jsonContentType,
      signed(deps.clock),
      knownOperation,
    ]),
    rateLimited(deps.rateLimiter, 'lakeformation_api', 'too many requests to this listener'),
  ];
}

/**
 * `checks` as one check whose refusals spend `bucket`: past it, a refused
 * request is throttled without saying why it was refused (the credentials
 * listener does the same for wrong tokens, in `authenticated`).
 */
export function refusalsBudgeted(bucket: { tryTake(): boolean }, checks: readonly Check[]): Check {
  return (a) => {
    const spend = (refusal: CheckResult): CheckResult => {
      if (refusal === undefined || bucket.tryTake()) return refusal;
      a.listener.log.rateLimited('refused');
      return new LfcsError('RateLimited', 'too many refused requests; slow down', { retryAfterSeconds: 1 });
    };
    const result = runChecks(checks, a);
    return result instanceof Promise ? result.then(spend) : spend(result);
  };
}

/**
 * An absolute-form target (`GET http://evil/v1/...`) names a host of its own
 * that the Host check would never see; only proxies receive those.
 */
const originForm: Check = (a) =>
  a.req.url?.startsWith('/')
    ? undefined
    : new LfcsError('ForbiddenHost', 'the request target must be a path (origin-form), not an absolute URL');

/**
 * DNS-rebinding defence (as the EKS Pod Identity Agent): a browser tricked
 * into calling us sends the attacker's host name, never ours.
 */
function hostAllowed(allowed: (host: string | undefined) => boolean, rule: string): Check {
  return (a) => (allowed(a.req.headers.host) ? undefined : new LfcsError('ForbiddenHost', `the Host header must be ${rule}`));
}

/** A proxied request did not originate in this pod (or on this node). */
const noProxyHeaders: Check = (a) => {
  const headers = a.req.headers;
  if (headers['x-forwarded-for'] === undefined && headers['forwarded'] === undefined) return undefined;
  return new LfcsError('ForwardedRequestRejected', 'proxied requests (X-Forwarded-For, Forwarded) are refused');
};

/**
 * The caller: known at once (the token, or a service-account token verified
 * moments ago), or authenticated. A refused one spends `refused`, not the
 * listener's bucket.
 */
function authenticated(
  auth: CallerAuth,
  refused: { tryTake(): boolean },
  headerOf: (a: Admission) => string | undefined = (a) => a.req.headers.authorization,
): Check {
  return (a) => {
    const header = headerOf(a);
    const known = auth.known(header);
    if (known !== undefined) {
      a.caller = known;
      return undefined;
    }
    return auth.authenticate(header).then(
      (caller) => {
        a.caller = caller;
        return undefined;
      },
      (err: unknown) => {
        // Its signature verified, so the audit line may name the pod it was refused to.
        if (err instanceof NodeMismatchError) a.caller = { kind: 'pod', identity: err.identity };
        const isRefusal = err instanceof LfcsError && (err.code === 'Unauthorized' || err.code === 'NodeMismatch');
        if (isRefusal && !refused.tryTake()) {
          a.listener.log.rateLimited('refused');
          return new LfcsError('RateLimited', 'too many requests without the right token; slow down', { retryAfterSeconds: 1 });
        }
        if (err instanceof LfcsError) return err;
        // Not a refusal but a bug: answered 500 and logged by the listener, which needs the error as thrown.
        throw err;
      },
    );
  };
}

/** The caller's own budget (agent mode: the pod's), spent before the listener's. */
function callerBudget(auth: CallerAuth): Check {
  return (a) => {
    if (a.caller === undefined || auth.admit(a.caller)) return undefined;
    a.listener.log.rateLimited('pod');
    return new LfcsError('RateLimited', 'too many requests from this pod; slow down', { retryAfterSeconds: 1 });
  };
}

/**
 * The caller's name for its fair share, of the listener's rate limit and of
 * Lake Formation's quota (the upstream limiter's turns): each pod its own;
 * the token holder is the one caller of sidecar mode.
 */
export function fairShareKey(caller: Caller | undefined): string | undefined {
  if (caller === undefined) return undefined;
  return caller.kind === 'pod' ? `pod:${caller.identity.podUid}` : 'token';
}

/**
 * The listener's rate limit, with each caller's share of it bounded while
 * it is contended (agent mode: runaway pods cannot make a quiet one get 429).
 */
function fairlyRateLimited(bucket: RateLimiter): Check {
  return (a) => {
    const refusal = 'take' in bucket ? bucket.take(fairShareKey(a.caller)) : bucket.tryTake() ? undefined : 'empty';
    if (refusal === undefined) return undefined;
    a.listener.log.rateLimited(refusal === 'fair_share' ? 'fair_share' : 'listener');
    return new LfcsError(
      'RateLimited',
      refusal === 'fair_share'
        ? "too many requests from this caller while the node's limit is contended; slow down"
        : 'too many requests; slow down',
      { retryAfterSeconds: 1 },
    );
  };
}

function rateLimited(
  bucket: { tryTake(): boolean },
  limit: RateLimitName,
  message: string,
  options?: { retryAfterSeconds: number },
): Check {
  return (a) => {
    if (bucket.tryTake()) return undefined;
    a.listener.log.rateLimited(limit);
    return new LfcsError('RateLimited', message, options);
  };
}
