import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import type { TokenSource } from '../identity/token-source.js';
import { CredentialCache } from '../cache/index.js';
import { systemClock, type Clock } from '../core/clock.js';
import { matchesAllowedTable, type Config } from '../config/index.js';
import { matchesAllowedLocation } from '../lakeformation/data-location.js';
import { shuttingDownError } from '../core/errors.js';
import { createAdminApp, type ReadinessReport } from '../http/admin-app.js';
import type { RequestListener } from 'node:http';
import { CACHE_LISTINGS_PER_SECOND, createCredentialsApp, ROUTE_NAMES } from '../http/credentials-app.js';
import { ERROR_STATUSES } from '../http/error-response.js';
import { createLakeFormationApiApp } from '../http/lakeformation-api-app.js';
import { createIcebergApp } from '../http/iceberg-app.js';
import { createIcebergGateway } from '../iceberg/gateway.js';
import { glueIcebergUri } from '../iceberg/settings.js';
import { createTableLeases } from '../iceberg/table-leases.js';
import { createUpstreamCatalog } from '../iceberg/upstream-catalog.js';
import { createMetrics, type SidecarMetrics } from '../observability/metrics.js';
import { TokenBucket } from '../core/token-bucket.js';
import { FairShareBucket } from '../http/fair-share.js';
import { newRequestBudget } from '../http/new-request-budget.js';
import type { UpstreamCaller } from '../upstream/caller.js';
import type { Operation, VendFunction } from '../lakeformation/types.js';
import { Prewarmer } from './prewarm.js';
import { cacheHooks } from '../observability/cache-events.js';
import { callersFromConfig } from './callers.js';
import { startListeners, type Listeners } from './listeners.js';
import { resolveProfiles } from './profiles.js';
import { readiness, type ReadinessFacts } from './readiness.js';
import { upstreamFromConfig } from './upstream.js';

/** Every operation, for metric series initialised at 0 (a new one fails to compile until listed). */
const OPERATION_NAMES: Record<Operation, true> = {
  GetTemporaryGlueTableCredentials: true,
  GetTemporaryGluePartitionCredentials: true,
  GetTemporaryDataLocationCredentials: true,
};

/** Everything `startSidecar` needs; only `config`, `version` and `logger` are required. */
export interface SidecarInit {
  config: Config;
  version: string;
  logger: Logger;
  clock?: Clock;
  /** Replaces the Lake Formation client (unit tests, benchmarks). */
  vend?: VendFunction;
  /** The sidecar's own AWS identity. Default: the SDK's default chain. */
  upstreamCredentials?: AwsCredentialIdentity;
  /** Replaces the token source built from `config.auth` (sidecar mode). */
  tokenSource?: TokenSource;
  metrics?: SidecarMetrics;
}

export interface RunningSidecar {
  /** `http://127.0.0.1:<port>`: base of the credentials routes. */
  readonly credentialsUrl: string;
  /** `http://<host>:<port>`: base of the admin routes. */
  readonly adminUrl: string;
  /** `http://127.0.0.1:<port>`: the Lake Formation API listener (AWS_ENDPOINT_URL_LAKEFORMATION), when enabled. */
  readonly lakeformationApiUrl: string | undefined;
  /** `http://127.0.0.1:<port>`: the Iceberg REST gateway (the engines' catalog `uri`), when enabled. */
  readonly icebergUrl: string | undefined;
  readonly cache: CredentialCache;
  /** Lake Formation calls, retries and their limiter (`load` shows calls running and queued). */
  readonly upstream: UpstreamCaller;
  readonly metrics: SidecarMetrics;
  readonly tokenFile: string | undefined;
  readiness(): ReadinessReport;
  /** Resolves once every profile has been prewarmed successfully (or at once if prewarm is off). */
  prewarmed(): Promise<void>;
  /**
   * Graceful stop: readiness turns 503 at once, the credentials listener keeps
   * serving for `shutdown.drainSeconds` (a native sidecar is stopped after the
   * app, which may still fetch while it shuts down), then both close.
   */
  shutdown(): Promise<void>;
  /** Immediate stop, for tests. */
  close(): Promise<void>;
}

