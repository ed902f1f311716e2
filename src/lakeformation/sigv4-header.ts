/**
 * The shape of a SigV4-signed request, as the AWS front door checks it before
 * it looks at any secret: the `Authorization` header's parts, the
 * `X-Amz-Date` format, the credential scope and the 15-minute clock window.
 * Shared by the emulator (which then verifies the signature) and lfcs's Lake
 * Formation API listener (which cannot: it does not hold the caller's secret).
 */

/** The SigV4 signing name of Lake Formation. */
export const SIGNING_SERVICE = 'lakeformation';
/** How far a request's `x-amz-date` may be from the receiver's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The parts of `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export interface SigV4Authorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case header names. */
  signedHeaders: string[];
  /** Lower-case hex. */
  signature: string;
}

/**
 * Why a request's signature is not even well formed. `incomplete`: a part is
 * missing or unreadable (AWS: IncompleteSignatureException); `invalid`: the
 * parts are there but name the wrong algorithm, service or time
 * (InvalidSignatureException).
 */
export interface SignatureProblem {
  kind: 'incomplete' | 'invalid';
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: SignatureProblem };

const incomplete = (message: string): Parsed<never> => ({ ok: false, problem: { kind: 'incomplete', message } });
const invalid = (message: string): Parsed<never> => ({ ok: false, problem: { kind: 'invalid', message } });

/** Parses the `Authorization` header; never echoes a signature. */
export function parseSigV4Authorization(header: string): Parsed<SigV4Authorization> {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) return invalid(`Unsupported authorization type: only ${ALGORITHM} is accepted.`);
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const separator = part.indexOf('=');
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    return incomplete("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  const [accessKeyId, scopeDate, region, service, terminator, ...extra] = credential.split('/');
  if (!accessKeyId || !scopeDate || !region || !service || terminator !== 'aws4_request' || extra.length > 0) {
    return incomplete('Credential should be scoped to a valid region, service and date: <key>/<yyyymmdd>/<region>/<service>/aws4_request.');
  }
  return {
    ok: true,
    value: {
      accessKeyId,
      scopeDate,
      region,
      service,
      signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
      signature: signature.toLowerCase(),
    },
  };
}

/** `yyyyMMddTHHmmssZ` to a Date, or undefined. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const date = new Date(ms);
  // Date.UTC rolls 20261399 over into another month; a real signer never sends that.
  return Number.isNaN(ms) || formatAmzDate(ms) !== value ? undefined : date;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** AWS's own wording for a request signed more than 15 minutes off `nowMs`; undefined when within. */
export function clockSkewProblem(amzDate: string, signingDate: Date, nowMs: number): SignatureProblem | undefined {
  const skew = signingDate.getTime() - nowMs;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    return {
      kind: 'invalid',
      message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} - 15 min.)`,
    };
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    return {
      kind: 'invalid',
      message: `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} + 15 min.)`,
    };
  }
  return undefined;
}

/**
 * Everything about a request's signature that can be checked without the
 * signer's secret: a parsable `Authorization` for `service`, an `X-Amz-Date`
 * within the clock window whose day matches the credential scope, and both
 * `host` and `x-amz-date` among the signed headers.
 * @returns the parsed header and signing time, or the first problem found.
 */
export function checkSignatureShape(
  authorization: string,
  amzDate: string | undefined,
  options: { service: string; nowMs: number; region?: string; regionMessage?: string },
): Parsed<{ authorization: SigV4Authorization; signingDate: Date }> {
  const parsed = parseSigV4Authorization(authorization);
  if (!parsed.ok) return parsed;
  const auth = parsed.value;
  if (auth.service !== options.service) return invalid(`Credential should be scoped to correct service: '${options.service}'.`);
  if (options.region !== undefined && auth.region !== options.region) {
    return invalid(options.regionMessage ?? `Credential should be scoped to a valid region: '${options.region}'.`);
  }
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signingDate === undefined) {
    return incomplete("Authorization header requires a valid 'X-Amz-Date' header (yyyyMMddTHHmmssZ).");
  }
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    return invalid("'Host' and 'X-Amz-Date' must be signed headers.");
  }
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  const skew = clockSkewProblem(amzDate, signingDate, options.nowMs);
  if (skew) return { ok: false, problem: skew };
  return { ok: true, value: { authorization: auth, signingDate } };
}
