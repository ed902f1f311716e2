import { fromHttp } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStatus } from '../../../src/cli/status.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_LOCATION, RETURNS_LOCATION } from '../../support/demo.js';
import { until, realTick } from '../../support/settle.js';
import { findMinted, startStack, type Stack } from '../../support/stack.js';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import type { VendFunction } from '../../../src/lakeformation/types.js';
import { createLakeFormationVending } from '../../../src/upstream/lakeformation-client.js';
import { pump, pumpUntilSettled, startFakeClockStack, type EmulatorStats } from '../reliability/support.js';

/**
 * Location profiles and location requests through the whole sidecar: the real
 * Lake Formation client, the emulator, and the JS SDK's container provider.
 */
const OP = 'GetTemporaryDataLocationCredentials';
const PAYMENTS_LOCATION = 's3://demo-lake/sales/payments';

const locationCalls = async (stack: Stack) => (await stack.emulatorJson<EmulatorStats>('/_emulator/stats')).calls[OP] ?? {};

const locationConfig = (locations: string[]) => ({
  profiles: { lake: { locations } },
  prewarm: { enabled: true, retryBaseDelayMs: 50, retryMaxDelayMs: 200 },
  dynamic: { allowedLocations: ['s3://demo-lake/sales/*', 's3://demo-lake/raw/*', 's3://demo-lake-eu/sales/*'] },
});

describe('a location profile for two tables in one bucket', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: locationConfig([RETURNS_LOCATION, ORDERS_LOCATION]) });
    await stack.sidecar.prewarmed();
  });
  afterAll(() => stack?.close());

  it('is prewarmed with one Lake Formation call and ready', async () => {
    expect(await locationCalls(stack)).toEqual({ success: 1 });
    expect(stack.sidecar.readiness()).toMatchObject({ ready: true, profiles: { lake: { state: 'ready' } } });
  });

  it('serves the JS SDK container provider from that lease, with no further call', async () => {
    const creds = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials/lake`,
      awsContainerAuthorizationToken: stack.token,
    })();
    expect(await findMinted(stack, creds)).toBeDefined();
    expect(await locationCalls(stack)).toEqual({ success: 1 });
  });

  it('lists the lease with its requested and accessible locations, and nothing missing', async () => {
    const listing = (await (await stack.get(`/v1/cache`)).json()) as { entries: Record<string, unknown>[] };
    expect(listing.entries.filter((e) => e['operation'] === OP)).toEqual([
      expect.objectContaining({
        label: 'lake',
        operation: OP,
        dataLocations: [ORDERS_LOCATION, RETURNS_LOCATION],
        accessibleDataLocations: [ORDERS_LOCATION, RETURNS_LOCATION],
        missingDataLocations: [],
        credentialsScope: 'READ',
      }),
    ]);
    const status = await renderStatus({
      credentialsUrl: stack.sidecar.credentialsUrl,
      adminUrl: stack.sidecar.adminUrl,
      token: stack.token,
    });
    expect(status).toContain(`${ORDERS_LOCATION},${RETURNS_LOCATION}`);
    expect(status).not.toContain('not granted');
  });

  it('shares the lease with the native route for the same locations (a hit), answering in the API shape', async () => {
    const res = await stack.post('/v1/data-location-credentials', { DataLocations: [`${ORDERS_LOCATION}/`, RETURNS_LOCATION] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { Credentials: Record<string, string>; AccessibleDataLocations: string[]; CredentialsScope: string };
    expect(body.AccessibleDataLocations).toEqual([ORDERS_LOCATION, RETURNS_LOCATION]);
    expect(body.CredentialsScope).toBe('READ');
    expect(
      await findMinted(stack, {
        accessKeyId: body.Credentials['AccessKeyId']!,
        secretAccessKey: body.Credentials['SecretAccessKey']!,
        sessionToken: body.Credentials['SessionToken']!,
      }),
    ).toBeDefined();
    expect(await locationCalls(stack)).toEqual({ success: 1 });
  });

  // Each documented failure, asked for on the dynamic route: a 4xx JSON error, and the profile keeps serving.
  const failures: Array<[string, Record<string, string>, number, string]> = [
    ['a location not registered', { location: '["s3://demo-lake/raw/clicks"]' }, 404, 'EntityNotFoundException'],
    ['a registered location without a table', { location: '["s3://demo-lake/sales/archive"]' }, 404, 'EntityNotFoundException'],
    ['a table without SELECT', { location: `["${PAYMENTS_LOCATION}"]` }, 403, 'AccessDeniedException'],
    ['a table without full table access', { location: '["s3://demo-lake/sales/customers"]' }, 403, 'AccessDeniedException'],
    ['a location in another region', { location: '["s3://demo-lake-eu/sales/orders"]' }, 400, 'InvalidInputException'],
    ['READWRITE without INSERT', { location: `["${ORDERS_LOCATION}"]`, credentialsScope: 'READWRITE' }, 403, 'AccessDeniedException'],
  ];
  for (const [what, query, status, code] of failures) {
    it(`answers ${what} with ${status} ${code} as JSON, and keeps serving`, async () => {
      const res = await stack.get(`/v1/credentials?${new URLSearchParams(query)}`);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toMatchObject({ code, Code: code });
      expect((await stack.get('/v1/credentials/lake')).status).toBe(200);
    });
  }

  it('refuses a location outside dynamic.allowedLocations with 403, without calling Lake Formation', async () => {
    const before = await locationCalls(stack);
    const res = await stack.get(`/v1/credentials?${new URLSearchParams({ location: '["s3://other-bucket/data"]' })}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'LocationNotAllowed' });
    expect(await locationCalls(stack)).toEqual(before);
  });

  it('grants READWRITE where the table has INSERT', async () => {
    const query = new URLSearchParams({ location: `["${RETURNS_LOCATION}"]`, credentialsScope: 'READWRITE' });
    expect((await stack.get(`/v1/credentials?${query}`)).status).toBe(200);
  });

  it('never logs key material', async () => {
    const res = await stack.post('/v1/data-location-credentials', { DataLocations: [RETURNS_LOCATION] });
    const body = (await res.json()) as { Credentials: Record<string, string> };
    expect(stack.logs()).not.toContain(body.Credentials['SecretAccessKey']);
    expect(stack.logs()).not.toContain(body.Credentials['SessionToken']);
  });
});

