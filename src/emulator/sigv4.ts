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
import { checkSignatureShape, parseSigV4Authorization, SIGNING_SERVICE, type SigV4Authorization } from '../lakeformation/sigv4-header.js';
import type { SigningPrincipal } from './catalog.js';
import { ServiceError } from './service-error.js';

export { MAX_CLOCK_SKEW_MS, SIGNING_SERVICE } from '../lakeformation/sigv4-header.js';

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
  findPrincipal(accessKeyId: string): SigningPrincipal | undefined;
  /** The signing name the credential scope must name. Default `lakeformation`. */
  service?: string;
  /** The region the credential scope must name. */
  region: string;
  /** The emulator clock, milliseconds since the epoch. */
  nowMs: number;
  /**
   * S3's rules: the path is signed as sent (S3 signers do not encode it a
   * second time) and `x-amz-content-sha256: UNSIGNED-PAYLOAD` stands for an
   * unhashed body. Default false.
   */
  s3?: boolean;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
/** The payload hash S3 clients send when they do not hash the body. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * @returns the principal that signed the request.
 * @throws ServiceError `MissingAuthenticationTokenException` without an Authorization header,
 *   `UnrecognizedClientException` for an unknown key or wrong session token,
 *   `InvalidSignatureException` for everything else that does not verify.
 */
export async function verifySignature(request: ReceivedRequest, options: VerifyOptions): Promise<SigningPrincipal> {
  const authorization = singleHeader(request, 'authorization');
  if (authorization === undefined) {
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const parsed = parseSigV4Authorization(authorization);
  // The emulator answers every malformed signature as InvalidSignatureException, as it always has.
  if (!parsed.ok) throw invalidSignature(parsed.problem.message);

  const principal = options.findPrincipal(parsed.value.accessKeyId);
  if (!principal) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);

  const shape = checkSignatureShape(authorization, singleHeader(request, 'x-amz-date'), {
    service: options.service ?? SIGNING_SERVICE,
    nowMs: options.nowMs,
    region: options.region,
    regionMessage: `Credential should be scoped to a valid region. This emulator serves '${options.region}'.`,
  });
  if (!shape.ok) throw invalidSignature(shape.problem.message);
  const { authorization: auth, signingDate } = shape.value;

  const sessionToken = singleHeader(request, 'x-amz-security-token');
  if (sessionToken !== principal.sessionToken) throw new ServiceError('UnrecognizedClientException', INVALID_TOKEN);

  checkPayloadHash(request, options.s3 ?? false);

  const expected = await signatureFor(request, principal, auth, signingDate, options.s3 ?? false);
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

/**
 * The signer trusts an `x-amz-content-sha256` header instead of hashing the body
 * (the JS SDK always sends one), so a body changed in transit would verify.
 * The front door compares the header with the body; so does the emulator.
 */
function checkPayloadHash(request: ReceivedRequest, s3: boolean): void {
  const claimed = singleHeader(request, 'x-amz-content-sha256');
  if (claimed === undefined || (s3 && claimed === UNSIGNED_PAYLOAD)) return;
  const actual = createHash('sha256').update(request.body).digest('hex');
  if (claimed.toLowerCase() !== actual) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

/** Re-signs the request from only the headers the caller signed, at the caller's signing time. */
async function signatureFor(
  request: ReceivedRequest,
  principal: SigningPrincipal,
  auth: SigV4Authorization,
  signingDate: Date,
  s3: boolean,
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
    uriEscapePath: !s3,
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
