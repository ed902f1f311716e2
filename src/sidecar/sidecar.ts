import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import { createTokenSource, type TokenSource } from '../identity/token-source.js';
import { CredentialCache, prepareRequest } from '../cache/index.js';
import { accountIdFromTableArn } from '../lakeformation/table-arn.js';
import { systemClock, type Clock } from '../core/clock.js';
import { matchesAllowedTable, profileToRequest, type Config } from '../config/index.js';
import { matchesAllowedLocation } from '../lakeformation/data-location.js';
import { LfcsError } from '../core/errors.js';
import { hostForUrl } from '../core/hosts.js';
import { createAdminApp, type ReadinessReport } from '../http/admin-app.js';
import type { RequestListener } from 'node:http';
import { CACHE_LISTINGS_PER_SECOND, createCredentialsApp, ROUTE_NAMES, type ResolvedProfile } from '../http/credentials-app.js';
import { ERROR_STATUSES } from '../http/error-response.js';
import { createLakeFormationApiApp, lakeFormationErrorResponse } from '../http/lakeformation-api-app.js';
import { createIcebergApp, icebergErrorResponse } from '../http/iceberg-app.js';
import { createIcebergGateway } from '../iceberg/gateway.js';
import { glueIcebergUri } from '../iceberg/settings.js';
import { createTableLeases } from '../iceberg/table-leases.js';
import { createUpstreamCatalog } from '../iceberg/upstream-catalog.js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { ADMIN_LIMITS, listen, type Listening } from '../http/listen.js';
import { createMetrics, type SidecarMetrics } from '../observability/metrics.js';
import { TokenBucket } from '../core/token-bucket.js';
import { createLakeFormationVending } from '../upstream/lakeformation-client.js';
import type { Operation, VendFunction } from '../lakeformation/types.js';
import { Prewarmer } from './prewarm.js';
import { cacheHooks } from '../observability/cache-events.js';
import { agentAuth, tokenAuth, type CallerAuth } from '../identity/caller-auth.js';
import { Bindings } from '../identity/bindings.js';
import { ServiceAccountVerifier } from '../identity/service-account-verifier.js';

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
 * Wires configuration, Lake Formation client, cache, metrics and both
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
  const agentMode = config.mode === 'agent';
  const token = agentMode ? undefined : (init.tokenSource ?? tokenSourceFromConfig(config, clock, logger));
  const verifier = agentMode ? verifierFromConfig(config, clock, logger) : undefined;
  const auth: CallerAuth = verifier
    ? agentAuth({
        verifier,
        bindings: new Bindings(config.agent.bindings, config.defaults),
        host: config.agent.host,
        logger,
        metrics,
        clock,
        podRequestsPerSecond: config.agent.podRequestsPerSecond,
        podBurst: config.agent.podBurst,
      })
    : tokenAuth(token!);
  // In agent mode, each pod's binding is its allow-list: the node-wide dynamic.allowed* are not used.
  const dynamicPolicy = {
    enabled: config.dynamic.enabled,
    isAllowed: (arn: string) => agentMode || matchesAllowedTable(config.dynamic.allowedTables, arn),
    isLocationAllowed: (location: string) => agentMode || matchesAllowedLocation(config.dynamic.allowedLocations, location),
  };
  const listenAt = agentMode ? config.agent : config.listen;

  const vending = init.vend
    ? undefined
    : createLakeFormationVending({
        region: config.region,
        timeoutMs: config.upstream.timeoutMs,
        ...(config.upstream.endpoint !== undefined && { endpoint: config.upstream.endpoint }),
        ...(init.upstreamCredentials !== undefined && { credentials: init.upstreamCredentials }),
        ...(config.upstream.assumeRole !== undefined && { assumeRole: config.upstream.assumeRole }),
      });
  const vend = init.vend ?? vending!.vend;

  // The client's own settings went to the client; the rest tune the retry loop and limiter the cache runs.
  const { endpoint: _endpoint, timeoutMs: _timeoutMs, assumeRole: _assumeRole, ...upstreamTuning } = config.upstream;
  // A profile's request, cache key and account never change: resolved once here, not per request.
  const profiles = new Map<string, ResolvedProfile>(
    Object.keys(config.profiles).map((name) => {
      const prepared = prepareRequest(profileToRequest(config, name));
      const { request } = prepared;
      // A location profile names no account, so its answers carry no AccountId.
      const accountId = request.operation === 'GetTemporaryDataLocationCredentials' ? undefined : accountIdFromTableArn(request.tableArn);
      return [name, { prepared, accountId }];
    }),
  );
  const locationProfiles = new Set(
    [...profiles].filter(([, p]) => p.prepared.request.operation === 'GetTemporaryDataLocationCredentials').map(([name]) => name),
  );
  // Profiles have their own budget in the cache: dynamic keys never evict them.
  const pinnedKeys = [...profiles.values()].map((p) => p.prepared.key);
  const cache = new CredentialCache({
    vend,
    clock,
    hooks: cacheHooks(metrics, logger),
    pinnedKeys,
    ...config.cache,
    ...upstreamTuning,
  });
  let shuttingDown = false;
  let credentialsListening = false;
  let adminListening = false;
  let lakeformationApiListening = false;
  let icebergListening = false;

  // The EKS Pod Identity Agent's limits by default (1000/s, burst 500): far above
  // what a pod's SDK clients send, low enough that a runaway loop can't starve us.
  const rateLimiter = new TokenBucket({
    clock,
    ratePerSecond: config.rateLimit.requestsPerSecond,
    burst: config.rateLimit.burst,
  });
  const credentialsApp = createCredentialsApp({
    cache,
    profiles: { resolve: (name) => profiles.get(name) },
    dynamic: dynamicPolicy,
    defaults: config.defaults,
    listing: (limit) => ({ total: cache.size, entries: cache.entries(limit) }),
    auth,
    rateLimiter,
    refusedRateLimiter: new TokenBucket({
      clock,
      ratePerSecond: config.rateLimit.refusedPerSecond,
      burst: config.rateLimit.refusedBurst,
    }),
    listingRateLimiter: new TokenBucket({ clock, ratePerSecond: CACHE_LISTINGS_PER_SECOND, burst: CACHE_LISTINGS_PER_SECOND }),
    deniedLogLimiter: new TokenBucket({ clock, ratePerSecond: config.rateLimit.deniedLogLinesPerSecond, burst: 20 }),
    metrics,
    logger,
  });
  // Admission, then profile hits straight from the cache; everything else through Express.
  const credentialsHandler: RequestListener = credentialsApp;

  // Its own bucket with the same limits: an engine's burst of calls here must not starve the container endpoint.
  const lakeformationApiApp = config.lakeformationApi.enabled
    ? createLakeFormationApiApp({
        cache,
        dynamic: dynamicPolicy,
        rateLimiter: new TokenBucket({ clock, ratePerSecond: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst }),
        clock,
        metrics,
        logger,
      })
    : undefined;

  // The gateway: catalog calls signed as lfcs itself (the Lake Formation client's own identity), leases from the one cache.
  const icebergRegion = config.iceberg.region ?? config.region;
  const icebergApp = config.iceberg.enabled
    ? createIcebergApp({
        gateway: createIcebergGateway({
          region: icebergRegion,
          catalogs: config.iceberg.catalogs,
          delegation: config.iceberg.delegation,
          s3Endpoint: config.iceberg.s3Endpoint,
          upstream: createUpstreamCatalog({
            uri: config.iceberg.upstreamUri ?? glueIcebergUri(icebergRegion),
            region: icebergRegion,
            credentials: vending?.credentials ?? init.upstreamCredentials ?? fromNodeProviderChain(),
            timeoutMs: config.iceberg.timeoutMs,
            clock,
          }),
          leases: createTableLeases(cache, config.defaults),
          clock,
        }),
        auth,
        dynamic: dynamicPolicy,
        defaults: config.defaults,
        rateLimiter: new TokenBucket({ clock, ratePerSecond: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst }),
        refusedRateLimiter: new TokenBucket({ clock, ratePerSecond: config.rateLimit.refusedPerSecond, burst: config.rateLimit.refusedBurst }),
        deniedLogLimiter: new TokenBucket({ clock, ratePerSecond: config.rateLimit.deniedLogLinesPerSecond, burst: 20 }),
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

  const readiness = (): ReadinessReport => {
    const reasons: string[] = [];
    if (shuttingDown) reasons.push('shutting down');
    if (!credentialsListening) reasons.push('credentials listener is not listening');
    if (!adminListening) reasons.push('admin listener is not listening');
    if (lakeformationApiApp && !lakeformationApiListening) reasons.push('Lake Formation API listener is not listening');
    if (icebergApp && !icebergListening) reasons.push('Iceberg REST gateway is not listening');
    const issuerProblem = verifier?.notReadyReason;
    if (issuerProblem) reasons.push(issuerProblem);
    const issuerNote = verifier?.savedKeysNote;
    const states = prewarmer.states();
    const notWarm = Object.entries(states).filter(([, s]) => s.state !== 'ready').map(([name]) => name);
    if (notWarm.length > 0) reasons.push(`profiles not prewarmed: ${notWarm.join(', ')}`);
    for (const [name, s] of Object.entries(states)) {
      if (s.missingLocations) reasons.push(`profile ${name}: Lake Formation did not grant ${s.missingLocations.join(', ')}`);
    }
    // A prewarmed location profile whose lease was since renewed with fewer locations is not ready either.
    if (locationProfiles.size > 0) {
      for (const entry of cache.entries()) {
        const name = entry.label;
        if (name === undefined || !locationProfiles.has(name) || states[name]?.state !== 'ready') continue;
        if (entry.missingDataLocations && entry.missingDataLocations.length > 0) {
          reasons.push(`profile ${name}: Lake Formation did not grant ${entry.missingDataLocations.join(', ')}`);
        }
      }
    }
    // A prewarmed profile whose lease later expired (Lake Formation failing past it) serves nothing.
    const lost = Object.entries(states)
      .filter(([name, s]) => s.state === 'ready' && !cache.hasLive(profiles.get(name)!.prepared.key))
      .map(([name]) => name);
    if (lost.length > 0 && !shuttingDown) {
      reasons.push(`profiles without a valid lease: ${lost.join(', ')}`);
      for (const name of lost) prewarmer.rewarm(name);
    }
    return { ready: reasons.length === 0, reasons, ...(issuerNote && { notes: [issuerNote] }), profiles: states };
  };

  const adminApp = createAdminApp({
    registry: metrics.registry,
    readiness,
  });

  let credentialsListener: Listening | undefined;
  let adminListener: Listening | undefined;
  let lakeformationApiListener: Listening | undefined;
  let icebergListener: Listening | undefined;
  try {
    credentialsListener = await listen(credentialsHandler, listenAt.host, listenAt.port);
    credentialsListening = true;
    if (lakeformationApiApp) {
      lakeformationApiListener = await listen(lakeformationApiApp, config.lakeformationApi.host, config.lakeformationApi.port, {
        errorResponse: lakeFormationErrorResponse,
      });
      lakeformationApiListening = true;
    }
    if (icebergApp) {
      icebergListener = await listen(icebergApp, config.iceberg.host, config.iceberg.port, { errorResponse: icebergErrorResponse });
      icebergListening = true;
    }
    adminListener = await listen(adminApp, config.admin.host, config.admin.port, {
      ...ADMIN_LIMITS,
      maxConnections: config.admin.maxConnections,
    });
    adminListening = true;
  } catch (err) {
    await credentialsListener?.close();
    await lakeformationApiListener?.close();
    await icebergListener?.close();
    cache.close();
    vending?.destroy();
    verifier?.stop();
    const e = err as NodeJS.ErrnoException;
    throw new LfcsError('InvalidConfiguration', `cannot listen: ${e.code ?? ''} ${e.message}`.trim());
  }
  metrics.cacheEntries.set(0);
  prewarmer.start();
  verifier?.start();

  const credentialsUrl = `http://${hostForUrl(listenAt.host)}:${credentialsListener.port}`;
  const adminUrl = `http://${hostForUrl(config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host)}:${adminListener.port}`;

  let stopped: Promise<void> | undefined;
  const stop = async (drainMs: number) => {
    shuttingDown = true;
    prewarmer.stop();
    verifier?.stop();
    if (drainMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, drainMs));
    // After the drain, requests still waiting on Lake Formation (queued or in
    // backoff) are answered 503 ShuttingDown at once instead of holding the
    // listener open until the grace period runs out.
    cache.close();
    credentialsListening = false;
    await credentialsListener!.close();
    lakeformationApiListening = false;
    await lakeformationApiListener?.close();
    icebergListening = false;
    await icebergListener?.close();
    adminListening = false;
    await adminListener!.close();
    vending?.destroy();
  };

  const lakeformationApiUrl = lakeformationApiListener
    ? `http://${hostForUrl(config.lakeformationApi.host)}:${lakeformationApiListener.port}`
    : undefined;

  const icebergUrl = icebergListener ? `http://${hostForUrl(config.iceberg.host)}:${icebergListener.port}` : undefined;

  return {
    credentialsUrl,
    adminUrl,
    lakeformationApiUrl,
    icebergUrl,
    cache,
    metrics,
    tokenFile: token?.path,
    readiness,
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

function tokenSourceFromConfig(config: Config, clock: Clock, logger: Logger): TokenSource {
  if (config.auth.tokenFile !== undefined) {
    return createTokenSource({
      kind: 'file',
      path: config.auth.tokenFile,
      clock,
      onRejectedRotation: (reason) => logger.warn({ reason }, 'rotated token refused; the previous token stays in use'),
      onMissing: () =>
        logger.warn({ tokenFile: config.auth.tokenFile }, 'token file is missing; the previous token stays in use until a new file appears'),
    });
  }
  if (config.auth.token !== undefined) return createTokenSource({ kind: 'value', token: config.auth.token });
  throw new LfcsError('InvalidConfiguration', 'set auth.tokenFile (or --token-file) or LFCS_AUTH_TOKEN');
}

function verifierFromConfig(config: Config, clock: Clock, logger: Logger): ServiceAccountVerifier {
  const { agent } = config;
  return new ServiceAccountVerifier({
    ...agent,
    // Validation requires it in agent mode (rules.ts).
    nodeName: agent.nodeName as string,
    clock,
    onIssuerError: (reason) => logger.warn({ reason }, 'cannot verify service-account tokens'),
    onKeyStoreError: (reason) => logger.warn({ reason }, "cannot keep the issuer's keys on disk"),
  });
}
