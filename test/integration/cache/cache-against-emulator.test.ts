import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialCache, type CredentialCacheOptions, type LookupResult, type UpstreamCallEvent } from '../../../src/cache/index.js';
import { UpstreamCaller } from '../../../src/upstream/caller.js';
import type { LimiterSettings, RetrySettings } from '../../../src/upstream/settings.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import { DEMO_PRINCIPAL, type CallStatsSnapshot, type RunningEmulator } from '../../../src/emulator/index.js';
import { createLakeFormationVending, type LakeFormationVending } from '../../../src/upstream/lakeformation-client.js';
import type { CredentialRequest } from '../../../src/lakeformation/types.js';
import { ORDERS_ARN, PAYMENTS_ARN } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';

/**
 * The cache with the real Lake Formation client (the real SDK, SigV4 and
 * all) against the emulator, driven into failure with its fault injection.
 * The emulator's call counters are the ground truth for "how many calls".
 */
const TABLE_OP = 'GetTemporaryGlueTableCredentials';

let emulator: RunningEmulator;
let vending: LakeFormationVending;
const caches: CredentialCache[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator();
  vending = createLakeFormationVending({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
    timeoutMs: 5000,
  });
});
afterEach(async () => {
  for (const cache of caches.splice(0)) cache.close();
  await emulatorCall('POST', '/_emulator/reset');
});
afterAll(async () => {
  vending.destroy();
  await emulator.close();
});

