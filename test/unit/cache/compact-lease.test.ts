/**
 * A cached lease holds its secrets once: the container answer is rendered
 * when the lease is stored, its key material fields are substrings of that
 * answer (which V8 keeps as slices, not copies), and the HTTP layer writes
 * that very string on every hit, with no per-lease copy of its own.
 */
import { describe, expect, it } from 'vitest';
import { containerBody } from '../../../src/http/container-body.js';
import { compactLease, renderContainerBody } from '../../../src/lakeformation/container-body.js';
import type { Lease } from '../../../src/lakeformation/types.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { makeCache, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

const received = (): Lease => ({
  accessKeyId: 'ASIA0000000000000001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: `IQoJb3JpZ2luX2Vj${'A'.repeat(300)}+/=`,
  expiration: new Date(Date.UTC(2026, 10, 25, 7, 0, 0, 999)),
});

describe('compact leases', () => {
  it('serves the same bytes as before, with and without AccountId', () => {
    const lease = received();
    const tail = `"Token":"${lease.sessionToken}","Expiration":"2026-11-25T07:00:00Z"`;
    const head = `{"AccessKeyId":"ASIA0000000000000001","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",`;
    expect(compactLease(lease, '123456789012').containerBody).toBe(`${head}${tail},"AccountId":"123456789012"}`);
    expect(compactLease(lease, undefined).containerBody).toBe(`${head}${tail}}`);
    expect(renderContainerBody(lease, '123456789012')).toBe(compactLease(lease, '123456789012').containerBody);
  });

  it('keeps each key material field equal to what Lake Formation sent, as the substring of the answer at its place', () => {
    const lease = received();
    const compact = compactLease(lease, '123456789012');
    const body = compact.containerBody!;
    for (const [field, member] of [
      ['accessKeyId', 'AccessKeyId'],
      ['secretAccessKey', 'SecretAccessKey'],
      ['sessionToken', 'Token'],
    ] as const) {
      expect(compact[field]).toBe(lease[field]);
      const at = body.indexOf(`"${member}":"`) + member.length + 4;
      expect(body.slice(at, at + lease[field].length)).toBe(lease[field]);
    }
    expect(Object.isFrozen(compact)).toBe(true);
    expect(compact.expiration).not.toBe(lease.expiration);
    expect(compact.expiration.getTime()).toBe(lease.expiration.getTime());
  });

  it('holds nothing but its answer and a few numbers: no copy of a secret, no Date', () => {
    const lease = { ...received(), vendedS3Path: ['s3://bucket/orders/'] };
    const compact = compactLease(lease, '123456789012');
    expect(Object.keys(compact).sort()).toEqual(['containerBody', 'vendedS3Path']);
    expect(Object.values(compact).filter((value) => typeof value === 'string')).toEqual([compact.containerBody]);
    expect(Object.values(compact).some((value) => value instanceof Date)).toBe(false);
  });

  it('answers a new Date on each read: changing one changes nothing in the lease', () => {
    const compact = compactLease(received(), undefined);
    const first = compact.expiration;
    first.setTime(0);
    expect(compact.expiration.getTime()).toBe(received().expiration.getTime());
    expect(compact.expiration).not.toBe(compact.expiration);
  });

  it('keeps a value JSON escapes as it was, and its answer valid JSON', () => {
    const lease = { ...received(), secretAccessKey: 'quote"and\\backslash-and-more-text' };
    const compact = compactLease(lease, undefined);
    expect(compact.secretAccessKey).toBe(lease.secretAccessKey);
    expect(compact.sessionToken).toBe(lease.sessionToken);
    expect(JSON.parse(compact.containerBody!)).toMatchObject({ SecretAccessKey: lease.secretAccessKey, Token: lease.sessionToken });
  });

  it('stores leases compact: the HTTP layer writes the stored answer itself, with the table account', async () => {
    const { cache } = makeCache(new FakeClock(T0));
    const served = await cache.get(tableRequest());
    const body = served.lease.containerBody!;
    expect(JSON.parse(body)).toEqual({
      AccessKeyId: served.lease.accessKeyId,
      SecretAccessKey: served.lease.secretAccessKey,
      Token: served.lease.sessionToken,
      Expiration: expect.any(String),
      AccountId: tableRequest().tableArn.split(':')[4],
    });
    expect(containerBody(served.lease, 'ignored: the stored answer already names its account')).toBe(body);
    expect(body.includes(served.lease.secretAccessKey)).toBe(true);
    cache.close();
  });

  it('keeps no copy of its own for a lease without a stored answer: each call renders the lease as it is', () => {
    const lease = received();
    expect(JSON.parse(containerBody(lease, undefined)).AccessKeyId).toBe('ASIA0000000000000001');
    lease.accessKeyId = 'ASIA0000000000000002';
    expect(JSON.parse(containerBody(lease, undefined)).AccessKeyId).toBe('ASIA0000000000000002');
  });
});
