/**
 * Query-string authentication (presigned URLs) for the S3 stand-in: the
 * `X-Amz-*` parameters instead of an `Authorization` header, the payload
 * always `UNSIGNED-PAYLOAD`, valid for `X-Amz-Expires` seconds from
 * `X-Amz-Date` (at most 7 days). Verified by presigning the same request
 * again with the lease's secret, with the library the SDKs presign with.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_CLOCK_SKEW_MS, parseAmzDate } from '../lakeformation/sigv4-header.js';
import type { EmulatorState } from './emulator-state.js';
import type { Lease } from './leases.js';
import { S3Error } from './s3-errors.js';
import type { ReceivedRequest } from './sigv4.js';

/** The longest validity S3 accepts for a SigV4 presigned URL, 7 days. */
const MAX_EXPIRES_SECONDS = 604_800;
const UNSIGNED = 'UNSIGNED-PAYLOAD';

/** Whether the request carries query-string authentication. */
export function isPresigned(params: URLSearchParams): boolean {
  return params.has('X-Amz-Signature') || params.has('X-Amz-Credential');
}

/**
 * @returns the live lease that presigned the request.
 * @throws S3Error as S3 answers: `AuthorizationQueryParametersError` (400) for missing or bad
 *   parameters, `InvalidAccessKeyId`, `InvalidToken`, `ExpiredToken`, `AccessDenied` "Request has
 *   expired", `SignatureDoesNotMatch`.
 */
export async function authenticatePresigned(
  request: ReceivedRequest,
  params: URLSearchParams,
  state: EmulatorState,
  region: string,
): Promise<Lease> {
  const [credential, amzDate, expires, signedHeaders, signature] = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ].map((name) => params.get(name));
  const [accessKeyId, scopeDate, scopeRegion, service, terminator] = (credential ?? '').split('/');
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  const expiresSeconds = Number(expires);
  if (
    params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
    !accessKeyId ||
    !signedHeaders ||
    !signature ||
    !signingDate ||
    scopeDate !== amzDate!.slice(0, 8) ||
    scopeRegion !== region ||
    service !== 's3' ||
    terminator !== 'aws4_request' ||
    !/^\d+$/.test(expires ?? '') ||
    expiresSeconds < 1 ||
    expiresSeconds > MAX_EXPIRES_SECONDS
  ) {
    throw new S3Error(
      'AuthorizationQueryParametersError',
      `Query-string authentication requires X-Amz-Algorithm, X-Amz-Credential (scoped to ${region}/s3), X-Amz-Date, X-Amz-Expires (1-${MAX_EXPIRES_SECONDS}), X-Amz-SignedHeaders and X-Amz-Signature.`,
    );
  }
  const nowMs = state.clock.now();
  const lease = state.leases.find(accessKeyId);
  if (!lease) throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (params.get('X-Amz-Security-Token') !== lease.credentials.sessionToken) {
    throw new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }
  if (lease.expiresAtMs <= nowMs) throw new S3Error('ExpiredToken', 'The provided token has expired.');
  if (signingDate.getTime() + expiresSeconds * 1000 < nowMs) throw new S3Error('AccessDenied', 'Request has expired');
  // Signed in the future is refused as a header-signed request would be.
  if (signingDate.getTime() - nowMs > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not yet valid');
  }

  const expected = await presignedSignature(request, params, lease, {
    region,
    signingDate,
    expiresSeconds,
    signedHeaders: signedHeaders.split(';'),
  });
  const a = Buffer.from(expected);
  const b = Buffer.from(signature.toLowerCase());
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return lease;
}

async function presignedSignature(
  request: ReceivedRequest,
  params: URLSearchParams,
  lease: Lease,
  options: { region: string; signingDate: Date; expiresSeconds: number; signedHeaders: string[] },
): Promise<string> {
  const headers: Record<string, string> = { 'x-amz-content-sha256': UNSIGNED };
  for (const name of options.signedHeaders) {
    const values = request.headers[name.toLowerCase()];
    if (values !== undefined) headers[name.toLowerCase()] = values.join(',');
  }
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    if (key === 'X-Amz-Signature') continue;
    const existing = query[key];
    query[key] = existing === undefined ? value : [existing, value].flat();
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: lease.credentials.accessKeyId,
      secretAccessKey: lease.credentials.secretAccessKey,
      sessionToken: lease.credentials.sessionToken,
    },
    region: options.region,
    service: 's3',
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: false,
  });
  const presigned = await signer.presign(
    new HttpRequest({ method: request.method, protocol: 'http:', hostname: 'emulator', path: request.path, query, headers }),
    {
      signingDate: options.signingDate,
      expiresIn: options.expiresSeconds,
      signableHeaders: new Set(options.signedHeaders.map((h) => h.toLowerCase())),
      // The payload hash is a header of the canonical request's last line only, never hoisted or signed.
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
    },
  );
  return String(presigned.query?.['X-Amz-Signature'] ?? '');
}
