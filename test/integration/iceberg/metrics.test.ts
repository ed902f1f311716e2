/**
 * The gateway's `lfcs_http_requests_total` series exist at 0 before the first
 * request, as the other listeners' do, so a dashboard shows 0 rather than
 * "no data" for a route nobody has called yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeLabels } from '../../../src/http/routes.js';
import { startGatewayStack, type GatewayStack } from './support.js';

describe('Iceberg REST gateway metrics', () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack();
  });
  afterAll(() => stack?.close());

  it("has every iceberg-* route's series at 0 from the start", async () => {
    const text = await fetch(`${stack.sidecar.adminUrl}/metrics`).then((r) => r.text());
    const routes = routeLabels('iceberg');
    expect(routes).toEqual(expect.arrayContaining(['iceberg-table', 'iceberg-credentials', 'iceberg-sign', 'iceberg-unmatched']));
    for (const route of routes) {
      for (const code of ['200', '204', '401', '403', '404', '429', '503']) {
        expect(text.split('\n')).toContain(`lfcs_http_requests_total{route="${route}",code="${code}"} 0`);
      }
    }
  });
});
