import { inject } from '../../support/http-inject.js';
import { describe, expect, it } from 'vitest';
import { LfcsError, UpstreamError } from '../../../src/core/errors.js';
import { createLakeFormationApiApp, LAKE_FORMATION_NAME_BY_CODE } from '../../../src/http/lakeformation-api-app.js';
import { LOCAL_ERROR_CODES, UPSTREAM_ERROR_CODES } from '../../../src/core/errors.js';
import { FAKE_LEASE, fakeLakeFormationApiDeps } from '../../support/app-fakes.js';
import type { TableCredentialRequest } from '../../../src/lakeformation/types.js';

/**
 * The Lake Formation API app in-process, with a scripted cache and a fake
 * clock (2026-11-25T06:00:00Z). The real SDKs against the real listener are in
 * test/integration/http/lakeformation-api.test.ts and the e2e tests.
 */
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const CALLER = 'ASIAUNITTESTCALLER01';
const AMZ_DATE = '20261125T060000Z';
const SIGNATURE = 'a'.repeat(64);

function authorization(overrides: { credential?: string; signedHeaders?: string; signature?: string } = {}) {
  const credential = overrides.credential ?? `${CALLER}/20261125/us-east-1/lakeformation/aws4_request`;
  return (
    `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${overrides.signedHeaders ?? 'content-type;host;x-amz-date'}, ` +
    `Signature=${overrides.signature ?? SIGNATURE}`
  );
}

const SIGNED = { authorization: authorization(), 'x-amz-date': AMZ_DATE, 'content-type': 'application/json' };