async function emulatorCall<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(emulator.url + path, {
    method,
    ...(body !== undefined && { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const setFaults = (faults: Record<string, unknown>) => emulatorCall('POST', '/_emulator/faults', faults);
const stats = () => emulatorCall<CallStatsSnapshot>('GET', '/_emulator/stats');
const tableCalls = async (): Promise<Record<string, number>> => (await stats()).calls[TABLE_OP] ?? {};

type NewCacheOptions = Omit<CredentialCacheOptions, 'upstream'> &
  Partial<RetrySettings & LimiterSettings> & { onUpstreamCall?: (event: UpstreamCallEvent) => void };

/** The cache as the sidecar wires it: the real client behind an {@link UpstreamCaller}. */
function newCache(options: NewCacheOptions, lookups: LookupResult[] = []): CredentialCache {
  const {
    maxAttempts,
    retryBaseDelayMs,
    retryMaxDelayMs,
    maxConcurrency,
    ratePerSecond,
    burst,
    maxQueuedCalls,
    throttlePauseMs,
    onUpstreamCall,
    ...rest
  } = options;
  const upstream = new UpstreamCaller({
    vend: vending.vend,
    settings: { maxAttempts, retryBaseDelayMs, retryMaxDelayMs, maxConcurrency, ratePerSecond, burst, maxQueuedCalls, throttlePauseMs },
    ...(rest.clock && { clock: rest.clock }),
    ...(onUpstreamCall && { onAttempt: onUpstreamCall }),
  });
  const cache = new CredentialCache({
    ...rest,
    upstream,
    hooks: { ...rest.hooks, onLookup: (result) => lookups.push(result) },
  });
  caches.push(cache);
  return cache;
}

const ordersRequest = (): CredentialRequest => ({
  operation: TABLE_OP,
  tableArn: ORDERS_ARN,
  permissions: ['SELECT'],
  supportedPermissionTypes: ['COLUMN_PERMISSION'],
  durationSeconds: 3600,
});

describe('single flight against the emulator', () => {
  it('1000 concurrent gets on a cold key make exactly one Lake Formation call', async () => {
    const lookups: LookupResult[] = [];
    const cache = newCache({}, lookups);

    const served = await Promise.all(Array.from({ length: 1000 }, () => cache.get(ordersRequest())));

    expect(await stats()).toEqual({ calls: { [TABLE_OP]: { success: 1 } }, total: 1 });
    const keys = new Set(served.map((s) => s.lease.accessKeyId));
    expect(keys.size).toBe(1);
    expect(lookups.filter((r) => r === 'miss')).toHaveLength(1);
    expect(lookups.filter((r) => r === 'coalesced')).toHaveLength(999);
    // The next get is answered from the cache: still one call.
    expect((await cache.get(ordersRequest())).result).toBe('hit');
    expect((await stats()).total).toBe(1);
  });
});

describe('throttling storm', () => {
  it('retries ThrottlingException until the storm clears, then serves the lease', async () => {
    const throttled = 6;
    await setFaults({ throttleNext: throttled });
    const attempts: string[] = [];
    const cache = newCache({
      maxAttempts: throttled + 1,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 5,
      // The retry loop alone: the throttle brake (next test) would pause each retry.
      throttlePauseMs: 0,
      onUpstreamCall: (event) => attempts.push(event.outcome),
    });

    const served = await cache.get(ordersRequest());

    expect(served.result).toBe('miss');
    expect(served.lease.accessKeyId).toMatch(/^ASIA/);
    expect(await tableCalls()).toEqual({ ThrottlingException: throttled, success: 1 });
    expect(attempts).toEqual([...Array<string>(throttled).fill('ThrottlingException'), 'success']);
  });

  it('pauses every key after a ThrottlingException: no call reaches Lake Formation until the pause ends', async () => {
    await setFaults({ throttleNext: 1 });
    const clock = new FakeClock(Date.now());
    const cache = newCache({ clock, maxAttempts: 1, throttlePauseMs: 1000 });
    await expect(cache.get(ordersRequest())).rejects.toMatchObject({ code: 'ThrottlingException' });
    const other = cache.get({ ...ordersRequest(), durationSeconds: 1800 }); // another key
    await new Promise((resolve) => setImmediate(resolve));
    expect(await tableCalls()).toEqual({ ThrottlingException: 1 });
    await clock.advance(1000);
    await expect(other).resolves.toMatchObject({ result: 'miss' });
    expect(await tableCalls()).toEqual({ ThrottlingException: 1, success: 1 });
  });

  it('gives up after maxAttempts when the storm outlasts them, with a retryable error', async () => {
    await setFaults({ throttleNext: 10 });
    const cache = newCache({ maxAttempts: 3, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });

    const error = await cache.get(ordersRequest()).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(error).toBeInstanceOf(LfcsError);
    expect((error as LfcsError).code).toBe('ThrottlingException');
    expect((error as LfcsError).retryable).toBe(true);
    expect(await tableCalls()).toEqual({ ThrottlingException: 3 });
  });
});

describe('outage during the refresh window', () => {
  it('keeps serving the cached lease (hit, then stale) while Lake Formation is unreachable', async () => {
    // The emulator stamps real-time expirations; the cache judges the time
    // left on its own clock, so a fake clock started at "now" moves the
    // lease through its lifecycle without waiting.
    const clock = new FakeClock(Date.now());
    const refreshes: string[] = [];
    const lookups: LookupResult[] = [];
    const cache = newCache(
      {
        clock,
        refreshJitterSeconds: 0,
        // One attempt per fetch: a retry would sleep on the fake clock.
        maxAttempts: 1,
        // random() = 0.99 pins the backoff after the failed refresh at ~33 min,
        // so the later gets are answered from the failed entry without a new call.
        random: () => 0.99,
        refreshRetryBaseDelayMs: 2_000_000,
        refreshRetryMaxDelayMs: 2_000_000,
        hooks: { onRefresh: (outcome) => refreshes.push(outcome) },
      },
      lookups,
    );

    const first = await cache.get(ordersRequest());
    expect(first.result).toBe('miss');
    const remainingAtStart = first.remainingSeconds;
    expect(remainingAtStart).toBeGreaterThan(3500);
    expect(await tableCalls()).toEqual({ success: 1 });

    await setFaults({ outage: true });
    // Into the refresh window (refreshBefore 1800 s, no jitter): the background refresh starts.
    await clock.advance((remainingAtStart - 1700) * 1000);
    await vi.waitFor(() => expect(refreshes).toEqual(['failure']), { timeout: 10_000, interval: 20 });
    expect(await tableCalls()).toEqual({ success: 1, outage: 1 });

    const inWindow = await cache.get(ordersRequest());
    expect(inWindow.result).toBe('hit');
    expect(inWindow.lease).toEqual(first.lease);

    // Below minServeSeconds (960 s): the request would wait for a fresh lease,
    // but the last fetch failed and is backing off, so the old lease is served.
    await clock.advance(1000 * 1000);
    const belowMinServe = await cache.get(ordersRequest());
    expect(belowMinServe.result).toBe('stale');
    expect(belowMinServe.lease).toEqual(first.lease);
    expect(belowMinServe.remainingSeconds).toBeLessThan(960);
    expect(belowMinServe.remainingSeconds).toBeGreaterThan(60);

    // No request reached the emulator beyond the one failed refresh.
    expect(await tableCalls()).toEqual({ success: 1, outage: 1 });
    expect(lookups).toEqual(['miss', 'hit', 'stale']);
    expect(cache.entries()[0]?.lastRefreshOutcome).toBe('UpstreamUnavailable');
  });
});

describe('AccessDenied', () => {
  const paymentsSelect = (): CredentialRequest => ({
    operation: TABLE_OP,
    tableArn: PAYMENTS_ARN,
    permissions: ['SELECT'],
    supportedPermissionTypes: ['COLUMN_PERMISSION'],
  });

  it('is not retried, is remembered for negativeTtlSeconds, then asked again', async () => {
    const clock = new FakeClock(Date.now());
    const lookups: LookupResult[] = [];
    const cache = newCache({ clock, maxAttempts: 5, negativeTtlSeconds: 30 }, lookups);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (err: unknown) => (err instanceof LfcsError ? err.code : `unexpected ${String(err)}`),
      );

    expect(await codeOf(cache.get(paymentsSelect()))).toBe('AccessDeniedException');
    expect(await tableCalls()).toEqual({ AccessDeniedException: 1 });

    expect(await codeOf(cache.get(paymentsSelect()))).toBe('AccessDeniedException');
    expect(lookups).toEqual(['miss', 'negative']);
    expect(await tableCalls()).toEqual({ AccessDeniedException: 1 });

    await clock.advance(29_000);
    expect(await codeOf(cache.get(paymentsSelect()))).toBe('AccessDeniedException');
    expect(lookups.at(-1)).toBe('negative');
    expect(await tableCalls()).toEqual({ AccessDeniedException: 1 });

    await clock.advance(1_001);
    expect(await codeOf(cache.get(paymentsSelect()))).toBe('AccessDeniedException');
    expect(lookups.at(-1)).toBe('miss');
    expect(await tableCalls()).toEqual({ AccessDeniedException: 2 });
  });
});
