import { describe, expect, it } from 'vitest';
import { isPermanentUpstreamError } from '../../../src/core/errors.js';
import { classifyUpstreamError } from '../../../src/upstream/classify-error.js';

function sdkError(name: string, status?: number, message = 'upstream message') {
  const err = new Error(message) as Error & { $metadata: { httpStatusCode?: number } };
  err.name = name;
  err.$metadata = status === undefined ? {} : { httpStatusCode: status };
  return err;
}

describe('classifyUpstreamError', () => {
  it.each([
    ['AccessDeniedException', 400, 'AccessDeniedException', false],
    ['EntityNotFoundException', 400, 'EntityNotFoundException', false],
    ['InvalidInputException', 400, 'InvalidInputException', false],
    ['PermissionTypeMismatchException', 400, 'PermissionTypeMismatchException', false],
    ['ThrottlingException', 400, 'ThrottlingException', true],
    ['TooManyRequestsException', 429, 'ThrottlingException', true],
    ['InternalServiceException', 500, 'InternalServiceException', true],
    ['OperationTimeoutException', 400, 'OperationTimeoutException', true],
    ['UnrecognizedClientException', 403, 'UpstreamAuthFailure', true],
    ['InvalidSignatureException', 403, 'UpstreamAuthFailure', true],
    ['ServiceUnavailableException', 503, 'UpstreamUnavailable', true],
    ['SomeNewClientError', 400, 'UpstreamUnavailable', false],
  ] as const)('classifies %s (HTTP %s) by name as %s, retryable=%s', (name, status, code, retryable) => {
    const error = classifyUpstreamError(sdkError(name, status));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.upstreamName).toBe(name);
  });

  it('classifies GlueEncryptionException (the location call, HTTP 400) as retryable and not permanent', () => {
    const error = classifyUpstreamError(sdkError('GlueEncryptionException', 400, 'An encryption operation failed.'));
    expect(error).toMatchObject({ code: 'UpstreamUnavailable', retryable: true, upstreamName: 'GlueEncryptionException' });
    expect(isPermanentUpstreamError(error)).toBe(false);
    expect(error.message).toContain('could not decrypt the Data Catalog');
    expect(error.message).toContain('An encryption operation failed.');
  });

  it('classifies by name, not status: a 400 ThrottlingException is throttling', () => {
    expect(classifyUpstreamError(sdkError('ThrottlingException', 400)).retryable).toBe(true);
  });

  it('treats connection failures and our own timeout as retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyUpstreamError(refused)).toMatchObject({ code: 'UpstreamUnavailable', retryable: true });
    const hangUp = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(classifyUpstreamError(hangUp)).toMatchObject({ code: 'UpstreamUnavailable', retryable: true });
    const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(classifyUpstreamError(aborted, { timedOut: true, timeoutMs: 3000 })).toMatchObject({
      code: 'UpstreamTimeout',
      retryable: true,
      message: 'Lake Formation did not answer within 3000 ms',
    });
  });

  it('never keeps the SDK error (which holds the raw response) as a cause', () => {
    const error = classifyUpstreamError(sdkError('AccessDeniedException', 400));
    expect(error.cause).toBeUndefined();
    expect(Object.values(error)).not.toContainEqual(expect.objectContaining({ $metadata: expect.anything() }));
  });

  it('keeps no message from a 2xx answer that failed to parse: it may quote the body', () => {
    const parseError = sdkError('SyntaxError', 200, 'Unexpected token \'x\', ..."AKEY/secret/value"x}" is not valid JSON');
    const error = classifyUpstreamError(parseError);
    expect(error).toMatchObject({ code: 'UpstreamUnavailable', retryable: false });
    expect(error.message).not.toContain('secret/value');
  });

  it('truncates long upstream messages', () => {
    const error = classifyUpstreamError(sdkError('AccessDeniedException', 400, 'x'.repeat(5000)));
    expect(error.message.length).toBeLessThan(400);
  });
});
