import { describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { parseDataLocationBody, parseDynamicQuery } from '../../../src/http/request-parsing.js';

const defaults = { permissions: ['SELECT'] as const, supportedPermissionTypes: ['COLUMN_PERMISSION'] as const, durationSeconds: 3600 };

function errorOf(fn: () => unknown): LfcsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LfcsError) return err;
    throw err;
  }
  throw new Error('expected an LfcsError');
}

describe('location= on the dynamic route', () => {
  it('becomes a data-location request with canonical locations, READ and the default duration', () => {
    const request = parseDynamicQuery({ location: '["s3://lake/b/","s3://lake/a","s3://lake/b"]' }, defaults);
    expect(request).toEqual({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: ['s3://lake/a', 's3://lake/b'],
      credentialsScope: 'READ',
      durationSeconds: 3600,
    });
  });

  it('takes credentialsScope and durationSeconds, and defaults.credentialsScope when it names none', () => {
    expect(
      parseDynamicQuery({ location: '["s3://lake/a"]', credentialsScope: 'READWRITE', durationSeconds: '900' }, defaults),
    ).toMatchObject({ credentialsScope: 'READWRITE', durationSeconds: 900 });
    expect(parseDynamicQuery({ location: '["s3://lake/a"]' }, { ...defaults, credentialsScope: 'READWRITE' })).toMatchObject({
      credentialsScope: 'READWRITE',
    });
  });

  it('refuses table parameters, bad scopes, a non-array and an empty list, naming the accepted parameters', () => {
    const withTable = errorOf(() =>
      parseDynamicQuery({ location: '["s3://lake/a"]', table: 'arn:aws:glue:us-east-1:123456789012:table/s/t' }, defaults),
    );
    expect(withTable.code).toBe('InvalidRequest');
    expect(withTable.message).toMatch(/accepted parameters: location, credentialsScope, durationSeconds/);
    expect(errorOf(() => parseDynamicQuery({ location: '["s3://lake/a"]', credentialsScope: 'WRITE' }, defaults)).message).toMatch(
      /READ, READWRITE/,
    );
    expect(errorOf(() => parseDynamicQuery({ location: 's3://lake/a' }, defaults)).message).toMatch(/JSON array/);
    expect(errorOf(() => parseDynamicQuery({ location: '[]' }, defaults)).message).toMatch(/1 to 100/);
    expect(errorOf(() => parseDynamicQuery({ location: '["s3://lake/a b"]' }, defaults)).code).toBe('InvalidRequest');
  });
});

describe('POST /v1/data-location-credentials body', () => {
  it('reads the API field names, canonicalises the locations and fills defaults', () => {
    expect(
      parseDataLocationBody(
        { DataLocations: ['s3://lake/z', 's3://lake/a/'], AuditContext: { AdditionalAuditContext: 'job 7' } },
        defaults,
      ),
    ).toEqual({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: ['s3://lake/a', 's3://lake/z'],
      credentialsScope: 'READ',
      durationSeconds: 3600,
      auditContext: { additionalAuditContext: 'job 7' },
    });
    expect(
      parseDataLocationBody({ DataLocations: ['s3://lake/a'], CredentialsScope: 'READWRITE', DurationSeconds: 1800 }, defaults),
    ).toMatchObject({ credentialsScope: 'READWRITE', durationSeconds: 1800 });
  });

  it('refuses unknown members (TableArn has no place here), a missing list and a non-object body', () => {
    expect(errorOf(() => parseDataLocationBody({ DataLocations: ['s3://lake/a'], TableArn: 'x' })).code).toBe('InvalidRequest');
    expect(errorOf(() => parseDataLocationBody({})).message).toMatch(/DataLocations/);
    expect(errorOf(() => parseDataLocationBody([])).message).toMatch(/DataLocations/);
  });
});
