/** Data-location requests go through the same serving policy as table requests. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import type { DataLocationCredentialRequest, Lease } from '../../../src/lakeformation/types.js';
import { drain, fail, makeCache, SECOND, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);
const ORDERS = 's3://lake/sales/orders';
const RETURNS = 's3://lake/sales/returns';

const locations = (dataLocations: string[]): DataLocationCredentialRequest => ({
  operation: 'GetTemporaryDataLocationCredentials',
  dataLocations,
  credentialsScope: 'READ',
});

describe('data-location requests in the cache', () => {
  it('coalesces concurrent requests for one location set, whatever its order, into one call', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const held = fake.hold();
    const gets = [
      cache.get(locations([ORDERS, RETURNS])),
      cache.get(locations([RETURNS, `${ORDERS}/`])),
      cache.get(locations([ORDERS, RETURNS, ORDERS])),
    ];
    await drain();
    held.resolve({ ...fake.lease(), accessibleDataLocations: [ORDERS, RETURNS] });
    const served = await Promise.all(gets);
    expect(fake.calls).toHaveLength(1);
    expect(served.map((s) => s.result)).toEqual(['miss', 'coalesced', 'coalesced']);
  });

  it('keeps AccessibleDataLocations and the scope with the lease, frozen, and lists them', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const received: Lease = { ...fake.lease(), accessibleDataLocations: [ORDERS], credentialsScope: 'READ' };
    fake.then({ kind: 'deferred', deferred: { promise: Promise.resolve(received), resolve: () => {}, reject: () => {} } });
    const served = await cache.get(locations([ORDERS, RETURNS]));
    received.accessibleDataLocations!.push(RETURNS);
    expect(served.lease.accessibleDataLocations).toEqual([ORDERS]);
    expect(Object.isFrozen(served.lease.accessibleDataLocations)).toBe(true);
    expect(cache.entries()[0]).toMatchObject({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: [ORDERS, RETURNS],
      accessibleDataLocations: [ORDERS],
      missingDataLocations: [RETURNS],
      credentialsScope: 'READ',
    });
    expect(cache.entries()[0]).not.toHaveProperty('tableArn');
  });

  it('refreshes ahead in the background, serves the old lease while renewals fail, and renews once Lake Formation answers', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock);
    const first = await cache.get(locations([ORDERS]));
    fake.always(fail(throttling()));
    await clock.advance(1800 * SECOND);
    await drain();
    expect(fake.calls.length).toBeGreaterThan(1);
    const during = await cache.get(locations([ORDERS]));
    expect(during.lease.accessKeyId).toBe(first.lease.accessKeyId);
    expect(during.result).toBe('hit');
    // The renewal keeps retrying with backoff and succeeds once Lake Formation answers.
    fake.always(undefined);
    for (let i = 0; i < 20 && !recorded.refreshes.includes('success'); i++) {
      await clock.advance(60 * SECOND);
      await drain();
    }
    expect(recorded.refreshes).toContain('success');
    expect((await cache.get(locations([ORDERS]))).lease.accessKeyId).not.toBe(first.lease.accessKeyId);
  });
});
