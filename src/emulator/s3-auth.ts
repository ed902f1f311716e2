/**
 * Who signed an S3 request: only credentials this emulator's Lake Formation
 * vended (a lease) are accepted, as only they are scoped to table data. A
 * header signature is checked by the emulator's one SigV4 verifier with S3's
 * rules, a presigned URL by s3-presigned.ts; failures are answered with S3's
 * error codes.
 */
import { createHash } from 'node:crypto';
import { checkSignatureShape } from '../lakeformation/sigv4-header.js';
import type { EmulatorState } from './emulator-state.js';
import type { Lease } from './leases.js';
import { S3Error } from './s3-errors.js';
import { authenticatePresigned, isPresigned } from './s3-presigned.js';
import { ServiceError } from './service-error.js';
import { UNSIGNED_PAYLOAD, verifySignature, type ReceivedRequest } from './sigv4.js';

export const S3_SIGNING_SERVICE = 's3';

/**
 * @returns the live lease whose credentials signed the request.
 * @throws S3Error `AccessDenied` (anonymous), `InvalidAccessKeyId`, `ExpiredToken`, `InvalidToken`,
 *   `AuthorizationHeaderMalformed`, `InvalidRequest` (no payload hash), `XAmzContentSHA256Mismatch`,
 *   `SignatureDoesNotMatch`.
 */
export async function authenticateS3(request: ReceivedRequest, state: EmulatorState): Promise<Lease> {
  const authorization = header(request, 'authorization');
  const params = new URLSearchParams(request.query);
  if (authorization === undefined && isPresigned(params)) return authenticatePresigned(request, params, state, state.catalog.region);
  if (authorization === undefined) throw new S3Error('AccessDenied', 'Access Denied');
  const nowMs = state.clock.now();
  const shape = checkSignatureShape(authorization, header(request, 'x-amz-date'), {
    service: S3_SIGNING_SERVICE,
    nowMs,
    region: state.catalog.region,
  });
  if (!shape.ok) {
    throw new S3Error(
      shape.problem.kind === 'incomplete' ? 'AuthorizationHeaderMalformed' : 'SignatureDoesNotMatch',
      shape.problem.message,
    );
  }
  const lease = state.leases.find(shape.value.authorization.accessKeyId);
  if (!lease) throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (header(request, 'x-amz-security-token') !== lease.credentials.sessionToken) {
    throw new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
  }
  if (lease.expiresAtMs <= nowMs) throw new S3Error('ExpiredToken', 'The provided token has expired.');
  checkContentSha256(request);

  try {
    await verifySignature(request, {
      findPrincipal: () => ({
        accessKeyId: lease.credentials.accessKeyId,
        secretAccessKey: lease.credentials.secretAccessKey,
        sessionToken: lease.credentials.sessionToken,
        principalArn: lease.principalArn,
      }),
      service: S3_SIGNING_SERVICE,
      region: state.catalog.region,
      nowMs,
      s3: true,
    });
  } catch (err) {
    if (err instanceof ServiceError) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    throw err;
  }
  return lease;
}

/** S3 needs `x-amz-content-sha256` on every header-signed request; a hash must match the body. */
function checkContentSha256(request: ReceivedRequest): void {
  const claimed = header(request, 'x-amz-content-sha256');
  if (claimed === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  if (claimed === UNSIGNED_PAYLOAD) return;
  if (!/^[0-9a-f]{64}$/i.test(claimed)) {
    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD (aws-chunked uploads) is outside this stand-in's subset.
    throw new S3Error(
      'NotImplemented',
      `x-amz-content-sha256 '${claimed.slice(0, 64)}' is not supported here: send the body's SHA-256 or UNSIGNED-PAYLOAD`,
    );
  }
  const actual = createHash('sha256').update(request.body).digest('hex');
  if (claimed.toLowerCase() !== actual) {
    throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
}

function header(request: ReceivedRequest, name: string): string | undefined {
  const values = request.headers[name];
  return values === undefined ? undefined : values.join(',');
}
