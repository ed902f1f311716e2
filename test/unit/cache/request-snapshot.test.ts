/** What a fetch sends: a frozen snapshot of the caller's request, taken once and only when needed. */
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/cache/index.js';
import { snapshotRequest } from '../../../src/cache/cache-key.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { makeCache, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('request snapshots', () => {
  it('sends a prepared (already frozen) request as it is, without copying it', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const prepared = prepareRequest(tableRequest());
    await cache.getPrepared(prepared);
    expect(fake.calls[0]?.request).toBe(prepared.request);
    cache.close();
  });

  it("sends a frozen copy of a caller's request: changing it afterwards changes nothing", async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const request = tableRequest();
    await cache.get(request);
    const sent = fake.calls[0]?.request;
    expect(sent).not.toBe(request);
    expect(sent).toEqual(request);
    expect(Object.isFrozen(sent)).toBe(true);
    request.permissions!.push('ALTER');
    expect(sent).toEqual(tableRequest());
    cache.close();
  });

  it('shares the permission lists of snapshots, frozen and in the order the caller gave', () => {
    const a = snapshotRequest({ ...tableRequest(), permissions: ['SELECT', 'DESCRIBE'] });
    const b = snapshotRequest({
      ...tableRequest(),
      tableArn: 'arn:aws:glue:us-east-1:123456789012:table/db/other',
      permissions: ['SELECT', 'DESCRIBE'],
    });
    const reordered = snapshotRequest({ ...tableRequest(), permissions: ['DESCRIBE', 'SELECT'] });
    if (a.operation === 'GetTemporaryDataLocationCredentials' || b.operation === 'GetTemporaryDataLocationCredentials')
      throw new Error('table requests');
    if (reordered.operation === 'GetTemporaryDataLocationCredentials') throw new Error('table request');
    expect(a.permissions).toBe(b.permissions);
    expect(Object.isFrozen(a.permissions)).toBe(true);
    expect(reordered.permissions).toEqual(['DESCRIBE', 'SELECT']);
    expect(reordered.permissions).not.toBe(a.permissions);
  });

  it('still copies lists beyond the shared ones, so odd input cannot grow the table without bound', () => {
    const lists = Array.from({ length: 600 }, (_, i) =>
      snapshotRequest({
        ...tableRequest(),
        supportedPermissionTypes: ['COLUMN_PERMISSION'],
        auditContext: { additionalAuditContext: `a${i}` },
        permissions: ['SELECT', `X${i}` as 'SELECT'],
      }),
    );
    for (const [i, request] of lists.entries()) {
      if (request.operation === 'GetTemporaryDataLocationCredentials') throw new Error('table request');
      expect(request.permissions).toEqual(['SELECT', `X${i}`]);
      expect(Object.isFrozen(request.permissions)).toBe(true);
    }
  });
});