/**
 * Wires configuration, Lake Formation client, cache, metrics and the
 * listeners together, and starts the prewarm of every configured profile.
 */
export async function startSidecar(init: SidecarInit): Promise<RunningSidecar> {
  const { config, logger } = init;
  const clock = init.clock ?? systemClock;
  const metrics =
    init.metrics ??
    createMetrics({
      version: init.version,
      known: { routes: ROUTE_NAMES, codes: ERROR_STATUSES, operations: Object.keys(OPERATION_NAMES) },
    });
  const { auth, token, verifier } = await callersFromConfig(config, { clock, logger, metrics, tokenSource: init.tokenSource });
  const { onUpstreamCall, ...hooks } = cacheHooks(metrics, logger);
  const built = upstreamFromConfig(config, {
    clock,
    onAttempt: onUpstreamCall,
    onThrottlePause: () => metrics.upstreamThrottlePauses.inc(),
    vend: init.vend,
    credentials: init.upstreamCredentials,
  });
  const { upstream } = built;
  const profiles = resolveProfiles(config);
  // Profiles have their own budget in the cache: dynamic keys never evict them.
  const pinnedKeys = [...profiles.values()].map((p) => p.prepared.key);
  const cache = new CredentialCache({ upstream, clock, hooks, pinnedKeys, ...config.cache });
  const bucket = (ratePerSecond: number, burst: number) => new TokenBucket({ clock, ratePerSecond, burst });
  const { requestsPerSecond, burst } = config.rateLimit;
  // In agent mode, each pod's binding is its allow-list: the node-wide dynamic.allowed* are not used.
  const agentMode = config.mode === 'agent';
  const dynamic = {
    enabled: config.dynamic.enabled,
    isAllowed: (arn: string) => agentMode || matchesAllowedTable(config.dynamic.allowedTables, arn),
    isLocationAllowed: (location: string) => agentMode || matchesAllowedLocation(config.dynamic.allowedLocations, location),
  };

  // The EKS Pod Identity Agent's limits by default (1000/s, burst 500): far above
  // what a pod's SDK clients send, low enough that a runaway loop can't starve us;
  // shared fairly, so runaway pods cannot starve a quiet one (agent mode).
  const rateLimiter = new FairShareBucket({ clock, ratePerSecond: requestsPerSecond, burst });
  // One budget of audit lines for the process, whichever listener refused.
  const deniedLogLimiter = bucket(config.rateLimit.deniedLogLinesPerSecond, 20);
  const credentialsApp = createCredentialsApp({
    cache,
    profiles: { resolve: (name) => profiles.get(name) },
    dynamic,
    defaults: config.defaults,
    listing: (limit) => ({ total: cache.size, entries: cache.entries(limit) }),
    auth,
    rateLimiter,
    refusedRateLimiter: bucket(config.rateLimit.refusedPerSecond, config.rateLimit.refusedBurst),
    listingRateLimiter: bucket(CACHE_LISTINGS_PER_SECOND, CACHE_LISTINGS_PER_SECOND),
    deniedLogLimiter,
    ...(agentMode && {
      newRequests: newRequestBudget({
        clock,
        ratePerSecond: config.agent.podNewRequestsPerSecond,
        burst: config.agent.podNewRequestsBurst,
      }),
    }),
    metrics,
    logger,
  });
  // Admission, then profile hits straight from the cache; everything else through Express.
  const credentials: RequestListener = credentialsApp;
  // Its own bucket with the same limits: an engine's burst of calls here must not starve the container endpoint.
  const lakeformationApi = config.lakeformationApi.enabled
    ? createLakeFormationApiApp({
        cache,
        dynamic,
        rateLimiter: bucket(requestsPerSecond, burst),
        // Requests refused as foreign, unsigned or malformed: their own bucket, as on the credentials listener.
        refusedRateLimiter: bucket(config.rateLimit.refusedPerSecond, config.rateLimit.refusedBurst),
        deniedLogLimiter,
        clock,
        metrics,
        logger,
      })
    : undefined;

  // The gateway: catalog calls signed as lfcs itself (the Lake Formation client's own identity), leases from the one cache.
  const icebergRegion = config.iceberg.region ?? config.region;
  const iceberg = config.iceberg.enabled
    ? createIcebergApp({
        gateway: createIcebergGateway({
          region: icebergRegion,
          catalogs: config.iceberg.catalogs,
          delegation: config.iceberg.delegation,
          s3Endpoint: config.iceberg.s3Endpoint,
          upstream: createUpstreamCatalog({
            uri: config.iceberg.upstreamUri ?? glueIcebergUri(icebergRegion),
            region: icebergRegion,
            credentials: built.credentials ?? init.upstreamCredentials ?? defaultChainOnFirstUse(),
            timeoutMs: config.iceberg.timeoutMs,
            maxResponseBytes: config.iceberg.maxUpstreamResponseMiB * 2 ** 20,
            clock,
          }),
          leases: createTableLeases(cache, config.defaults),
          clock,
        }),
        auth,
        dynamic,
        defaults: config.defaults,
        rateLimiter: bucket(requestsPerSecond, burst),
        refusedRateLimiter: bucket(config.rateLimit.refusedPerSecond, config.rateLimit.refusedBurst),
        deniedLogLimiter: bucket(config.rateLimit.deniedLogLinesPerSecond, 20),
        metrics,
        logger,
      })
    : undefined;

  const prewarmer = new Prewarmer({
    cache,
    clock,
    logger,
    profiles: config.prewarm.enabled ? new Map([...profiles].map(([name, p]) => [name, p.prepared])) : new Map(),
    retryBaseDelayMs: config.prewarm.retryBaseDelayMs,
    retryMaxDelayMs: config.prewarm.retryMaxDelayMs,
  });
  let shuttingDown = false;
  let listeners: Listeners | undefined;
  const facts = (): ReadinessFacts => {
    const prewarmed = [...profiles].filter(([name]) => prewarmer.wasReady(name));
    return {
      shuttingDown,
      listeners: listeners?.listening() ?? { credentials: false, admin: false },
      issuerProblem: verifier?.notReadyReason,
      issuerNote: verifier?.savedKeysNote,
      profiles: prewarmer.states(),
      leases: Object.fromEntries(
        prewarmed.map(([name, p]) => {
          const lease = cache.peek(p.prepared.key);
          return [name, lease && { missingLocations: lease.missingDataLocations ?? [] }];
        }),
      ),
    };
  };
  const ready = (): ReadinessReport => readiness(facts());
  const admin = createAdminApp({ registry: metrics.registry, readiness: ready });

  const stopParts = (): void => {
    prewarmer.stop();
    verifier?.stop();
    // Requests still waiting on Lake Formation (queued or in backoff) are
    // answered 503 ShuttingDown at once instead of holding a listener open.
    cache.close();
    upstream.close(shuttingDownError());
  };
  try {
    listeners = await startListeners(config, { credentials, lakeformationApi, iceberg, admin });
  } catch (err) {
    stopParts();
    built.destroy();
    throw err;
  }
  metrics.cacheEntries.set(0);
  prewarmer.start();
  verifier?.start();

  let stopped: Promise<void> | undefined;
  const stop = async (drainMs: number) => {
    shuttingDown = true;
    prewarmer.stop();
    verifier?.stop();
    if (drainMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, drainMs));
    stopParts();
    await listeners!.close();
    built.destroy();
  };
  return {
    credentialsUrl: listeners.credentialsUrl,
    adminUrl: listeners.adminUrl,
    lakeformationApiUrl: listeners.lakeformationApiUrl,
    icebergUrl: listeners.icebergUrl,
    cache,
    upstream,
    metrics,
    tokenFile: token?.path,
    readiness: ready,
    prewarmed: () => prewarmer.done(),
    shutdown() {
      stopped ??= stop(config.shutdown.drainSeconds * 1000);
      return stopped;
    },
    close() {
      stopped ??= stop(0);
      return stopped;
    },
  };
}

/**
 * The SDK's default credential chain, loaded on the gateway's first upstream
 * call: a configuration without the gateway never loads the providers.
 */
function defaultChainOnFirstUse(): () => Promise<AwsCredentialIdentity> {
  let provider: Promise<() => Promise<AwsCredentialIdentity>> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-providers').then(({ fromNodeProviderChain }) => fromNodeProviderChain());
    return (await provider)();
  };
}
