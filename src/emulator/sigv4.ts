/**
 * SigV4 verification as the AWS front door does it: find the caller by access
 * key id, check the credential scope and the request time, then sign the
 * request again with the caller's secret and compare. Signing is done by
 * `@smithy/signature-v4`, the library the SDK signs with.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CatalogPrincipal } from './catalog.js';
import { ServiceError } from './service-error.js';

/** The SigV4 signing name of Lake Formation. */
export const SIGNING_SERVICE = 'lakeformation';
/** How far a request's `x-amz-date` may be from the emulator's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** A received request, as the verifier needs it. */
export interface ReceivedRequest {
  method: string;
  /** Path as sent, still percent-encoded, without the query. */
  path: string;
  /** Query string as sent, without `?`. */
  query: string;
  /** Lower-case names; repeated headers as arrays. */
  headers: Record<string, string[] | undefined>;
  body: Uint8Array;
}

export interface VerifyOptions {
  findPrincipal(accessKeyId: string): CatalogPrincipal | undefined;
  /** The region the credential scope must name. */
  region: string;
  /** The emulator clock, milliseconds since the epoch. */
  nowMs: number;
}

interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

/**
 * @returns the principal that signed the request.
 * @throws ServiceError `MissingAuthenticationTokenException` without an Authorization header,
 *   `UnrecognizedClientException` for an unknown key or wrong session token,
 *   `InvalidSignatureException` for everything else that does not verify.
 */
export async function verifySignature(request: ReceivedRequest, options: VerifyOptions): Promise<CatalogPrincipal> {
  const authorization = singleHeader(request, 'authorization');
  if (authorization === undefined) {
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const auth = parseAuthorization(authorization);

  const principal = options.findPrincipal(auth.accessKeyId);
  if (!principal) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);

  if (auth.service !== SIGNING_SERVICE) {
    throw invalidSignature(`Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`);
  }
  if (auth.region !== options.region) {
    throw invalidSignature(`Credential should be scoped to a valid region. This emulator serves '${options.region}'.`);
  }

  const amzDate = singleHeader(request, 'x-amz-date');
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signingDate === undefined) {
    throw invalidSignature("Authorization header requires a valid 'X-Amz-Date' header (yyyyMMddTHHmmssZ).");
  }
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    throw invalidSignature("'Host' and 'X-Amz-Date' must be signed headers.");
  }
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    throw invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  checkClockSkew(amzDate, signingDate, options.nowMs);

  const sessionToken = singleHeader(request, 'x-amz-security-token');
  if (sessionToken !== principal.sessionToken) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);

  checkPayloadHash(request);

  const expected = await signatureFor(request, principal, auth, signingDate);
  if (!sameSignature(expected, auth.signature)) throw invalidSignature(SIGNATURE_MISMATCH);
  return principal;
}

function invalidSignature(message: string): ServiceError {
  return new ServiceError('InvalidSignatureException', message);
}

function singleHeader(request: ReceivedRequest, name: string): string | undefined {
  const values = request.headers[name];
  return values === undefined ? undefined : values.join(',');
}

/** `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex` */
function parseAuthorization(header: string): ParsedAuthorization {
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  if (algorithm !== ALGORITHM) {
    throw invalidSignature(`Unsupported authorization type: only ${ALGORITHM} is accepted.`);
  }
  const fields = new Map<string, string>();
  for (const part of rest.join(' ').split(',')) {
    const separator = part.indexOf('=');
    if (separator > 0) fields.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw invalidSignature("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  const [accessKeyId, scopeDate, region, service, terminator, ...extra] = credential.split('/');
  if (!accessKeyId || !scopeDate || !region || !service || terminator !== 'aws4_request' || extra.length > 0) {
    throw invalidSignature(
      `Credential should be scoped to a valid region, service and date: <key>/<yyyymmdd>/<region>/<service>/aws4_request, got '${credential}'.`,
    );
  }
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature: signature.toLowerCase(),
  };
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  const ms = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** AWS's own wording, which the SDK's clock-skew correction does not depend on but humans recognise. */
function checkClockSkew(amzDate: string, signingDate: Date, nowMs: number): void {
  const skew = signingDate.getTime() - nowMs;
  if (skew < -MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} - 15 min.)`,
    );
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(nowMs)} + 15 min.)`,
    );
  }
}

/**
 * The signer trusts an `x-amz-content-sha256` header instead of hashing the body
 * (the JS SDK always sends one), so a body changed in transit would verify.
 * The front door compares the header with the body; so does the emulator.
 */
function checkPayloadHash(request: ReceivedRequest): void {
  const claimed = singleHeader(request, 'x-amz-content-sha256');
  if (claimed === undefined) return;
  const actual = createHash('sha256').update(request.body).digest('hex');
  if (claimed.toLowerCase() !== actual) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

/** Re-signs the request from only the headers the caller signed, at the caller's signing time. */
async function signatureFor(
  request: ReceivedRequest,
  principal: CatalogPrincipal,
  auth: ParsedAuthorization,
  signingDate: Date,
): Promise<string> {
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = singleHeader(request, name);
    if (value !== undefined) headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: principal.accessKeyId,
      secretAccessKey: principal.secretAccessKey,
      ...(principal.sessionToken ? { sessionToken: principal.sessionToken } : {}),
    },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    // The signer would otherwise add an `x-amz-content-sha256` header the caller may not have signed.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'http:',
      hostname: 'emulator',
      path: request.path,
      query: parseQuery(request.query),
      headers,
      body: request.body,
    }),
    // Headers such as user-agent are unsignable by default; a caller that signed them (botocore
    // signs most headers) must still verify, so everything the caller listed is signable.
    { signingDate, signableHeaders: new Set(auth.signedHeaders) },
  );
  const match = /Signature=([0-9a-f]+)/.exec(String(signed.headers['authorization']));
  return match?.[1] ?? '';
}

function parseQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
