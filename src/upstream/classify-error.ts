import { ERROR_CATALOGUE } from '../core/error-catalogue.js';
import { UpstreamError, type UpstreamErrorCode } from '../core/errors.js';

/**
 * Names AWS uses for throttling. Throttling is not modeled for the credential
 * calls, so it arrives under any of these (usually `ThrottlingException`,
 * "Rate exceeded", status 400). Like the SDK, we classify by name, not status.
 */
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'ThrottledException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** Rejections of the sidecar's own identity: its role or keys are wrong or expired. */
const AUTH_FAILURE_NAMES = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

/** Lake Formation's names for "this request will never succeed as sent": the catalogue's permanent codes. */
function permanentCode(name: string): UpstreamErrorCode | undefined {
  const code = name as UpstreamErrorCode;
  return Object.hasOwn(ERROR_CATALOGUE, name) && ERROR_CATALOGUE[code].source === 'upstream' && ERROR_CATALOGUE[code].permanent
    ? code
    : undefined;
}

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const MAX_MESSAGE_LENGTH = 300;

interface SdkLikeError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns whatever the SDK threw into an {@link UpstreamError} with a stable
 * code and a `retryable` flag. Only the error's name, status and (truncated)
 * message are kept: the SDK error itself carries the raw response and is
 * never attached as a cause.
 */
export function classifyUpstreamError(err: unknown, context: { timedOut?: boolean; timeoutMs?: number } = {}): UpstreamError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const status = e.$metadata?.httpStatusCode;
  // A 2xx answer that failed to parse (a SyntaxError) has a message quoting
  // the response body, which may hold key material: keep no message then.
  const fromSuccessfulAnswer = (status !== undefined && status < 300) || name === 'SyntaxError';
  const upstreamMessage = typeof e.message === 'string' && !fromSuccessfulAnswer ? e.message.slice(0, MAX_MESSAGE_LENGTH) : '';
  const details = (retryable: boolean) => ({
    upstreamName: name,
    retryable,
    ...(status !== undefined && { upstreamStatus: status }),
  });
  const describe = (prefix: string) => (upstreamMessage ? `${prefix}: ${upstreamMessage}` : prefix);

  const permanent = permanentCode(name);
  if (permanent) return new UpstreamError(permanent, describe(`Lake Formation refused the request (${name})`), details(false));
  if (THROTTLING_NAMES.has(name)) {
    return new UpstreamError('ThrottlingException', describe('Lake Formation throttled the request'), details(true));
  }
  if (name === 'InternalServiceException') {
    return new UpstreamError('InternalServiceException', describe('Lake Formation failed internally'), details(true));
  }
  if (name === 'GlueEncryptionException') {
    // Documented for GetTemporaryDataLocationCredentials ("An encryption
    // operation failed", a client fault): the Data Catalog's KMS key is
    // disabled or lfcs's role may not use it, or KMS failed. Not permanent:
    // it says nothing about the grant, so a still-valid lease keeps being
    // served (stale) instead of being evicted. Retryable: the key then backs
    // off between fetches (one call per backoff period, clients answered with
    // Retry-After meanwhile) until KMS or its key policy is fixed.
    return new UpstreamError(
      'UpstreamUnavailable',
      describe(
        "Lake Formation could not decrypt the Data Catalog (GlueEncryptionException); check the catalog's KMS key and that lfcs's role may use it",
      ),
      details(true),
    );
  }
  if (name === 'OperationTimeoutException') {
    return new UpstreamError('OperationTimeoutException', describe('Lake Formation timed out'), details(true));
  }
  // A dropped connection reaches us as `TimeoutError` with code ECONNRESET
  // ("socket hang up"): that is an unavailable service, not a slow one.
  const networkCode = typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code) ? e.code : undefined;
  if (context.timedOut || (!networkCode && (name === 'TimeoutError' || name === 'AbortError'))) {
    const limit = context.timeoutMs !== undefined ? ` within ${context.timeoutMs} ms` : '';
    return new UpstreamError('UpstreamTimeout', `Lake Formation did not answer${limit}`, details(true));
  }
  if (AUTH_FAILURE_NAMES.has(name)) {
    // Retryable: the usual cause in a pod is a web-identity token being rotated.
    return new UpstreamError(
      'UpstreamAuthFailure',
      describe(`Lake Formation rejected the sidecar's own AWS identity (${name})`),
      details(true),
    );
  }
  if (networkCode || status === undefined || status >= 500) {
    const reason = networkCode ?? (status !== undefined ? `HTTP ${status} ${name}` : name);
    return new UpstreamError('UpstreamUnavailable', `Lake Formation is unavailable (${reason})`, details(true));
  }
  return new UpstreamError(
    'UpstreamUnavailable',
    describe(`Lake Formation answered with an unexpected error (HTTP ${status} ${name})`),
    details(false),
  );
}
