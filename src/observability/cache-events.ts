/**
 * Cache events become metrics and audit lines: one counter per lookup and
 * refresh, and one audit line per Lake Formation attempt (never key material,
 * and the request fields only in the log, never in metric labels).
 */
import type { Logger } from 'pino';
import type { CacheHooks, UpstreamCallEvent } from '../cache/index.js';
import type { SidecarMetrics } from './metrics.js';

/** Cache events become metrics and the audit log: one line per upstream call. */
export function cacheHooks(metrics: SidecarMetrics, logger: Logger): CacheHooks & { onUpstreamCall(event: UpstreamCallEvent): void } {
  return {
    onLookup: (result) => metrics.cacheLookups.inc({ result }),
    onRefresh: (outcome) => metrics.refreshes.inc({ outcome }),
    onEntryCountChange: (count) => metrics.cacheEntries.set(count),
    onUpstreamCall: ({ request, outcome, durationSeconds, attempt, background }) => {
      metrics.upstreamRequests.inc({ operation: request.operation, outcome });
      metrics.upstreamRequestDuration.observe({ operation: request.operation }, durationSeconds);
      logger.info(
        {
          audit: 'vend',
          operation: request.operation,
          ...(request.operation === 'GetTemporaryDataLocationCredentials'
            ? { dataLocations: request.dataLocations, credentialsScope: request.credentialsScope }
            : {
                tableArn: request.tableArn,
                partition: request.partitionValues,
                permissions: request.permissions,
                queryId: request.querySessionContext?.queryId,
              }),
          additionalAuditContext: request.auditContext?.additionalAuditContext,
          outcome,
          latencyMs: Math.round(durationSeconds * 1000),
          attempt,
          background,
        },
        'lake formation call',
      );
    },
  };
}
