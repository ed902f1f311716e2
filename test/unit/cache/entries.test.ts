/** entries() lists what GET /v1/cache shows: metadata only, never key material. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain, makeCache, SECOND, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('entries', () => {
  it('summarises each lease without key material', async () => {
    const clock = new FakeClock(T0);
    const { cache } = makeCache(clock);
    const request = tableRequest(1, {
      permissions: ['SELECT', 'DESCRIBE', 'SELECT'],
      querySessionContext: { queryId: 'q-42', clusterId: 'c' },
    });
    const served = await cache.get(request, { label: 'spark' });
    clock.set(T0 + 10 * SECOND);
    await cache.get(request);
    const [summary] = cache.entries();
    expect(summary).toEqual({
      label: 'spark',
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: request.tableArn,
      permissions: ['DESCRIBE', 'SELECT'],
      queryId: 'q-42',
      expiration: new Date(T0 + 3600 * SECOND),
      remainingSeconds: 3590,
      fetchedAt: new Date(T0),
      hits: 1,
      lastRequestedAt: new Date(T0 + 10 * SECOND),
      refreshing: false,
    });
    const text = JSON.stringify(cache.entries());
    expect(text).not.toContain(served.lease.accessKeyId);
    expect(text).not.toContain(served.lease.secretAccessKey);
    expect(text).not.toContain(served.lease.sessionToken);
  });

  it('lists partition values, keeps the latest label and shows a running refresh', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const request = {
      operation: 'GetTemporaryGluePartitionCredentials' as const,
      tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders',
      partitionValues: ['2026', '11'],
    };
    await cache.get(request, { label: 'first' });
    await cache.get(request, { label: 'second' });
    fake.hold();
    await clock.advance(1800 * SECOND);
    await drain();
    expect(cache.entries()[0]).toMatchObject({ label: 'second', partitionValues: ['2026', '11'], refreshing: true });
  });

  it('is not affected by callers mutating a served lease or their request', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const request = tableRequest();
    const served = await cache.get(request);
    expect(Object.isFrozen(served.lease)).toBe(true);
    request.permissions?.push('ALTER');
    (request as { tableArn: string }).tableArn = 'changed';
    expect(cache.entries()[0]?.tableArn).toBe(tableRequest().tableArn);
    await clock.advance(1800 * SECOND);
    await drain();
    expect(fake.calls[1]?.request).toEqual(tableRequest());
  });
});
