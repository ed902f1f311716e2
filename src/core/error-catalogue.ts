/**
 * Every error code lfcs answers with, once: its HTTP status on lfcs's own
 * listeners, the Lake Formation exception name the Lake Formation API
 * listener answers instead, whether it is permanent (the same request will
 * never succeed: never retried, negatively cached) and what it means. Adding
 * a code is one row here; the status map, the Lake Formation names, the
 * upstream metric series and the docs' error table all come from this table.
 *
 * Statuses: container-credential clients retry 5xx everywhere and 4xx only
 * in botocore and JS, so the caller's own mistakes are 4xx and "try again
 * later" is 503.
 *
 * Lake Formation names, for SDKs that call the Lake Formation API listener:
 * refusals by lfcs's policy are AccessDeniedException; the caller's mistakes
 * InvalidInputException (or the AWS front door's names); "slow down" is
 * ThrottlingException "Rate exceeded", which every SDK retries with backoff;
 * Lake Formation's own answers keep their names; every failure the caller
 * cannot fix is InternalServiceException, a 500 every SDK retries.
 */

/** One row of {@link ERROR_CATALOGUE}. */
export interface ErrorSpec {
  /** `upstream`: Lake Formation's answer (or the call's failure), kept under its name; `local`: raised by lfcs. */
  readonly source: 'upstream' | 'local';
  /** The HTTP status on the credentials and admin listeners. */
  readonly status: number;
  /** The exception the Lake Formation API listener answers with. */
  readonly lakeFormation: string;
  /** The same request will never succeed: not retried, negatively cached. */
  readonly permanent: boolean;
  /** One line for the docs' error table. */
  readonly meaning: string;
}

const upstream = <N extends string>(status: number, lakeFormation: N, meaning: string, permanent = false) =>
  ({ source: 'upstream', status, lakeFormation, permanent, meaning }) as const;
const local = <N extends string>(status: number, lakeFormation: N, meaning: string) =>
  ({ source: 'local', status, lakeFormation, permanent: false, meaning }) as const;

/** Upstream codes first, in the order their metric series are listed. */
export const ERROR_CATALOGUE = {
  AccessDeniedException: upstream(403, 'AccessDeniedException', "Lake Formation refused lfcs's identity the table or location", true),
  EntityNotFoundException: upstream(404, 'EntityNotFoundException', 'Lake Formation knows no such table, partition or location', true),
  InvalidInputException: upstream(400, 'InvalidInputException', 'Lake Formation refused a field of the request', true),
  PermissionTypeMismatchException: upstream(
    403,
    'PermissionTypeMismatchException',
    'the table needs a permission type the request did not offer',
    true,
  ),
  ThrottlingException: upstream(503, 'ThrottlingException', "Lake Formation throttled the call, still after lfcs's retries"),
  InternalServiceException: upstream(502, 'InternalServiceException', 'Lake Formation failed internally'),
  OperationTimeoutException: upstream(504, 'OperationTimeoutException', 'Lake Formation timed out'),
  ConflictException: upstream(409, 'ConflictException', 'location call: several resources share the requested location', true),
  UpstreamAuthFailure: upstream(
    502,
    'InternalServiceException',
    "Lake Formation rejected lfcs's own AWS identity (unknown key, bad signature, expired token)",
  ),
  UpstreamUnavailable: upstream(
    503,
    'InternalServiceException',
    'Lake Formation could not be reached, or answered with an unclassified 5xx',
  ),
  UpstreamTimeout: upstream(504, 'InternalServiceException', 'Lake Formation did not answer within `upstream.timeoutMs`'),
  InvalidUpstreamResponse: upstream(502, 'InternalServiceException', 'Lake Formation answered 200 without key material or `Expiration`'),
  InvalidRequest: local(400, 'InvalidInputException', "the request breaks lfcs's field rules, or is malformed"),
  ProfileNotFound: local(404, 'EntityNotFoundException', 'no profile of that name is configured'),
  RouteNotFound: local(404, 'UnknownOperationException', 'no such route (or operation)'),
  DynamicRequestsDisabled: local(403, 'AccessDeniedException', 'dynamic requests are off (`dynamic.enabled`)'),
  TableNotAllowed: local(403, 'AccessDeniedException', 'the table matches none of `dynamic.allowedTables`'),
  LocationNotAllowed: local(403, 'AccessDeniedException', 'a location matches none of `dynamic.allowedLocations`'),
  Unauthorized: local(
    401,
    'MissingAuthenticationTokenException',
    'missing or wrong token; in agent mode, a service-account token that does not verify',
  ),
  NoBinding: local(
    403,
    'AccessDeniedException',
    "agent mode: the caller's namespace and service account are not bound to what it asked for",
  ),
  NodeMismatch: local(403, 'AccessDeniedException', "agent mode: the caller's token is bound to a pod on another node"),
  IssuerUnavailable: local(503, 'InternalServiceException', "agent mode: the service-account token issuer's keys cannot be read"),
  ForbiddenHost: local(403, 'AccessDeniedException', 'a `Host` this listener does not answer to, or an absolute-form target'),
  ForwardedRequestRejected: local(403, 'AccessDeniedException', 'a proxied request (`X-Forwarded-For`, `Forwarded`)'),
  MethodNotAllowed: local(405, 'MethodNotAllowedException', 'the route does not take this method (the answer has `Allow`)'),
  PayloadTooLarge: local(413, 'RequestEntityTooLargeException', 'the body is over 64 KiB'),
  UnsupportedMediaType: local(415, 'UnsupportedMediaTypeException', 'the body is not UTF-8 JSON sent as `application/json`'),
  HeadersTooLarge: local(431, 'RequestHeaderFieldsTooLargeException', 'the request head is over 8 KiB'),
  RequestTimeout: local(408, 'InvalidInputException', "the request did not arrive in full within the listener's request timeout"),
  ExpectationFailed: local(417, 'InvalidInputException', 'an `Expect` header other than `100-continue`'),
  RateLimited: local(429, 'ThrottlingException', "over a rate limit (`rateLimit.*`, or the pod's own in agent mode)"),
  UpstreamBusy: local(503, 'ThrottlingException', 'too many Lake Formation calls queued, and nothing valid cached'),
  NotReady: local(503, 'InternalServiceException', 'lfcs is not ready yet'),
  IncompleteCoverage: local(
    503,
    'InternalServiceException',
    "a location profile's lease does not cover every location (readiness only, never an answer)",
  ),
  ShuttingDown: local(503, 'InternalServiceException', 'lfcs is shutting down'),
  CacheEvicted: local(503, 'InternalServiceException', 'the entry was evicted while the request waited for it'),
  InternalError: local(500, 'InternalServiceException', 'a bug in lfcs (logged with its name and first stack frame)'),
  InvalidConfiguration: local(500, 'InternalServiceException', 'the configuration or token file is unusable'),
} as const satisfies Record<string, ErrorSpec>;

