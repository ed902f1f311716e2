/**
 * In-process doubles for the credentials and admin apps' dependencies: a
 * scripted cache, a fixed token, a rate limiter on a fake clock and a logger
 * that records its lines. No sockets, no emulator.
 */
import { Writable } from 'node:stream';
import { prepareRequest } from '../../src/cache/index.js';
import { TokenBucket } from '../../src/core/token-bucket.js';
import { createTokenSource } from '../../src/identity/token-source.js';
import { tokenAuth, type CallerAuth } from '../../src/identity/caller-auth.js';
import type { CredentialsAppDeps, ResolvedProfile } from '../../src/http/credentials-app.js';
import type { LakeFormationApiAppDeps } from '../../src/http/lakeformation-api-app.js';
import type { CredentialRequest, Lease } from '../../src/lakeformation/types.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { FakeClock } from './fake-clock.mjs';

export const APP_TOKEN = 'unit-test-token-0123456789';
export const FAKE_LEASE: Lease = Object.freeze({
  accessKeyId: 'ASIAFAKEUNITTEST0001',
  secretAccessKey: 'fake-secret-access-key-for-unit-tests-000',
  sessionToken: 'fake-session-token-for-unit-tests',
  expiration: new Date(Date.UTC(2026, 10, 25, 7, 0, 0)),
  vendedS3Path: ['s3://demo-lake/sales/orders/'],
});

/** What the fake cache does with the next `get`: answer with a lease or throw. */
export type CacheAnswer = { lease: Lease; remainingSeconds?: number } | { error: unknown };

/** The credentials app's dependencies. */
export type FakeDeps = CredentialsAppDeps;

export interface FakeApp {
  deps: FakeDeps;
  clock: FakeClock;
  /** Requests the cache received, in order. */
  requests: Array<{ request: CredentialRequest; key?: string; label?: string }>;
  /** The cache's next answers; default: a copy of FAKE_LEASE with 3000 s left. */
  answers: CacheAnswer[];
  /** What `GET /v1/cache` lists (the app asks for at most its limit). */
  listing: unknown[];
  /** What `serveIfFresh` (the hit path, without a promise) returns: the lease, or nothing (a miss, the default: the full path answers). */
  fresh: { lease: Lease } | undefined;
  /** How many times `serveIfFresh` answered with a lease. */
  freshHits: number;
  /** Everything logged, as text. */
  logs(): string;
}

export function fakeCredentialsDeps(
  options: {
    profiles?: Record<string, CredentialRequest>;
    allowed?: (arn: string) => boolean;
    /** `dynamic.allowedLocations` as a predicate; setting it (or `allowed`) enables dynamic requests. */
    allowedLocations?: (location: string) => boolean;
    /** Who may call; default: the shared token {@link APP_TOKEN}. */
    auth?: CallerAuth;
    ratePerSecond?: number;
    burst?: number;
    refusedPerSecond?: number;
    refusedBurst?: number;
    deniedLogBurst?: number;
    listingBurst?: number;
  } = {},
): FakeApp {
  const clock = new FakeClock();
  // Each fake cache holds its own lease object, as each real cache entry does. It carries no stored
  // answer (a real cache's leases do, src/lakeformation/container-body.ts), so the HTTP layer renders
  // it with the account the route names.
  const lease: Lease = Object.freeze({ ...FAKE_LEASE });
  const requests: FakeApp['requests'] = [];
  const answers: CacheAnswer[] = [];
  const listing: unknown[] = [];
  const lines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  const answer = async () => {
    const next = answers.shift() ?? { lease };
    if ('error' in next) throw next.error;
    return { lease: next.lease, result: 'hit', remainingSeconds: next.remainingSeconds ?? 3000 };
  };
  const profiles = new Map<string, ResolvedProfile>(
    Object.entries(options.profiles ?? {}).map(([name, request]) => [
      name,
      {
        prepared: prepareRequest(request),
        accountId: request.operation === 'GetTemporaryDataLocationCredentials' ? undefined : '123456789012',
      },
    ]),
  );
  const state = { fresh: undefined as { lease: Lease } | undefined, freshHits: 0 };
  const deps: FakeDeps = {
    cache: {
      serveIfFresh: (prepared, label) => {
        const served = fresh();
        if (served) {
          state.freshHits += 1;
          requests.push({ request: prepared.request, key: prepared.key, label });
        }
        return served;
      },
      get: (request) => {
        requests.push({ request });
        return answer();
      },
      getPrepared: (prepared, opts) => {
        requests.push({ request: prepared.request, key: prepared.key, ...(opts?.label && { label: opts.label }) });
        return answer();
      },
    },
    profiles: { resolve: (name) => profiles.get(name) },
    dynamic: {
      enabled: options.allowed !== undefined || options.allowedLocations !== undefined,
      isAllowed: options.allowed ?? (() => false),
      isLocationAllowed: options.allowedLocations ?? (() => false),
    },
    defaults: { permissions: ['SELECT'], supportedPermissionTypes: ['COLUMN_PERMISSION'], durationSeconds: 3600 },
    listing: (limit) => ({ total: listing.length, entries: listing.slice(0, limit) }),
    auth: options.auth ?? tokenAuth(createTokenSource({ kind: 'value', token: APP_TOKEN })),
    rateLimiter: new TokenBucket({ clock, ratePerSecond: options.ratePerSecond ?? 1000, burst: options.burst ?? 500 }),
    refusedRateLimiter: new TokenBucket({ clock, ratePerSecond: options.refusedPerSecond ?? 1000, burst: options.refusedBurst ?? 500 }),
    deniedLogLimiter: new TokenBucket({ clock, ratePerSecond: 10, burst: options.deniedLogBurst ?? 1000 }),
    listingRateLimiter: new TokenBucket({ clock, ratePerSecond: 4, burst: options.listingBurst ?? 1000 }),
    metrics: createMetrics({ version: '0.0.0-test', defaultMetrics: false }),
    logger,
  };
  function fresh() {
    return state.fresh ? { lease: state.fresh.lease, result: 'hit' as const, remainingSeconds: 3000 } : undefined;
  }
  return {
    deps,
    clock,
    requests,
    answers,
    listing,
    get fresh() {
      return state.fresh;
    },
    set fresh(value) {
      state.fresh = value;
    },
    get freshHits() {
      return state.freshHits;
    },
    logs: () => lines.join(''),
  };
}

/** The Lake Formation API app's dependencies, from the same fakes (scripted cache, fake clock, recorded log). */
export function fakeLakeFormationApiDeps(options: Parameters<typeof fakeCredentialsDeps>[0] = {}): FakeApp & {
  apiDeps: LakeFormationApiAppDeps;
} {
  const fake = fakeCredentialsDeps(options);
  const { cache, dynamic, rateLimiter, refusedRateLimiter, deniedLogLimiter, metrics, logger } = fake.deps;
  const apiDynamic = { ...dynamic, isLocationAllowed: dynamic.isLocationAllowed ?? (() => false) };
  return {
    ...fake,
    apiDeps: { cache, dynamic: apiDynamic, rateLimiter, refusedRateLimiter, deniedLogLimiter, metrics, logger, clock: fake.clock },
  };
}
