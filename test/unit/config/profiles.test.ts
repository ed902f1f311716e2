import { describe, expect, it } from 'vitest';
import { findProfile, parseConfig, profileToRequest } from '../../../src/config/index.js';
import type { LfcsError } from '../../../src/core/errors.js';
import type { TableCredentialRequest } from '../../../src/lakeformation/types.js';

const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

const config = parseConfig({
  region: 'us-east-1',
  defaults: { durationSeconds: 7200, permissions: ['SELECT', 'DESCRIBE'] },
  profiles: {
    plain: { tableArn: ORDERS },
    partitioned: { tableArn: ORDERS, partition: ['2024-01-01'] },
    custom: {
      tableArn: ORDERS,
      permissions: ['ALL'],
      supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      durationSeconds: 43_200,
      s3Path: 's3://demo-lake/sales/orders/',
      auditContext: 'nightly job',
    },
  },
});

describe('profileToRequest', () => {
  it('applies defaults to a table profile', () => {
    expect(profileToRequest(config, 'plain')).toEqual({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ORDERS,
      permissions: ['SELECT', 'DESCRIBE'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 7200,
    });
  });

  it('chooses the partition operation when the profile has a partition', () => {
    expect(profileToRequest(config, 'partitioned')).toEqual({
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ORDERS,
      partitionValues: ['2024-01-01'],
      permissions: ['SELECT', 'DESCRIBE'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 7200,
    });
  });

  it("prefers the profile's own fields and maps auditContext", () => {
    expect(profileToRequest(config, 'custom')).toEqual({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ORDERS,
      permissions: ['ALL'],
      supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      durationSeconds: 43_200,
      s3Path: 's3://demo-lake/sales/orders/',
      auditContext: { additionalAuditContext: 'nightly job' },
    });
  });

  it('returns fresh arrays the caller may change without touching the frozen config', () => {
    const request = profileToRequest(config, 'partitioned') as TableCredentialRequest;
    request.permissions?.push('ALL');
    request.partitionValues?.push('x');
    expect(config.defaults.permissions).toEqual(['SELECT', 'DESCRIBE']);
    expect((profileToRequest(config, 'partitioned') as TableCredentialRequest).partitionValues).toEqual(['2024-01-01']);
  });

  it.each(['missing', 'constructor', 'toString', '__proto__'])('throws ProfileNotFound for %s', (name) => {
    expect(findProfile(config, name)).toBeUndefined();
    expect(() => profileToRequest(config, name)).toThrow(expect.objectContaining({ code: 'ProfileNotFound' }) as unknown as LfcsError);
  });
});