type Catalogue = typeof ERROR_CATALOGUE;
export type ErrorCode = keyof Catalogue;
export type UpstreamErrorCode = { [C in ErrorCode]: Catalogue[C]['source'] extends 'upstream' ? C : never }[ErrorCode];
export type LocalErrorCode = Exclude<ErrorCode, UpstreamErrorCode>;
/** The Lake Formation exception name of each code (checked against the names the wire knows in lakeformation/service-error.ts). */
export type LakeFormationNameOf<C extends ErrorCode> = Catalogue[C]['lakeFormation'];

const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** Codes for errors that Lake Formation returned (or the call's own failure), kept as the service names them. */
export const UPSTREAM_ERROR_CODES = CODES.filter((code) => ERROR_CATALOGUE[code].source === 'upstream') as readonly UpstreamErrorCode[];
/** Codes for errors lfcs raises itself. */
export const LOCAL_ERROR_CODES = CODES.filter((code) => ERROR_CATALOGUE[code].source === 'local') as readonly LocalErrorCode[];

/** Every status the catalogue answers with, ascending (for metric series initialised at 0). */
export const ERROR_STATUSES: readonly number[] = [...new Set(CODES.map((code) => ERROR_CATALOGUE[code].status))].sort((a, b) => a - b);

/** The docs' error table: one row per code, in catalogue order. */
export function errorTableMarkdown(): string {
  const rows = CODES.map((code) => {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    const name = spec.lakeFormation === code ? '(same)' : `\`${spec.lakeFormation}\``;
    return `| \`${code}\` | ${spec.status} | ${name} | ${spec.permanent ? 'yes' : ''} | ${spec.meaning} |`;
  });
  return ['| code | status | Lake Formation API listener | permanent | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Where the generated table goes in a docs page. */
export const ERROR_TABLE_BEGIN = '<!-- errors:start -->';
export const ERROR_TABLE_END = '<!-- errors:end -->';

/**
 * `page` with the text between {@link ERROR_TABLE_BEGIN} and
 * {@link ERROR_TABLE_END} replaced by {@link errorTableMarkdown}; unchanged
 * when the page has no markers.
 */
export function updateErrorTable(page: string): string {
  const begin = page.indexOf(ERROR_TABLE_BEGIN);
  const end = page.indexOf(ERROR_TABLE_END);
  if (begin < 0 || end < begin) return page;
  return `${page.slice(0, begin + ERROR_TABLE_BEGIN.length)}\n${errorTableMarkdown()}\n${page.slice(end)}`;
}
