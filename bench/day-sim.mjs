/**
 * A simulated day: 200 botocore-style clients share one profile through
 * CredentialCache on a FakeClock; the fake vend returns 3600 s leases.
 *
 * botocore's RefreshableCredentials: before each API call, if less than
 * 15 min (advisory) are left it refreshes, keeping the old credentials if
 * that fails; under 10 min (mandatory) every call blocks on the refresh.
 * Each client here calls its API every `callIntervalSeconds` (random phase).
 */
import { CredentialCache } from '../dist/cache/index.js';
import { UpstreamCaller } from '../dist/upstream/caller.js';
import { FakeClock } from '../test/support/fake-clock.mjs';

export async function simulateDay({
  clients = 200,
  hours = 24,
  leaseSeconds = 3600,
  callIntervalSeconds = 30,
  advisorySeconds = 15 * 60,
  mandatorySeconds = 10 * 60,
} = {}) {
  const clock = new FakeClock();
  const start = clock.now();
  const vendTimes = [];
  let serial = 0;
  const vend = async () => {
    vendTimes.push(clock.now());
    serial += 1;
    return {
      accessKeyId: `ASIASIM${serial}`,
      secretAccessKey: `secret-${serial}`,
      sessionToken: `token-${serial}`,
      expiration: new Date(clock.now() + leaseSeconds * 1000),
    };
  };
  const cache = new CredentialCache({ upstream: new UpstreamCaller({ vend, clock }), clock });
  const request = {
    operation: 'GetTemporaryGlueTableCredentials',
    tableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/orders',
    permissions: ['SELECT'],
    supportedPermissionTypes: ['COLUMN_PERMISSION'],
    durationSeconds: leaseSeconds,
  };

  const state = Array.from({ length: clients }, () => ({
    expiresAt: 0,
    nextCallAt: start + Math.floor(Math.random() * callIntervalSeconds) * 1000,
  }));
  let minServedSeconds = Infinity;
  let sidecarFetches = 0;
  let apiCalls = 0;
  let blockedCalls = 0;
  const results = {};

  const refresh = async (client) => {
    sidecarFetches += 1;
    const served = await cache.get(request);
    results[served.result] = (results[served.result] ?? 0) + 1;
    const left = (served.lease.expiration.getTime() - clock.now()) / 1000;
    minServedSeconds = Math.min(minServedSeconds, left);
    client.expiresAt = served.lease.expiration.getTime();
  };

  const end = start + hours * 3600 * 1000;
  while (clock.now() < end) {
    const now = clock.now();
    const work = [];
    for (const client of state) {
      if (client.nextCallAt > now) continue;
      client.nextCallAt += callIntervalSeconds * 1000;
      apiCalls += 1;
      const left = (client.expiresAt - now) / 1000;
      if (left < mandatorySeconds) blockedCalls += client.expiresAt === 0 ? 0 : 1;
      if (left < advisorySeconds) work.push(refresh(client));
    }
    await Promise.all(work);
    await clock.advance(1000);
  }
  cache.close();

  const perHour = Array.from(
    { length: hours },
    (_, h) => vendTimes.filter((t) => t >= start + h * 3600_000 && t < start + (h + 1) * 3600_000).length,
  );
  return {
    clients,
    hours,
    leaseSeconds,
    callIntervalSeconds,
    lakeFormationCalls: vendTimes.length,
    lakeFormationCallsPerHour: vendTimes.length / hours,
    maxCallsInOneHour: Math.max(...perHour),
    sidecarFetches,
    apiCalls,
    callsBlockedOnMandatoryRefresh: blockedCalls,
    lookupResults: results,
    minServedRemainingSeconds: minServedSeconds,
  };
}
