import { describe, expect, it } from 'vitest';
import { Bindings, type BindingDefaults } from '../../../src/identity/bindings.js';
import type { PodIdentity } from '../../../src/identity/service-account-verifier.js';
import type { DataLocationCredentialRequest, TableCredentialRequest } from '../../../src/lakeformation/types.js';

const SALES = 'arn:aws:glue:us-east-1:123456789012:table/sales/*';
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const HR = 'arn:aws:glue:us-east-1:123456789012:table/hr/people';

const DEFAULTS: BindingDefaults = {
  permissions: ['SELECT'],
  supportedPermissionTypes: ['COLUMN_PERMISSION'],
  credentialsScope: 'READ',
  durationSeconds: 3600,
};

const pod = (namespace: string, serviceAccount: string): PodIdentity => ({
  namespace,
  serviceAccount,
  pod: `${serviceAccount}-1`,
  podUid: 'uid',
  node: 'node-a',
});

const table = (extra: Partial<TableCredentialRequest> = {}) => ({
  request: {
    operation: 'GetTemporaryGlueTableCredentials',
    tableArn: ORDERS,
    permissions: ['SELECT'],
    supportedPermissionTypes: ['COLUMN_PERMISSION'],
    durationSeconds: 3600,
    ...extra,
  } as TableCredentialRequest,
});
const locations = (dataLocations: string[], extra: Partial<DataLocationCredentialRequest> = {}) => ({
  request: {
    operation: 'GetTemporaryDataLocationCredentials',
    dataLocations,
    credentialsScope: 'READ',
    durationSeconds: 3600,
    ...extra,
  } as DataLocationCredentialRequest,
});

const bindings = new Bindings(
  [
    { namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [SALES], locations: ['s3://lake/sales/*'] },
    { namespace: 'analytics', serviceAccount: 'reader', profiles: [], tables: [], locations: [] },
    {
      namespace: 'etl',
      serviceAccount: 'writer',
      profiles: [],
      tables: [SALES],
      locations: ['s3://lake/sales/*'],
      permissions: ['SELECT', 'INSERT'],
      supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      credentialsScope: 'READWRITE',
      maxDurationSeconds: 7200,
    },
  ],
  DEFAULTS,
);
const executor = pod('spark', 'executor');
const writer = pod('etl', 'writer');

describe('Bindings', () => {
  it('allows what a binding lists', () => {
    expect(bindings.check(executor, { profile: 'orders' })).toBeUndefined();
    expect(bindings.check(executor, table())).toBeUndefined();
    expect(bindings.check(executor, locations(['s3://lake/sales/orders', 's3://lake/sales/returns']))).toBeUndefined();
  });

  it('refuses anything else with a 403 that names the identity and the missing entry', () => {
    expect(bindings.check(executor, { profile: 'hr' })).toMatchObject({
      code: 'NoBinding',
      message: 'the agent.bindings entry of namespace "spark" service account "executor" does not list profile "hr" in profiles',
    });
    expect(bindings.check(executor, table({ tableArn: HR }))?.message).toContain(`table ${HR} matches none of the tables`);
    expect(bindings.check(executor, locations(['s3://lake/sales/orders', 's3://lake/hr/people']))?.message).toContain(
      'location(s) s3://lake/hr/people match none',
    );
  });

  it('denies by default: an identity without an entry, or the same name in another namespace', () => {
    for (const identity of [pod('sandbox', 'default'), pod('analytics', 'executor'), pod('spark', 'reader')]) {
      expect(bindings.check(identity, { profile: 'orders' })).toMatchObject({
        code: 'NoBinding',
        message: expect.stringContaining('has no entry'),
      });
    }
    // An entry with empty lists allows nothing.
    expect(bindings.check(pod('analytics', 'reader'), table())?.code).toBe('NoBinding');
  });

  it.each([
    ['more permissions', table({ permissions: ['SELECT', 'ALTER'] }), 'permission(s) ALTER'],
    ['no permissions at all (Lake Formation would choose)', table({ permissions: [] }), 'needs the request to name its permissions'],
    [
      'a policy kind it does not enforce',
      table({ supportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'] }),
      'supportedPermissionTypes CELL_FILTER_PERMISSION',
    ],
    ['a longer lease', table({ durationSeconds: 43_200 }), 'durationSeconds up to 3600'],
    ['write credentials', locations(['s3://lake/sales/orders'], { credentialsScope: 'READWRITE' }), 'credentialsScope READ only'],
    ['a longer location lease', locations(['s3://lake/sales/orders'], { durationSeconds: 3601 }), 'durationSeconds up to 3600'],
  ])('holds a bound table to the defaults: refuses %s', (_name, target, message) => {
    const refusal = bindings.check(executor, target);
    expect(refusal).toMatchObject({ code: 'NoBinding' });
    expect(refusal?.message).toContain(message);
  });

  it("allows what a binding's own limits allow, and no more", () => {
    expect(
      bindings.check(
        writer,
        table({ permissions: ['INSERT'], supportedPermissionTypes: ['CELL_FILTER_PERMISSION'], durationSeconds: 7200 }),
      ),
    ).toBeUndefined();
    expect(bindings.check(writer, locations(['s3://lake/sales/orders'], { credentialsScope: 'READWRITE' }))).toBeUndefined();
    expect(bindings.check(writer, table({ permissions: ['DELETE'] }))?.message).toContain('permission(s) DELETE');
    expect(bindings.check(writer, table({ durationSeconds: 7201 }))?.message).toContain('durationSeconds up to 7200');
  });

  it('uses a bound profile as configured, whatever it asks for', () => {
    const admin = new Bindings(
      [{ namespace: 'spark', serviceAccount: 'executor', profiles: ['wide'], tables: [], locations: [] }],
      DEFAULTS,
    );
    expect(admin.check(executor, { profile: 'wide' })).toBeUndefined();
  });

  it('counts the bound identities', () => {
    expect(bindings.size).toBe(3);
  });
});
