import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/cache-key.js';
import { PERMISSIONS, type CredentialRequest, type DataLocationCredentialRequest } from '../../../src/lakeformation/types.js';

const base: CredentialRequest = {
  operation: 'GetTemporaryGlueTableCredentials',
  tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders',
};

describe('cacheKey', () => {
  it('ignores the order and duplicates of permissions and permission types', () => {
    const a = cacheKey({
      ...base,
      permissions: ['SELECT', 'DESCRIBE'],
      supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
    });
    const b = cacheKey({
      ...base,
      permissions: ['DESCRIBE', 'SELECT', 'SELECT'],
      supportedPermissionTypes: ['CELL_FILTER_PERMISSION', 'COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
    });
    expect(a).toBe(b);
  });

  it('gives every ordering with duplicates the key of the plain set (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PERMISSIONS)), (permissions) => {
        const set = [...new Set(permissions)].sort().reverse();
        expect(cacheKey({ ...base, permissions })).toBe(cacheKey({ ...base, permissions: set }));
      }),
    );
  });

  it('treats an absent permission list like an empty one (both mean "no filter")', () => {
    expect(cacheKey({ ...base, permissions: [] })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, supportedPermissionTypes: [] })).toBe(cacheKey(base));
  });

  it('keeps partition values in order and tells [] from absent', () => {
    const partition = { ...base, operation: 'GetTemporaryGluePartitionCredentials' } as const;
    expect(cacheKey({ ...partition, partitionValues: ['2026', '11'] })).not.toBe(
      cacheKey({ ...partition, partitionValues: ['11', '2026'] }),
    );
    expect(cacheKey({ ...partition, partitionValues: [] })).not.toBe(cacheKey(partition));
    expect(cacheKey({ ...partition, partitionValues: ['a', 'a'] })).not.toBe(cacheKey({ ...partition, partitionValues: ['a'] }));
  });

  it('separates the two operations, tables, paths and durations', () => {
    const keys = [
      cacheKey(base),
      cacheKey({ ...base, operation: 'GetTemporaryGluePartitionCredentials' }),
      cacheKey({ ...base, tableArn: `${base.tableArn}2` }),
      cacheKey({ ...base, s3Path: 's3://bucket/a' }),
      cacheKey({ ...base, s3Path: '' }),
      cacheKey({ ...base, durationSeconds: 3600 }),
      cacheKey({ ...base, durationSeconds: 900 }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never lets different query sessions share a key', () => {
    const start = new Date(Date.UTC(2026, 10, 25, 6));
    const session = { queryId: 'q-1', queryStartTime: start, clusterId: 'c-1', queryAuthorizationId: 'auth-1' };
    const variants: CredentialRequest[] = [
      { ...base, querySessionContext: session },
      { ...base, querySessionContext: { ...session, queryId: 'q-2' } },
      { ...base, querySessionContext: { ...session, queryStartTime: new Date(start.getTime() + 1) } },
      { ...base, querySessionContext: { ...session, clusterId: 'c-2' } },
      { ...base, querySessionContext: { ...session, queryAuthorizationId: 'auth-2' } },
      { ...base, querySessionContext: { ...session, additionalContext: { stage: '1' } } },
      { ...base, querySessionContext: { ...session, queryStartTime: new Date(Number.NaN) } },
      { ...base, querySessionContext: { ...session, queryStartTime: undefined } },
      { ...base, auditContext: { additionalAuditContext: 'job-7' } },
      base,
    ];
    expect(new Set(variants.map(cacheKey)).size).toBe(variants.length);
  });

  it('uses the instant of queryStartTime, not the Date object', () => {
    const ms = Date.UTC(2026, 10, 25, 6);
    expect(cacheKey({ ...base, querySessionContext: { queryStartTime: new Date(ms) } })).toBe(
      cacheKey({ ...base, querySessionContext: { queryStartTime: new Date(ms) } }),
    );
  });

  it('ignores the order of additionalContext keys', () => {
    expect(cacheKey({ ...base, querySessionContext: { queryId: 'q', additionalContext: { a: '1', b: '2' } } })).toBe(
      cacheKey({ ...base, querySessionContext: { queryId: 'q', additionalContext: { b: '2', a: '1' } } }),
    );
  });

  it('treats an empty query session or audit context like none', () => {
    expect(cacheKey({ ...base, querySessionContext: {} })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, querySessionContext: { additionalContext: {} } })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, auditContext: {} })).toBe(cacheKey(base));
  });

  it('does not let values containing separators or quotes collide', () => {
    const a = cacheKey({ ...base, querySessionContext: { additionalContext: { 'a","b': 'c' } } });
    const b = cacheKey({ ...base, querySessionContext: { additionalContext: { a: 'b","c' } } });
    const c = cacheKey({ ...base, querySessionContext: { additionalContext: { a: '', b: 'c' } } });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(cacheKey({ ...base, operation: 'GetTemporaryGluePartitionCredentials', partitionValues: ['a,b'] })).not.toBe(
      cacheKey({ ...base, operation: 'GetTemporaryGluePartitionCredentials', partitionValues: ['a', 'b'] }),
    );
    expect(cacheKey({ ...base, querySessionContext: { queryId: 'x', clusterId: 'y' } })).not.toBe(
      cacheKey({ ...base, querySessionContext: { queryId: 'y', clusterId: 'x' } }),
    );
  });

  it('is injective over generated query contexts (property)', () => {
    const context = fc.record(
      {
        queryId: fc.string(),
        clusterId: fc.string(),
        queryAuthorizationId: fc.string(),
        additionalContext: fc.dictionary(fc.string(), fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(context, context, (a, b) => {
        const same = JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
        expect(cacheKey({ ...base, querySessionContext: a }) === cacheKey({ ...base, querySessionContext: b })).toBe(same);
      }),
    );
  });
});

/** What the key should depend on: each field (absent = null) and the sorted additional context. */
function normalize(c: { queryId?: string; clusterId?: string; queryAuthorizationId?: string; additionalContext?: Record<string, string> }) {
  const additional = Object.entries(c.additionalContext ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  return [c.queryId ?? null, c.clusterId ?? null, c.queryAuthorizationId ?? null, additional];
}

describe('cacheKey of data-location requests', () => {
  const locations = (dataLocations: string[], extra: Partial<DataLocationCredentialRequest> = {}): CredentialRequest => ({
    operation: 'GetTemporaryDataLocationCredentials',
    dataLocations,
    credentialsScope: 'READ',
    ...extra,
  });

  it('treats the locations as a set: order, duplicates and a trailing / do not matter', () => {
    expect(cacheKey(locations(['s3://lake/b', 's3://lake/a/', 's3://lake/a']))).toBe(cacheKey(locations(['s3://lake/a', 's3://lake/b'])));
  });

  it('keeps apart different locations, scopes, durations, audit contexts and an absent scope', () => {
    const keys = [
      cacheKey(locations(['s3://lake/a'])),
      cacheKey(locations(['s3://lake/a', 's3://lake/b'])),
      cacheKey(locations(['s3://lake/a'], { credentialsScope: 'READWRITE' })),
      cacheKey({ operation: 'GetTemporaryDataLocationCredentials', dataLocations: ['s3://lake/a'] }),
      cacheKey(locations(['s3://lake/a'], { durationSeconds: 900 })),
      cacheKey(locations(['s3://lake/a'], { auditContext: { additionalAuditContext: 'job-1' } })),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('never equals a table key', () => {
    expect(cacheKey(locations(['s3://lake/a']))).not.toBe(cacheKey(base));
  });
});
