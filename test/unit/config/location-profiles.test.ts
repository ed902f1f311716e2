import { describe, expect, it } from 'vitest';
import { parseConfig, profileToRequest } from '../../../src/config/index.js';
import { configError, problemAt } from './helpers.js';

const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

describe('location profiles', () => {
  it('become one data-location request for the canonical list, READ by default', () => {
    const config = parseConfig({
      region: 'us-east-1',
      profiles: {
        lake: { locations: ['s3://lake/sales/returns/', 's3://lake/sales/orders', 's3://lake/sales/orders/'], auditContext: 'spark' },
        writer: { locations: ['s3://lake/sales/returns'], credentialsScope: 'READWRITE', durationSeconds: 900 },
      },
    });
    expect(profileToRequest(config, 'lake')).toEqual({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: ['s3://lake/sales/orders', 's3://lake/sales/returns'],
      credentialsScope: 'READ',
      durationSeconds: 3600,
      auditContext: { additionalAuditContext: 'spark' },
    });
    expect(profileToRequest(config, 'writer')).toMatchObject({ credentialsScope: 'READWRITE', durationSeconds: 900 });
  });

  it('take defaults.credentialsScope', () => {
    const config = parseConfig({
      region: 'us-east-1',
      defaults: { credentialsScope: 'READWRITE' },
      profiles: { lake: { locations: ['s3://lake/a'] } },
    });
    expect(profileToRequest(config, 'lake')).toMatchObject({ credentialsScope: 'READWRITE' });
  });

  it('name a table or locations, never both or neither, and only their own fields', async () => {
    const error = await configError(() =>
      parseConfig({
        region: 'us-east-1',
        profiles: {
          both: { tableArn: ORDERS, locations: ['s3://lake/a'] },
          neither: { durationSeconds: 900 },
          mixed: { locations: ['s3://lake/a'], partition: ['2024'], permissions: ['SELECT'], s3Path: 's3://lake/a/x' },
          scoped: { tableArn: ORDERS, credentialsScope: 'READ' },
          bad: { locations: ['https://lake/a'] },
        },
      }),
    );
    expect(problemAt(error, 'profiles.both.locations').expected).toMatch(/not set together with tableArn/);
    expect(problemAt(error, 'profiles.neither.tableArn').expected).toMatch(/or set locations/);
    expect(problemAt(error, 'profiles.mixed.partition').expected).toMatch(/GetTemporaryDataLocationCredentials has no partition/);
    expect(problemAt(error, 'profiles.mixed.permissions').expected).toMatch(/no permissions/);
    expect(problemAt(error, 'profiles.mixed.s3Path').expected).toMatch(/no s3Path/);
    expect(problemAt(error, 'profiles.scoped.credentialsScope').expected).toMatch(/only on a profile with locations/);
    expect(problemAt(error, 'profiles.bad.locations[0]').expected).toMatch(/s3:\/\/ URI/);
  });

  it('dynamic.allowedLocations alone is enough to enable dynamic requests; bad patterns are named', async () => {
    const config = parseConfig({ region: 'us-east-1', dynamic: { enabled: true, allowedLocations: ['s3://lake/sales/*'] } });
    expect(config.dynamic.allowedLocations).toEqual(['s3://lake/sales/*']);
    const error = await configError(() =>
      parseConfig({ region: 'us-east-1', dynamic: { enabled: true, allowedLocations: ['s3://lake/**'] } }),
    );
    expect(problemAt(error, 'dynamic.allowedLocations[0]').expected).toMatch(/one path segment/);
  });
});
