import { describe, expect, it } from 'vitest';
import { LfcsError, LOCAL_ERROR_CODES, UPSTREAM_ERROR_CODES } from '../../../src/core/errors.js';
import {
  ICEBERG_ERROR_STATUS,
  IcebergError,
  renderIcebergError,
  toIcebergError,
  upstreamErrorAnswer,
} from '../../../src/iceberg/errors.js';
import { bodyOf } from './support.js';

const SPEC_STATUSES = [400, 401, 403, 404, 405, 406, 429, 500, 503];

describe('IcebergErrorResponse', () => {
  it.each(Object.entries(ICEBERG_ERROR_STATUS))('renders %s as {"error": {message, type, code}} with status %i', (type, status) => {
    const answer = renderIcebergError(new IcebergError(type as keyof typeof ICEBERG_ERROR_STATUS, 'what happened'));
    expect(answer.status).toBe(status);
    expect(answer.headers['Content-Type']).toBe('application/json');
    expect(answer.headers['Cache-Control']).toBe('no-store');
    expect(bodyOf(answer)).toEqual({ error: { message: 'what happened', type, code: status } });
  });

  it('answers HEAD with the status and headers alone', () => {
    const answer = renderIcebergError(new IcebergError('NoSuchTableException', 'no'), true);
    expect(answer).toEqual({ status: 404, headers: { 'Cache-Control': 'no-store' } });
  });

  it('sends Retry-After (whole seconds, at least 1) and Allow', () => {
    const busy = renderIcebergError(new IcebergError('ServiceUnavailableException', 'busy', { retryAfterSeconds: 0.2 }));
    expect(busy.headers['Retry-After']).toBe('1');
    const method = renderIcebergError(new IcebergError('MethodNotAllowedException', 'no', { allow: ['GET', 'HEAD'] }));
    expect(method.headers.Allow).toBe('GET, HEAD');
  });

  it('gives every lfcs error code a spec status, with Retry-After on every 429 and 503', () => {
    for (const code of [...UPSTREAM_ERROR_CODES, ...LOCAL_ERROR_CODES]) {
      const error = toIcebergError(new LfcsError(code, `${code} happened`));
      expect(SPEC_STATUSES, code).toContain(error.status);
      expect(error.message).toBe(`${code}: ${code} happened`);
      if (error.status === 429 || error.status === 503) expect(error.retryAfterSeconds, code).toBeGreaterThan(0);
    }
    expect(toIcebergError(new LfcsError('Unauthorized', 'x')).type).toBe('NotAuthorizedException');
    expect(toIcebergError(new LfcsError('AccessDeniedException', 'x')).status).toBe(403);
    expect(toIcebergError(new LfcsError('EntityNotFoundException', 'x')).type).toBe('NoSuchTableException');
    expect(toIcebergError(new LfcsError('RateLimited', 'x', { retryAfterSeconds: 3 })).retryAfterSeconds).toBe(3);
  });

  it('names each lfcs code by the type of its catalogue status (the narrower NoSuchTableException for EntityNotFoundException)', () => {
    const expected: Record<string, string> = {
      AccessDeniedException: 'ForbiddenException',
      EntityNotFoundException: 'NoSuchTableException',
      InvalidInputException: 'BadRequestException',
      PermissionTypeMismatchException: 'ForbiddenException',
      ThrottlingException: 'ServiceUnavailableException',
      InternalServiceException: 'ServiceUnavailableException',
      OperationTimeoutException: 'ServiceUnavailableException',
      ConflictException: 'BadRequestException',
      UpstreamAuthFailure: 'ServiceUnavailableException',
      UpstreamUnavailable: 'ServiceUnavailableException',
      UpstreamTimeout: 'ServiceUnavailableException',
      InvalidUpstreamResponse: 'ServiceUnavailableException',
      InvalidRequest: 'BadRequestException',
      ProfileNotFound: 'NotFoundException',
      RouteNotFound: 'NotFoundException',
      DynamicRequestsDisabled: 'ForbiddenException',
      TableNotAllowed: 'ForbiddenException',
      LocationNotAllowed: 'ForbiddenException',
      Unauthorized: 'NotAuthorizedException',
      NoBinding: 'ForbiddenException',
      NodeMismatch: 'ForbiddenException',
      IssuerUnavailable: 'ServiceUnavailableException',
      ForbiddenHost: 'ForbiddenException',
      ForwardedRequestRejected: 'ForbiddenException',
      MethodNotAllowed: 'MethodNotAllowedException',
      PayloadTooLarge: 'BadRequestException',
      UnsupportedMediaType: 'BadRequestException',
      HeadersTooLarge: 'BadRequestException',
      RequestTimeout: 'BadRequestException',
      ExpectationFailed: 'BadRequestException',
      RateLimited: 'TooManyRequestsException',
      UpstreamBusy: 'ServiceUnavailableException',
      NotReady: 'ServiceUnavailableException',
      IncompleteCoverage: 'ServiceUnavailableException',
      ShuttingDown: 'ServiceUnavailableException',
      CacheEvicted: 'ServiceUnavailableException',
      InternalError: 'InternalServerError',
      InvalidConfiguration: 'InternalServerError',
    };
    for (const code of [...UPSTREAM_ERROR_CODES, ...LOCAL_ERROR_CODES]) {
      expect(toIcebergError(new LfcsError(code, 'x')).type, code).toBe(expected[code]);
    }
  });

  it('says nothing of an unexpected exception', () => {
    const answer = renderIcebergError(new TypeError('secret-ish detail'));
    expect(answer.status).toBe(500);
    expect(answer.body?.toString()).not.toContain('secret-ish');
  });
});

describe('upstream error answers', () => {
  const glueThrottle = Buffer.from('{"error":{"message":"Rate exceeded","type":"ThrottlingException","code":400}}');

  it("maps Glue's HTTP 400 Rate exceeded to 429 with Retry-After, so Iceberg Java retries", () => {
    const answer = upstreamErrorAnswer(400, glueThrottle, false)!;
    expect(answer.status).toBe(429);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(bodyOf(answer).error).toMatchObject({ type: 'TooManyRequestsException', code: 429 });
  });

  it('recognises the throttle by its message when the type is missing', () => {
    const answer = upstreamErrorAnswer(400, Buffer.from('{"error":{"message":"Rate exceeded","code":400}}'), false);
    expect(answer?.status).toBe(429);
  });

  it('passes other 400s and 404s through unchanged', () => {
    expect(
      upstreamErrorAnswer(400, Buffer.from('{"error":{"message":"bad","type":"BadRequestException","code":400}}'), false),
    ).toBeUndefined();
    expect(upstreamErrorAnswer(404, Buffer.from('not json'), false)).toBeUndefined();
  });

  it("turns the upstream's 401 (lfcs's own identity refused) into 503, never the caller's 401", () => {
    const answer = upstreamErrorAnswer(401, Buffer.from('{}'), true)!;
    expect(answer.status).toBe(503);
    expect(answer.body).toBeUndefined();
    expect(answer.headers['Retry-After']).toBe('1');
  });
});
