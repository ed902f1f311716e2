import { inject } from 'light-my-request';
import { describe, expect, it } from 'vitest';
import { createAdminApp, type ReadinessReport } from '../../../src/http/admin-app.js';
import { createMetrics } from '../../../src/observability/metrics.js';

/** The admin app in-process, with a readiness report the test controls. */
function app(report: ReadinessReport) {
  const metrics = createMetrics({ version: '1.2.3-test', defaultMetrics: false });
  const handler = createAdminApp({ registry: metrics.registry, readiness: () => report });
  return (method: 'GET' | 'POST', url: string) => inject(handler, { method, url });
}

const READY: ReadinessReport = { ready: true, reasons: [], profiles: { orders: { state: 'ready' } } };
const NOT_READY: ReadinessReport = {
  ready: false,
  reasons: ['profiles not prewarmed: orders'],
  profiles: { orders: { state: 'failed', error: { code: 'AccessDeniedException', message: 'denied' } } },
};

describe('admin app (in-process)', () => {
  it('answers /healthz 200 and /readyz 200 or 503 with the reasons and profile states', async () => {
    expect((await app(READY)('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app(READY)('GET', '/readyz');
    expect([ready.statusCode, ready.headers['content-type']]).toEqual([200, 'application/json']);
    const notReady = await app(NOT_READY)('GET', '/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ status: 'not ready', reasons: ['profiles not prewarmed: orders'] });
  });

  it('serves the metrics registry in the Prometheus text format', async () => {
    const res = await app(READY)('GET', '/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('lfcs_build_info{version="1.2.3-test"} 1');
  });

  it('does not list the cache: the unauthenticated listener names no table, partition or query id', async () => {
    const res = await app(READY)('GET', '/v1/cache');
    expect(res.statusCode).toBe(404);
    expect((res.json() as { message: string }).message).toContain('GET /v1/cache on the credentials listener');
  });

  it('answers 405 with Allow for a known path and 404 naming the routes for an unknown one', async () => {
    const wrongMethod = await app(READY)('POST', '/readyz');
    expect([wrongMethod.statusCode, wrongMethod.headers['allow']]).toEqual([405, 'GET, HEAD']);
    const unknown = await app(READY)('GET', '/v1/credentials/orders');
    expect(unknown.statusCode).toBe(404);
    expect((unknown.json() as { message: string }).message).toContain('/healthz, /readyz or /metrics');
  });
});
