import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { UPSTREAM_ERROR_CODES } from '../core/errors.js';
import { TOKEN_CHECK_OUTCOMES } from '../identity/caller-auth.js';

export { TOKEN_CHECK_OUTCOMES, type TokenCheckOutcome } from '../identity/caller-auth.js';

/** Lookup outcomes counted by `lfcs_cache_lookups_total{result}`. */
export const LOOKUP_RESULTS = ['hit', 'miss', 'stale', 'coalesced', 'negative', 'backoff'] as const;
export type LookupResultLabel = (typeof LOOKUP_RESULTS)[number];

/**
 * The limits whose refusals `lfcs_rate_limited_total{limit}` counts: `pod`,
 * a pod's own budget (agent mode); `fair_share`, a caller over its share of a
 * contended listener bucket; `new_requests`, a pod's budget of distinct new
 * requests (agent mode); `listener`, the listener's bucket empty;
 * `refused`, requests refused by authentication or as malformed, over their
 * own bucket; `lakeformation_api`, the Lake Formation API listener's bucket
 * for signed requests; `iceberg`, the Iceberg REST gateway's bucket for
 * authenticated requests. Never a pod or caller as a label.
 */
export const RATE_LIMITS = ['pod', 'fair_share', 'new_requests', 'listener', 'refused', 'lakeformation_api', 'iceberg'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

/** Used when `createMetrics` is not told the label values (tests). */
const DEFAULT_KNOWN_LABELS: KnownLabels = { routes: [], codes: [], operations: [] };

/**
 * Every metric the sidecar exports, on its own Registry (never prom-client's
 * global one, so tests and embedded use don't collide).
 *
 * Labels are low-cardinality by construction: route names, status codes,
 * lookup results, operation names and error codes. Never a table ARN, query
 * id or token.
 */
export interface SidecarMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'code'>;
  readonly httpRequestDuration: Histogram<'route'>;
  readonly cacheLookups: Counter<'result'>;
  readonly cacheEntries: Gauge;
  readonly upstreamRequests: Counter<'operation' | 'outcome'>;
  readonly upstreamRequestDuration: Histogram<'operation'>;
  readonly upstreamThrottlePauses: Counter;
  readonly refreshes: Counter<'outcome'>;
  readonly servedRemainingSeconds: Histogram;
  readonly logLinesDropped: Counter<'kind'>;
  readonly tokenChecks: Counter<'outcome'>;
  readonly rateLimited: Counter<'limit'>;
}

export interface MetricsInit {
  /** Package version for `lfcs_build_info`. */
  version: string;
  /** Collect Node's default metrics (prefixed `lfcs_`). Default true. */
  defaultMetrics?: boolean;
}

/**
 * The known values of every label, so each labelled counter has its series at
 * 0 from the start (a dashboard or alert on a counter otherwise shows "no
 * data" until the first event).
 */
export interface KnownLabels {
  routes: readonly string[];
  /** HTTP statuses the credentials listener answers with. */
  codes: readonly number[];
  operations: readonly string[];
}

export function createMetrics(init: MetricsInit & { known?: KnownLabels }): SidecarMetrics {
  const registry = new Registry();
  if (init.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lfcs_' });

  const buildInfo = new Gauge({
    name: 'lfcs_build_info',
    help: 'Always 1; the version label says which build is running',
    labelNames: ['version'],
    registers: [registry],
  });
  buildInfo.set({ version: init.version }, 1);

  const metrics: SidecarMetrics = {
    registry,
    httpRequests: new Counter({
      name: 'lfcs_http_requests_total',
      help: 'Requests to the credentials listener, by route and HTTP status',
      labelNames: ['route', 'code'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'lfcs_http_request_duration_seconds',
      help: 'Time to answer a credentials request, by route',
      labelNames: ['route'],
      // Cache hits answer in well under a millisecond; misses wait on Lake Formation.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    cacheLookups: new Counter({
      name: 'lfcs_cache_lookups_total',
      help: 'Cache lookups by result: hit, miss, stale, coalesced, negative or backoff',
      labelNames: ['result'],
      registers: [registry],
    }),
    cacheEntries: new Gauge({
      name: 'lfcs_cache_entries',
      help: 'Leases currently cached',
      registers: [registry],
    }),
    upstreamThrottlePauses: new Counter({
      name: 'lfcs_upstream_throttle_pauses_total',
      help: 'Times a ThrottlingException from Lake Formation (re)started the pause of every upstream call (upstream.throttlePauseMs)',
      registers: [registry],
    }),
    upstreamRequests: new Counter({
      name: 'lfcs_upstream_requests_total',
      help: 'Lake Formation calls (each attempt), by operation and outcome (success or error code)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    upstreamRequestDuration: new Histogram({
      name: 'lfcs_upstream_request_duration_seconds',
      help: 'Lake Formation call latency, by operation',
      labelNames: ['operation'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'lfcs_refreshes_total',
      help: 'Background refreshes by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    logLinesDropped: new Counter({
      name: 'lfcs_log_lines_dropped_total',
      help: 'Log lines not written because their kind was over its rate (kind="denied": refused-request audit lines)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    tokenChecks: new Counter({
      name: 'lfcs_agent_token_checks_total',
      help: 'Agent mode: service-account tokens checked, by outcome (verified, remembered, refused, issuer_unavailable)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'lfcs_rate_limited_total',
      help: `Requests refused by a rate limit (429, or ThrottlingException), by the limit that refused them: ${RATE_LIMITS.join(', ')}`,
      labelNames: ['limit'],
      registers: [registry],
    }),
    servedRemainingSeconds: new Histogram({
      name: 'lfcs_served_credential_remaining_seconds',
      help:
        'Remaining lifetime of credentials at the moment they are served. ' +
        'Under 900 s, botocore and Java clients re-fetch on nearly every call.',
      // Edges at the clients' refresh windows: 5 min (JS, Go), 10 and 15 min (botocore), 30 min (our refresh).
      buckets: [60, 300, 600, 900, 960, 1200, 1800, 2700, 3600, 7200, 21600, 43200],
      registers: [registry],
    }),
  };
  const known = init.known ?? DEFAULT_KNOWN_LABELS;
  for (const route of known.routes) {
    for (const code of [200, ...known.codes]) metrics.httpRequests.inc({ route, code: String(code) }, 0);
  }
  for (const result of LOOKUP_RESULTS) metrics.cacheLookups.inc({ result }, 0);
  for (const operation of known.operations) {
    for (const outcome of ['success', ...UPSTREAM_ERROR_CODES]) metrics.upstreamRequests.inc({ operation, outcome }, 0);
  }
  for (const outcome of ['success', 'failure', 'dropped']) metrics.refreshes.inc({ outcome }, 0);
  metrics.logLinesDropped.inc({ kind: 'denied' }, 0);
  for (const outcome of TOKEN_CHECK_OUTCOMES) metrics.tokenChecks.inc({ outcome }, 0);
  for (const limit of RATE_LIMITS) metrics.rateLimited.inc({ limit }, 0);
  return metrics;
}
