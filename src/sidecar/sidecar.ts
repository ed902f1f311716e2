import type { AwsCredentialIdentity } from '@smithy/types';
import type { Logger } from 'pino';
import { createTokenSource, type TokenSource } from '../http/token-source.js';
import { CredentialCache, prepareRequest } from '../cache/index.js';
import { accountIdFromTableArn } from '../lakeformation/table-arn.js';
import { systemClock, type Clock } from '../core/clock.js';
import { matchesAllowedTable, profileToRequest, type Config } from '../config/index.js';
import { LfcsError } from '../core/errors.js';
import { createAdminApp, type ReadinessReport } from '../http/admin-app.js';
import type { RequestListener } from 'node:http';
import { CACHE_LISTINGS_PER_SECOND, createCredentialsApp, ROUTE_NAMES, type ResolvedProfile } from '../http/credentials-app.js';
import { ERROR_STATUSES } from '../http/error-response.js';
import { createFastPath } from '../http/fast-path.js';
import { ADMIN_LIMITS, listen, type Listening } from '../http/listen.js';
import { createMetrics, type SidecarMetrics } from '../observability/metrics.js';
import { TokenBucket } from '../core/token-bucket.js';
import { createLakeFormationVending } from '../upstream/lakeformation-client.js';
import type { Operation, VendFunction } from '../lakeformation/types.js';
import { Prewarmer } from './prewarm.js';
import { cacheHooks } from '../observability/cache-events.js';

/** Every operation, for metric series initialised at 0 (a new one fails to compile until listed). */
const OPERATION_NAMES: Record<Operation, true> = {
  GetTemporaryGlueTableCredentials: true,
  GetTemporaryGluePartitionCredentials: true,
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
  /** Replaces the token source built from `config.auth`. */
  tokenSource?: TokenSource;
  metrics?: SidecarMetrics;
}

export interface RunningSidecar {
  /** `http://127.0.0.1:<port>`: base of the credentials routes. */
  readonly credentialsUrl: string;
  /** `http://<host>:<port>`: base of the admin routes. */
  readonly adminUrl: string;
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
  const token = init.tokenSource ?? tokenSourceFromConfig(config, clock, logger);

  const vending = init.vend
    ? undefined
    : createLakeFormationVending({
        region: config.region,
        timeoutMs: config.upstream.timeoutMs,
        ...(config.upstream.endpoint !== undefined && { endpoint: config.upstream.endpoint }),
        ...(init.upstreamCredentials !== undefined && { credentials: init.upstreamCredentials }),
      });
  const vend = init.vend ?? vending!.vend;

  // The client's own settings went to the client; the rest tune the retry loop and limiter the cache runs.
  const { endpoint: _endpoint, timeoutMs: _timeoutMs, ...upstreamTuning } = config.upstream;
  // A profile's request, cache key and account never change: resolved once here, not per request.
  const profiles = new Map<string, ResolvedProfile>(
    Object.keys(config.profiles).map((name) => {
      const prepared = prepareRequest(profileToRequest(config, name));
      return [name, { prepared, accountId: accountIdFromTableArn(prepared.request.tableArn) }];
    }),
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
    dynamic: {
      enabled: config.dynamic.enabled,
      isAllowed: (arn) => matchesAllowedTable(config.dynamic.allowedTables, arn),
    },
    defaults: config.defaults,
    listing: (limit) => ({ total: cache.size, entries: cache.entries(limit) }),
    token,
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
  // Profile hits skip Express; everything else (and every refusal) goes through it.
  const fastPath = createFastPath({ profile: (name) => profiles.get(name), cache, token, rateLimiter, metrics });
  const credentialsHandler: RequestListener = (req, res) => {
    if (!fastPath(req, res)) credentialsApp(req, res);
  };

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
    const states = prewarmer.states();
    const notWarm = Object.entries(states).filter(([, s]) => s.state !== 'ready').map(([name]) => name);
    if (notWarm.length > 0) reasons.push(`profiles not prewarmed: ${notWarm.join(', ')}`);
    // A prewarmed profile whose lease later expired (Lake Formation failing past it) serves nothing.
    const lost = Object.entries(states)
      .filter(([name, s]) => s.state === 'ready' && !cache.hasLive(profiles.get(name)!.prepared.key))
      .map(([name]) => name);
    if (lost.length > 0 && !shuttingDown) {
      reasons.push(`profiles without a valid lease: ${lost.join(', ')}`);
      for (const name of lost) prewarmer.rewarm(name);
    }
    return { ready: reasons.length === 0, reasons, profiles: states };
  };

  const adminApp = createAdminApp({
    registry: metrics.registry,
    readiness,
  });

  let credentialsListener: Listening | undefined;
  let adminListener: Listening | undefined;
  try {
    credentialsListener = await listen(credentialsHandler, config.listen.host, config.listen.port);
    credentialsListening = true;
    adminListener = await listen(adminApp, config.admin.host, config.admin.port, {
      ...ADMIN_LIMITS,
      maxConnections: config.admin.maxConnections,
    });
    adminListening = true;
  } catch (err) {
    await credentialsListener?.close();
    cache.close();
    vending?.destroy();
    const e = err as NodeJS.ErrnoException;
    throw new LfcsError('InvalidConfiguration', `cannot listen: ${e.code ?? ''} ${e.message}`.trim());
  }
  metrics.cacheEntries.set(0);
  prewarmer.start();

  const credentialsUrl = `http://${hostForUrl(config.listen.host)}:${credentialsListener.port}`;
  const adminUrl = `http://${hostForUrl(config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host)}:${adminListener.port}`;

  let stopped: Promise<void> | undefined;
  const stop = async (drainMs: number) => {
    shuttingDown = true;
    prewarmer.stop();
    if (drainMs > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, drainMs));
    // After the drain, requests still waiting on Lake Formation (queued or in
    // backoff) are answered 503 ShuttingDown at once instead of holding the
    // listener open until the grace period runs out.
    cache.close();
    credentialsListening = false;
    await credentialsListener!.close();
    adminListening = false;
    await adminListener!.close();
    vending?.destroy();
  };

  return {
    credentialsUrl,
    adminUrl,
    cache,
    metrics,
    tokenFile: token.path,
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

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
