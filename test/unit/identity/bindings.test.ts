import { describe, expect, it } from 'vitest';
import { Bindings } from '../../../src/identity/bindings.js';
import type { PodIdentity } from '../../../src/identity/service-account-verifier.js';

const SALES = 'arn:aws:glue:us-east-1:123456789012:table/sales/*';
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const HR = 'arn:aws:glue:us-east-1:123456789012:table/hr/people';

const pod = (namespace: string, serviceAccount: string): PodIdentity => ({
  namespace,
  serviceAccount,
  pod: `${serviceAccount}-1`,
  podUid: 'uid',
  node: 'node-a',
});

const bindings = new Bindings([
  { namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [SALES], locations: ['s3://lake/sales/*'] },
  { namespace: 'analytics', serviceAccount: 'reader', profiles: [], tables: [], locations: [] },
]);

describe('Bindings', () => {
  it('allows what a binding lists', () => {
    const executor = pod('spark', 'executor');
    expect(bindings.check(executor, { profile: 'orders' })).toBeUndefined();
    expect(bindings.check(executor, { tableArn: ORDERS })).toBeUndefined();
    expect(bindings.check(executor, { locations: ['s3://lake/sales/orders', 's3://lake/sales/returns/'] })).toBeUndefined();
  });

  it('refuses anything else with a 403 that names the identity and the missing entry', () => {
    const executor = pod('spark', 'executor');
    expect(bindings.check(executor, { profile: 'hr' })).toMatchObject({
      code: 'NoBinding',
      message: 'the agent.bindings entry of namespace "spark" service account "executor" does not list profile "hr" in profiles',
    });
    expect(bindings.check(executor, { tableArn: HR })?.message).toContain(`table ${HR} matches none of the tables`);
    expect(bindings.check(executor, { locations: ['s3://lake/sales/orders', 's3://lake/hr/people'] })?.message).toContain(
      'location(s) s3://lake/hr/people match none',
    );
  });

  it('denies by default: an identity without an entry, or the same name in another namespace', () => {
    for (const identity of [pod('sandbox', 'default'), pod('analytics', 'executor'), pod('spark', 'reader')]) {
      expect(bindings.check(identity, { profile: 'orders' })).toMatchObject({ code: 'NoBinding', message: expect.stringContaining('has no entry') });
    }
    // An entry with empty lists allows nothing.
    expect(bindings.check(pod('analytics', 'reader'), { tableArn: ORDERS })?.code).toBe('NoBinding');
  });

  it('counts the bound identities', () => {
    expect(bindings.size).toBe(2);
  });
});