function app(options: { allowed?: (arn: string) => boolean; burst?: number } = {}) {
  const fake = fakeLakeFormationApiDeps({ allowed: options.allowed ?? (() => true), ...(options.burst && { burst: options.burst }) });
  const handler = createLakeFormationApiApp(fake.apiDeps);
  const call = (
    path: string,
    payload: unknown,
    headers: Record<string, string | undefined> = {},
    method: 'POST' | 'GET' | 'PUT' = 'POST',
  ) => {
    const merged = Object.fromEntries(
      Object.entries({ host: '127.0.0.1:9182', ...SIGNED, ...headers }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
    return inject(handler, {
      method,
      url: path,
      headers: merged,
      ...(method !== 'GET' && { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
  };
  return { ...fake, handler, call };
}

/** Asserts the answer is a Lake Formation error of `name` and `status`, and returns its message. */
function expectLakeFormationError(res: Awaited<ReturnType<ReturnType<typeof app>['call']>>, name: string, status: number): string {
  expect(res.statusCode).toBe(status);
  expect(res.headers['x-amzn-errortype']).toBe(name);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  const body = res.json() as { __type: string; message: string };
  expect(Object.keys(body).sort()).toEqual(['__type', 'message']);
  expect(body.__type).toBe(name);
  return body.message;
}

describe('Lake Formation API app (in-process)', () => {
  it('answers GetTemporaryGlueTableCredentials as the service: epoch-seconds Expiration, VendedS3Path, 200', async () => {
    const { call, requests } = app();
    const res = await call('/GetTemporaryGlueTableCredentials', {
      TableArn: ORDERS,
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual({
      AccessKeyId: FAKE_LEASE.accessKeyId,
      SecretAccessKey: FAKE_LEASE.secretAccessKey,
      SessionToken: FAKE_LEASE.sessionToken,
      Expiration: FAKE_LEASE.expiration.getTime() / 1000,
      VendedS3Path: FAKE_LEASE.vendedS3Path,
    });
    // Taken as sent: no defaults (no Permissions, no DurationSeconds) are added.
    expect(requests.map((r) => r.request)).toEqual([
      { operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS, supportedPermissionTypes: ['COLUMN_PERMISSION'] },
    ]);
  });

  it('answers the partition operation without VendedS3Path, and keeps every field sent', async () => {
    const { call, requests } = app();
    const res = await call('/prefix/GetTemporaryGluePartitionCredentials', {
      TableArn: ORDERS,
      Partition: { Values: ['2024-01-01'] },
      Permissions: ['SELECT'],
      DurationSeconds: 900,
      AuditContext: { AdditionalAuditContext: 'job-7' },
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json() as object).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken']);
    expect(requests[0]!.request).toEqual({
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ORDERS,
      partitionValues: ['2024-01-01'],
      permissions: ['SELECT'],
      durationSeconds: 900,
      auditContext: { additionalAuditContext: 'job-7' },
    });
  });

  it('reads QuerySessionContext.QueryStartTime in epoch seconds, as the wire carries it', async () => {
    const { call, requests } = app();
    const res = await call('/GetTemporaryGlueTableCredentials', {
      TableArn: ORDERS,
      QuerySessionContext: { QueryId: 'q-1', QueryStartTime: 1795500000.5 },
    });
    expect(res.statusCode).toBe(200);
    expect((requests[0]!.request as TableCredentialRequest).querySessionContext).toEqual({
      queryId: 'q-1',
      queryStartTime: new Date(1795500000500),
    });
  });

  it('records the caller access key id on the audit line, never the key material', async () => {
    const { call, logs } = app();
    await call('/GetTemporaryGlueTableCredentials', { TableArn: ORDERS });
    const line = logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['audit'] === 'served');
    expect(line).toMatchObject({
      callerAccessKeyId: CALLER,
      tableArn: ORDERS,
      operation: 'GetTemporaryGlueTableCredentials',
      result: 'hit',
    });
    expect(logs()).not.toContain(FAKE_LEASE.secretAccessKey);
    expect(logs()).not.toContain(FAKE_LEASE.sessionToken);
  });

  it('maps lfcs refusals and upstream failures onto Lake Formation names', async () => {
    const { call, answers } = app({ allowed: (arn) => arn === ORDERS });
    const other = 'arn:aws:glue:us-east-1:123456789012:table/sales/secret';
    expect(
      expectLakeFormationError(await call('/GetTemporaryGlueTableCredentials', { TableArn: other }), 'AccessDeniedException', 403),
    ).toMatch(/dynamic.allowedTables/);
    const cases: Array<[unknown, string, number]> = [
      [
        new UpstreamError('PermissionTypeMismatchException', 'Lake Formation refused the request', {
          upstreamName: 'PermissionTypeMismatchException',
          retryable: false,
        }),
        'PermissionTypeMismatchException',
        400,
      ],
      [
        new UpstreamError('EntityNotFoundException', 'no such table', { upstreamName: 'EntityNotFoundException', retryable: false }),
        'EntityNotFoundException',
        400,
      ],
      [
        new UpstreamError('ThrottlingException', 'throttled', { upstreamName: 'ThrottlingException', retryable: true }),
        'ThrottlingException',
        400,
      ],
      [new LfcsError('UpstreamBusy', 'queue full'), 'ThrottlingException', 400],
      [
        new UpstreamError('UpstreamUnavailable', 'Lake Formation is unavailable (ECONNREFUSED)', {
          upstreamName: 'Error',
          retryable: true,
        }),
        'InternalServiceException',
        500,
      ],
      [
        new UpstreamError('UpstreamAuthFailure', "the sidecar's own identity", { upstreamName: 'ExpiredToken', retryable: true }),
        'InternalServiceException',
        500,
      ],
      [
        new UpstreamError('OperationTimeoutException', 'timed out', { upstreamName: 'OperationTimeoutException', retryable: true }),
        'OperationTimeoutException',
        400,
      ],
      [new Error(`boom ${FAKE_LEASE.secretAccessKey}`), 'InternalServiceException', 500],
    ];
    for (const [error, name, status] of cases) {
      answers.push({ error });
      const message = expectLakeFormationError(await call('/GetTemporaryGlueTableCredentials', { TableArn: ORDERS }), name, status);
      expect(message).not.toContain(FAKE_LEASE.secretAccessKey);
      if (name === 'ThrottlingException') expect(message).toMatch(/^Rate exceeded/);
    }
  });

  it('maps every lfcs error code (a new code must choose its Lake Formation name)', () => {
    expect(Object.keys(LAKE_FORMATION_NAME_BY_CODE).sort()).toEqual([...UPSTREAM_ERROR_CODES, ...LOCAL_ERROR_CODES].sort());
  });

  it('answers any other operation with UnknownOperationException saying it serves only credential vending', async () => {
    const { call, requests } = app();
    const message = expectLakeFormationError(await call('/GetDataLakeSettings', {}), 'UnknownOperationException', 404);
    expect(message).toMatch(/serves only credential vending .*GetTemporaryGlueTableCredentials.*not GetDataLakeSettings/);
    expect(requests).toHaveLength(0);
  });

  it('refuses the dynamic-disabled case as AccessDeniedException', async () => {
    const fake = fakeLakeFormationApiDeps({});
    const res = await inject(createLakeFormationApiApp(fake.apiDeps), {
      method: 'POST',
      url: '/GetTemporaryGlueTableCredentials',
      headers: { host: '127.0.0.1:9182', ...SIGNED },
      payload: JSON.stringify({ TableArn: ORDERS }),
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException');
  });
});

describe('Lake Formation API app: malformed and hostile requests', () => {
  const T = '/GetTemporaryGlueTableCredentials';
  const body = { TableArn: ORDERS };

  it('requires a SigV4 Authorization header', async () => {
    const { call, requests } = app();
    expectLakeFormationError(await call(T, body, { authorization: undefined }), 'MissingAuthenticationTokenException', 403);
    expectLakeFormationError(await call(T, body, { authorization: 'Bearer abc' }), 'InvalidSignatureException', 403);
    expectLakeFormationError(await call(T, body, { authorization: 'AWS4-HMAC-SHA256 Credential=x' }), 'IncompleteSignatureException', 400);
    expectLakeFormationError(
      await call(T, body, { authorization: authorization({ credential: `${CALLER}/20261125/us-east-1/lakeformation` }) }),
      'IncompleteSignatureException',
      400,
    );
    expectLakeFormationError(
      await call(T, body, { authorization: authorization({ credential: 'not a key/20261125/us-east-1/lakeformation/aws4_request' }) }),
      'IncompleteSignatureException',
      400,
    );
    expectLakeFormationError(
      await call(T, body, { authorization: authorization({ signature: 'zz' }) }),
      'IncompleteSignatureException',
      400,
    );
    expect(requests).toHaveLength(0);
  });

  it('requires the signature to be for lakeformation, signed over host and x-amz-date', async () => {
    const { call } = app();
    const message = expectLakeFormationError(
      await call(T, body, { authorization: authorization({ credential: `${CALLER}/20261125/us-east-1/s3/aws4_request` }) }),
      'InvalidSignatureException',
      403,
    );
    expect(message).toContain("'lakeformation'");
    expectLakeFormationError(
      await call(T, body, { authorization: authorization({ signedHeaders: 'content-type' }) }),
      'InvalidSignatureException',
      403,
    );
  });

  it('requires an X-Amz-Date within 15 minutes of the clock, matching the credential scope', async () => {
    const { call, clock } = app();
    expectLakeFormationError(await call(T, body, { 'x-amz-date': undefined }), 'IncompleteSignatureException', 400);
    expectLakeFormationError(await call(T, body, { 'x-amz-date': '2026-11-25T06:00:00Z' }), 'IncompleteSignatureException', 400);
    expectLakeFormationError(await call(T, body, { 'x-amz-date': '20261126T060000Z' }), 'InvalidSignatureException', 403);
    // 14 minutes old is fine; 16 is "Signature expired".
    clock.set(Date.UTC(2026, 10, 25, 6, 14, 0));
    expect((await call(T, body)).statusCode).toBe(200);
    clock.set(Date.UTC(2026, 10, 25, 6, 16, 0));
    expect(expectLakeFormationError(await call(T, body), 'InvalidSignatureException', 403)).toMatch(/^Signature expired/);
    clock.set(Date.UTC(2026, 10, 25, 5, 44, 0));
    expect(expectLakeFormationError(await call(T, body), 'InvalidSignatureException', 403)).toMatch(/^Signature not yet current/);
  });

  it('requires POST and a JSON content type', async () => {
    const { call, requests } = app();
    const get = await call(T, undefined, {}, 'GET');
    expectLakeFormationError(get, 'MethodNotAllowedException', 405);
    expect(get.headers['allow']).toBe('POST');
    expectLakeFormationError(await call(T, body, { 'content-type': 'text/plain' }), 'UnsupportedMediaTypeException', 415);
    expectLakeFormationError(
      await call(T, body, { 'content-type': 'application/x-www-form-urlencoded' }),
      'UnsupportedMediaTypeException',
      415,
    );
    expectLakeFormationError(await call(T, body, { 'content-type': undefined }), 'UnsupportedMediaTypeException', 415);
    expect((await call(T, body, { 'content-type': 'application/x-amz-json-1.1' })).statusCode).toBe(200);
    expect(requests).toHaveLength(1);
  });

  it('refuses a foreign Host and proxied requests (DNS rebinding, forwarding)', async () => {
    const { call, requests } = app();
    expectLakeFormationError(await call(T, body, { host: 'evil.example:9182' }), 'AccessDeniedException', 403);
    expectLakeFormationError(await call(T, body, { 'x-forwarded-for': '10.0.0.1' }), 'AccessDeniedException', 403);
    expectLakeFormationError(await call(T, body, { forwarded: 'for=10.0.0.1' }), 'AccessDeniedException', 403);
    expect(requests).toHaveLength(0);
  });

  it('refuses unreadable, oversized, compressed and invalid bodies, naming the field', async () => {
    const { call, requests } = app();
    expectLakeFormationError(await call(T, '{"TableArn": '), 'SerializationException', 400);
    expectLakeFormationError(await call(T, '"a string"'), 'SerializationException', 400);
    expectLakeFormationError(await call(T, '[]'), 'InvalidInputException', 400);
    expectLakeFormationError(await call(T, ''), 'InvalidInputException', 400);
    expectLakeFormationError(await call(T, JSON.stringify({ TableArn: 'x'.repeat(70_000) })), 'RequestEntityTooLargeException', 413);
    expectLakeFormationError(await call(T, body, { 'content-encoding': 'gzip' }), 'UnsupportedMediaTypeException', 415);
    expect(expectLakeFormationError(await call(T, { TableArn: 'arn:aws:s3:::bucket' }), 'InvalidInputException', 400)).toContain(
      'TableArn',
    );
    expect(expectLakeFormationError(await call(T, { TableArn: ORDERS, DurationSeconds: 60 }), 'InvalidInputException', 400)).toContain(
      'DurationSeconds',
    );
    // Unknown members are refused, not dropped: lfcs must not widen a request by ignoring a member.
    expect(expectLakeFormationError(await call(T, { TableArn: ORDERS, Extra: 1 }), 'InvalidInputException', 400)).toContain('Extra');
    expect(
      expectLakeFormationError(
        await call(T, { TableArn: ORDERS, QuerySessionContext: { QueryStartTime: '2026-01-01T00:00:00Z' } }),
        'InvalidInputException',
        400,
      ),
    ).toContain('QueryStartTime');
    expectLakeFormationError(await call('/GetTemporaryGluePartitionCredentials', { TableArn: ORDERS }), 'InvalidInputException', 400);
    expect(requests).toHaveLength(0);
  });

  it('throttles past its rate limit with ThrottlingException "Rate exceeded"', async () => {
    const { call } = app({ burst: 2 });
    expect((await call(T, body)).statusCode).toBe(200);
    expect((await call(T, body)).statusCode).toBe(200);
    expect(expectLakeFormationError(await call(T, body), 'ThrottlingException', 400)).toMatch(/^Rate exceeded/);
  });

  it('logs each refusal once with the caller access key id, and no secret', async () => {
    const { call, logs } = app();
    await call(T, { TableArn: 'bad' });
    const denied = logs()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['audit'] === 'denied');
    expect(denied).toEqual([expect.objectContaining({ code: 'InvalidInputException', status: 400, callerAccessKeyId: CALLER })]);
    expect(logs()).not.toContain(SIGNATURE);
  });
});
