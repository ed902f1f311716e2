import { describe, expect, it } from 'vitest';
import { createLakeFormationApiApp } from '../../../src/http/lakeformation-api-app.js';
import {
  ACCESS_GRANTS_PLUGIN_CACHE_SECONDS,
  UNDATED_LEASE_DURATION_SECONDS,
  UNDATED_MIN_REMAINING_SECONDS,
} from '../../../src/http/plugin-lease-floor.js';
import type { CredentialRequest, Lease } from '../../../src/lakeformation/types.js';
import { fakeLakeFormationApiDeps } from '../../support/app-fakes.js';
import { inject } from '../../support/http-inject.js';
import { makeCache } from '../cache/support.js';

/**
 * The Lake Formation API app with the real cache on a fake clock, in front of
 * a fake Lake Formation that grants what is asked (3,600 s when nothing is).
 * AWS's per-prefix plugin asks for a location without DurationSeconds and
 * keeps the answer 3,240 s whatever its Expiration: every answer to such a
 * request must outlive that. The real plugin jar is in
 * test/e2e/lakeformation-plugin.
 */
const LOCATION = 's3://demo-lake/sales/orders/part-00000.parquet';
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const SECOND = 1000;

function setup() {
  const fake = fakeLakeFormationApiDeps({ allowed: () => true, allowedLocations: () => true });
  const { clock } = fake;
  const asked: CredentialRequest[] = [];
  let serial = 0;
  // The real cache and upstream caller, as the sidecar wires them.
  const { cache } = makeCache(clock, {
    maxAttempts: 1,
    vend: async (request): Promise<Lease> => {
      asked.push(request);
      serial += 1;
      return {
        accessKeyId: `ASIAFAKELEASE${serial}`,
        secretAccessKey: `secret-${serial}`,
        sessionToken: `token-${serial}`,
        expiration: new Date(clock.now() + (request.durationSeconds ?? 3600) * SECOND),
        accessibleDataLocations: request.operation === 'GetTemporaryDataLocationCredentials' ? request.dataLocations : [],
      };
    },
  });
  const handler = createLakeFormationApiApp({ ...fake.apiDeps, cache });
  /** Signed as an SDK would sign at the fake clock's time (the listener checks X-Amz-Date against it). */
  const call = async (operation: string, body: unknown) => {
    const amzDate = new Date(clock.now())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const res = await inject(handler, {
      method: 'POST',
      url: `/${operation}`,
      headers: {
        host: '127.0.0.1:9182',
        'content-type': 'application/json',
        'x-amz-date': amzDate,
        authorization:
          `AWS4-HMAC-SHA256 Credential=ASIAUNITTESTCALLER01/${amzDate.slice(0, 8)}/us-east-1/lakeformation/aws4_request, ` +
          `SignedHeaders=content-type;host;x-amz-date, Signature=${'a'.repeat(64)}`,
      },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Record<string, unknown>;
  };
  const remainingOf = (answer: Record<string, unknown>) => {
    const credentials = (answer['Credentials'] ?? answer) as { Expiration: number };
    return credentials.Expiration - clock.now() / 1000;
  };
  return { clock, cache, asked, call, remainingOf };
}

describe('Lake Formation API listener behind a caller that ignores Expiration', () => {
  it("keeps the plugin's fact in one place: 90 % of one hour, plus a margin", () => {
    expect(ACCESS_GRANTS_PLUGIN_CACHE_SECONDS).toBe(3240);
    expect(UNDATED_MIN_REMAINING_SECONDS).toBeGreaterThan(ACCESS_GRANTS_PLUGIN_CACHE_SECONDS);
    expect(UNDATED_LEASE_DURATION_SECONDS).toBeGreaterThan(UNDATED_MIN_REMAINING_SECONDS);
  });

  it("answers a location request without DurationSeconds with more than the plugin's 3,240 s left, at any time over two hours", async () => {
    const { clock, cache, asked, call, remainingOf } = setup();
    const start = clock.now();
    const least: number[] = [];
    // Every 5 minutes for two hours; clock.advance fires the cache's background refreshes on the way.
    for (let t = 0; t <= 7200; t += 300) {
      await clock.advance(start + t * SECOND - clock.now());
      least.push(remainingOf(await call('GetTemporaryDataLocationCredentials', { DataLocations: [LOCATION] })));
    }
    expect(Math.min(...least)).toBeGreaterThan(ACCESS_GRANTS_PLUGIN_CACHE_SECONDS);
    // Lake Formation was asked for the longer lease, for a request that named no duration.
    expect(asked.every((request) => request.durationSeconds === UNDATED_LEASE_DURATION_SECONDS)).toBe(true);
    // About one call an hour: not one per request.
    expect(asked.length).toBeLessThanOrEqual(3);
    cache.close();
  });

  it('serves a location request that names DurationSeconds, and a table request without one, as before', async () => {
    const { clock, cache, asked, call, remainingOf } = setup();
    await call('GetTemporaryDataLocationCredentials', { DataLocations: [LOCATION], DurationSeconds: 3600 });
    await call('GetTemporaryGlueTableCredentials', { TableArn: ORDERS });
    clock.set(clock.now() + 2000 * SECOND);
    expect(remainingOf(await call('GetTemporaryDataLocationCredentials', { DataLocations: [LOCATION], DurationSeconds: 3600 }))).toBe(1600);
    expect(remainingOf(await call('GetTemporaryGlueTableCredentials', { TableArn: ORDERS }))).toBe(1600);
    // Asked as sent (the hits past the refresh point also started background refreshes of the same requests).
    expect(new Set(asked.map((request) => request.durationSeconds))).toEqual(new Set([3600, undefined]));
    cache.close();
  });
});
