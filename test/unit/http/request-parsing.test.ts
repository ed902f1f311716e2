import { describe, expect, it } from 'vitest';
import type { LfcsError } from '../../../src/core/errors.js';
import type { TableCredentialRequest } from '../../../src/lakeformation/types.js';
import { parseDynamicQuery, parsePartitionBody, parseTableBody } from '../../../src/http/request-parsing.js';

const ARN = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const defaults = { permissions: ['SELECT'] as const, supportedPermissionTypes: ['COLUMN_PERMISSION'] as const, durationSeconds: 3600 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as LfcsError).code;
  }
  return 'no error';
}

describe('parseDynamicQuery', () => {
  it('applies defaults to a bare table request', () => {
    expect(parseDynamicQuery({ table: ARN }, defaults)).toEqual({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ARN,
      permissions: ['SELECT'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 3600,
    });
  });

  it('parses every optional parameter of a table request', () => {
    const request = parseDynamicQuery(
      {
        table: ARN,
        permissions: 'SELECT,DESCRIBE',
        supportedPermissionTypes: 'COLUMN_PERMISSION,CELL_FILTER_PERMISSION',
        durationSeconds: '900',
        s3Path: 's3://demo-lake/sales/orders/dt=2024-01-01/',
        queryId: 'q-1',
        clusterId: 'c-1',
        queryAuthorizationId: 'a-1',
        queryStartTime: '2026-11-25T06:00:00Z',
      },
      defaults,
    );
    expect(request).toMatchObject({
      permissions: ['SELECT', 'DESCRIBE'],
      supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      durationSeconds: 900,
      s3Path: 's3://demo-lake/sales/orders/dt=2024-01-01/',
      querySessionContext: {
        queryId: 'q-1',
        clusterId: 'c-1',
        queryAuthorizationId: 'a-1',
        queryStartTime: new Date('2026-11-25T06:00:00Z'),
      },
    });
  });

  it('turns a partition parameter into a partition request', () => {
    const request = parseDynamicQuery({ table: ARN, partition: '["2024-01-01","eu"]' }, defaults);
    expect(request.operation).toBe('GetTemporaryGluePartitionCredentials');
    expect((request as TableCredentialRequest).partitionValues).toEqual(['2024-01-01', 'eu']);
  });

  it.each([
    ['no table', {}],
    ['a malformed ARN', { table: 'arn:aws:s3:::bucket' }],
    ['an unknown permission', { table: ARN, permissions: 'SELECT,READ' }],
    ['an unknown permission type', { table: ARN, supportedPermissionTypes: 'ROW_PERMISSION' }],
    ['a duration below 900', { table: ARN, durationSeconds: '899' }],
    ['a duration above 43200', { table: ARN, durationSeconds: '43201' }],
    ['a non-integer duration', { table: ARN, durationSeconds: '1e3' }],
    ['a partition that is not JSON', { table: ARN, partition: '2024-01-01' }],
    ['an empty partition', { table: ARN, partition: '[]' }],
    ['a partition of numbers', { table: ARN, partition: '[1]' }],
    ['a bad timestamp', { table: ARN, queryStartTime: 'yesterday' }],
    ['an unknown parameter', { table: ARN, tabel: ARN }],
    ['a repeated parameter', { table: [ARN, ARN] }],
    ['an object parameter', { table: { a: 'b' } }],
    ['partition with s3Path', { table: ARN, partition: '["x"]', s3Path: 's3://a/b' }],
    ['partition with queryId', { table: ARN, partition: '["x"]', queryId: 'q' }],
    ['an empty queryId', { table: ARN, queryId: '' }],
    ['a 256-char queryId', { table: ARN, queryId: 'q'.repeat(256) }],
  ])('rejects %s with InvalidRequest', (_name, query) => {
    expect(codeOf(() => parseDynamicQuery(query as Record<string, unknown>, defaults))).toBe('InvalidRequest');
  });

  it('names the accepted parameters when one is unknown', () => {
    expect(() => parseDynamicQuery({ table: ARN, tabel: 'x' }, defaults)).toThrowError(/accepted parameters: table, permissions/);
  });
});

describe('native bodies', () => {
  it('parses every GetTemporaryGlueTableCredentials field', () => {
    const request = parseTableBody({
      TableArn: ARN,
      Permissions: ['SELECT'],
      DurationSeconds: 1200,
      AuditContext: { AdditionalAuditContext: 'job=nightly' },
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      S3Path: 's3://demo-lake/sales/orders/',
      QuerySessionContext: {
        QueryId: 'q',
        QueryStartTime: 1_764_050_400,
        ClusterId: 'c',
        QueryAuthorizationId: 'a',
        AdditionalContext: { engine: 'spark' },
      },
    });
    expect(request).toEqual({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ARN,
      permissions: ['SELECT'],
      durationSeconds: 1200,
      auditContext: { additionalAuditContext: 'job=nightly' },
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      s3Path: 's3://demo-lake/sales/orders/',
      querySessionContext: {
        queryId: 'q',
        queryStartTime: new Date(1_764_050_400_000),
        clusterId: 'c',
        queryAuthorizationId: 'a',
        additionalContext: { engine: 'spark' },
      },
    });
  });

  it('fills left-out fields from the defaults when given them, as the dynamic route does', () => {
    expect(parsePartitionBody({ TableArn: ARN, Partition: { Values: ['x'] }, Permissions: ['DESCRIBE'] }, defaults)).toEqual({
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ARN,
      partitionValues: ['x'],
      permissions: ['DESCRIBE'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 3600,
    });
  });

  it('accepts QueryStartTime as RFC 3339 text too', () => {
    const request = parseTableBody({ TableArn: ARN, QuerySessionContext: { QueryStartTime: '2026-11-25T06:00:00Z' } });
    expect(request.querySessionContext?.queryStartTime).toEqual(new Date('2026-11-25T06:00:00Z'));
  });

  it('parses a partition body', () => {
    expect(parsePartitionBody({ TableArn: ARN, Partition: { Values: ['2024-01-01'] }, Permissions: ['SELECT'] })).toEqual({
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ARN,
      partitionValues: ['2024-01-01'],
      permissions: ['SELECT'],
    });
  });

  it.each([
    ['null', null],
    ['an array', [ARN]],
    ['a string', ARN],
    ['a missing TableArn', {}],
    ['an unknown field', { TableArn: ARN, Tablearn: ARN }],
    ['S3Path on the partition call', { TableArn: ARN, Partition: { Values: ['x'] }, S3Path: 's3://a/b' }],
    ['a missing Partition', { TableArn: ARN }],
    ['empty Partition.Values', { TableArn: ARN, Partition: { Values: [] } }],
    ['a string DurationSeconds', { TableArn: ARN, Partition: { Values: ['x'] }, DurationSeconds: '900' }],
  ])('rejects %s', (_name, body) => {
    const parse =
      (body as { Partition?: unknown } | null)?.Partition !== undefined || _name.includes('Partition')
        ? parsePartitionBody
        : parseTableBody;
    expect(codeOf(() => parse(body))).toBe('InvalidRequest');
  });
});