describe('a location profile that Lake Formation covers only in part', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ config: locationConfig([ORDERS_LOCATION, PAYMENTS_LOCATION]) });
    // Bounded; each turn lets real I/O complete.
    for (let i = 0; i < 200 && stack.sidecar.readiness().profiles['lake']?.state !== 'failed'; i++) await realTick(5);
  });
  afterAll(() => stack?.close());

  it('is not ready, and /readyz names the location Lake Formation did not grant', async () => {
    const res = await fetch(`${stack.sidecar.adminUrl}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as {
      reasons: string[];
      profiles: Record<string, { missingLocations?: string[]; error?: { code: string } }>;
    };
    expect(body.reasons).toContain(`profile lake: Lake Formation did not grant ${PAYMENTS_LOCATION}`);
    expect(body.profiles['lake']).toMatchObject({ error: { code: 'IncompleteCoverage' }, missingLocations: [PAYMENTS_LOCATION] });
  });

  it('names it in the log and in lfcs status', async () => {
    await until(() => stack.logs().includes('prewarm failed'));
    expect(stack.logs()).toMatch(new RegExp(`"missingLocations":\\["${PAYMENTS_LOCATION}"\\]`));
    const status = await renderStatus({
      credentialsUrl: stack.sidecar.credentialsUrl,
      adminUrl: stack.sidecar.adminUrl,
      token: stack.token,
    });
    expect(status).toContain('not ready (HTTP 503)');
    expect(status).toContain(`lake: not granted by Lake Formation: ${PAYMENTS_LOCATION}`);
  });

  it('still serves the credentials Lake Formation did vend (they claim nothing in the container format)', async () => {
    expect((await stack.get('/v1/credentials/lake')).status).toBe(200);
    const native = await stack.post('/v1/data-location-credentials', { DataLocations: [ORDERS_LOCATION, PAYMENTS_LOCATION] });
    expect(((await native.json()) as { AccessibleDataLocations: string[] }).AccessibleDataLocations).toEqual([ORDERS_LOCATION]);
  });
});

describe('refresh ahead of a location lease', () => {
  const clock = new FakeClock();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startFakeClockStack(clock, { config: locationConfig([ORDERS_LOCATION, RETURNS_LOCATION]) });
    await pumpUntilSettled(clock, stack.sidecar.prewarmed());
  });
  afterAll(() => stack?.close());

  it('renews in the background before expiry, so clients keep getting hits with a fresh lease', async () => {
    const first = (await (await pumpUntilSettled(clock, stack.get('/v1/credentials/lake'))).json()) as { AccessKeyId: string };
    expect(await locationCalls(stack)).toEqual({ success: 1 });
    // A 1 h lease is renewed from 30 min before expiry (plus jitter); 35 min on, the renewal has happened.
    await pump(clock, 35 * 60 * 1000, 10_000);
    // The renewal's call is real socket I/O: wait for it, bounded.
    for (let i = 0; i < 200 && (await locationCalls(stack)).success !== 2; i++) await realTick(5);
    expect(await locationCalls(stack)).toEqual({ success: 2 });
    const second = (await (await pumpUntilSettled(clock, stack.get('/v1/credentials/lake'))).json()) as { AccessKeyId: string };
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(stack.sidecar.readiness().ready).toBe(true);
  });
});

describe('a ready location profile whose renewed lease covers less', () => {
  const clock = new FakeClock();
  let stack: Stack;
  let real: VendFunction | undefined;
  /** Data-location calls made so far. */
  let calls = 0;
  beforeAll(async () => {
    // The emulator's grants are static, so the renewal's answer is narrowed here: the second
    // answer names only orders, as Lake Formation would after a revoked grant on returns.
    const vend: VendFunction = async (request, signal) => {
      const lease = await real!(request, signal);
      const lifetimeMs = lease.expiration.getTime() - Date.now();
      if (request.operation === 'GetTemporaryDataLocationCredentials') calls += 1;
      const narrowed = calls > 1 && lease.accessibleDataLocations ? { accessibleDataLocations: [ORDERS_LOCATION] } : {};
      return { ...lease, ...narrowed, expiration: new Date(clock.now() + lifetimeMs) };
    };
    stack = await startStack({
      config: {
        ...locationConfig([ORDERS_LOCATION, RETURNS_LOCATION]),
        profiles: { lake: { locations: [ORDERS_LOCATION, RETURNS_LOCATION] } },
      },
      sidecar: { clock, vend },
    });
    real = createLakeFormationVending({
      region: 'us-east-1',
      endpoint: stack.emulator.url,
      credentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
      timeoutMs: 2000,
    }).vend;
    await pumpUntilSettled(clock, stack.sidecar.prewarmed());
  });
  afterAll(() => stack?.close());

  it('turns not ready, naming the location the renewal left out', async () => {
    expect(stack.sidecar.readiness().ready).toBe(true);
    const before = calls;
    await pump(clock, 35 * 60 * 1000, 10_000);
    for (let i = 0; i < 200 && calls < before + 1; i++) await realTick(5);
    await pump(clock, 1000, 100);
    const report = stack.sidecar.readiness();
    expect(report.ready).toBe(false);
    expect(report.reasons).toContain(`profile lake: Lake Formation did not grant ${RETURNS_LOCATION}`);
  });
});
