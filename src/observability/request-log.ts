/**
 * What every listener records about a request it answered, in one place:
 * `lfcs_http_requests_total{route,code}` and
 * `lfcs_http_request_duration_seconds{route}`, refusals by rate limit
 * (`lfcs_rate_limited_total{limit}`), the `request denied` audit line of a
 * refusal, and the line of an unexpected error.
 */
import type { Logger } from 'pino';
import type { RateLimitName, SidecarMetrics } from './metrics.js';

/** A refused request (4xx), as its audit line names it. Never a token or key material. */
export interface DeniedRequest {
  route: string;
  method: string | undefined;
  status: number;
  /** The error code (lfcs's or Lake Formation's name). */
  code: string;
  reason: string;
  /** Who was refused, when known: the pod (agent mode) or the signature's access key id. */
  who: Readonly<Record<string, string>> | undefined;
}

export interface RequestLog {
  /** Counts an answer; `started` is `process.hrtime.bigint()` at the request's arrival. */
  answered(route: string, status: number, started: bigint): void;
  /** Counts a request refused by the rate limit `limit` (it is answered and audited as any refusal). */
  rateLimited(limit: RateLimitName): void;
  /** The audit line of a refusal. */
  denied(request: DeniedRequest): void;
  /** An error nobody expected: its name and first stack frame locate the bug; the message could carry anything, so it stays out. */
  failed(route: string, err: unknown): void;
}

export interface RequestLogInit {
  metrics: Pick<SidecarMetrics, 'httpRequests' | 'httpRequestDuration' | 'logLinesDropped' | 'rateLimited'>;
  logger: Logger;
  /**
   * Token bucket for audit lines: beyond it a line is dropped and counted in
   * `lfcs_log_lines_dropped_total{kind="denied"}`, so a flood of refusals
   * cannot flood the log. Absent: every refusal is logged.
   */
  deniedLogLimiter?: { tryTake(): boolean };
  /**
   * The listener's route labels and the statuses it answers with: each
   * (route, status) series, and 200, starts at 0, so a dashboard shows 0
   * rather than "no data" before the first request.
   */
  known?: { routes: readonly string[]; statuses: readonly number[] };
}

type Child = { inc(): void };
type DurationChild = { observe(value: number): void };

export function createRequestLog(init: RequestLogInit): RequestLog {
  const { metrics, logger, deniedLogLimiter } = init;
  // Label children resolved once per (route, status): the hit path allocates nothing here.
  const counters = new Map<string, Map<number, Child>>();
  const durations = new Map<string, DurationChild>();
  const counter = (route: string, status: number): Child => {
    let byStatus = counters.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      counters.set(route, byStatus);
    }
    let child = byStatus.get(status);
    if (child === undefined) {
      child = metrics.httpRequests.labels({ route, code: String(status) });
      byStatus.set(status, child);
    }
    return child;
  };
  const duration = (route: string): DurationChild => {
    let child = durations.get(route);
    if (child === undefined) {
      child = metrics.httpRequestDuration.labels({ route });
      durations.set(route, child);
    }
    return child;
  };
  for (const route of init.known?.routes ?? []) {
    for (const status of [200, ...(init.known?.statuses ?? [])]) metrics.httpRequests.inc({ route, code: String(status) }, 0);
  }
  return {
    answered(route, status, started) {
      counter(route, status).inc();
      duration(route).observe(Number(process.hrtime.bigint() - started) / 1e9);
    },
    rateLimited(limit) {
      metrics.rateLimited.inc({ limit });
    },
    denied({ route, method, status, code, reason, who }) {
      if (deniedLogLimiter !== undefined && !deniedLogLimiter.tryTake()) {
        metrics.logLinesDropped.inc({ kind: 'denied' });
        return;
      }
      logger.info({ audit: 'denied', route, method, status, code, reason, ...who }, 'request denied');
    },
    failed(route, err) {
      const e = err as { name?: unknown; stack?: unknown };
      const frame =
        typeof e?.stack === 'string'
          ? e.stack
              .split('\n')
              .find((line) => line.trim().startsWith('at '))
              ?.trim()
          : undefined;
      logger.error({ route, errorName: typeof e?.name === 'string' ? e.name : typeof err, frame }, 'unexpected error while serving');
    },
  };
}
