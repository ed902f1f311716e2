import { inject } from '../../support/http-inject.js';
import { describe, expect, it } from 'vitest';
import { createCredentialsApp } from '../../../src/http/credentials-app.js';
import { createLakeFormationApiApp } from '../../../src/http/lakeformation-api-app.js';
import { fakeCredentialsDeps, fakeLakeFormationApiDeps } from '../../support/app-fakes.js';

/**
 * Refused requests are counted under the route they were sent to, so a flood
 * of refusals shows on the route it targets (not as "unmatched").
 */
describe('route labels of refused requests', () => {
  it.each([
    ['GET', '/v1/credentials/orders', 'profile'],
    ['GET', '/v1/credentials', 'dynamic'],
    ['POST', '/v1/table-credentials', 'table'],
    ['POST', '/v1/partition-credentials', 'partition'],
    ['POST', '/v1/data-location-credentials', 'data-location'],
    ['GET', '/v1/cache', 'cache'],
    ['GET', '/v1/nothing-here', 'unmatched'],
  ] as const)('counts a refused %s %s as route="%s", in the metric and the audit line', async (method, url, route) => {
    const fake = fakeCredentialsDeps({ allowed: () => true, allowedLocations: () => true });
    const res = await inject(createCredentialsApp(fake.deps), {
      method,
      url,
      headers: { host: '127.0.0.1:9180', 'content-type': 'application/json' },
      ...(method === 'POST' && { payload: '{}' }),
    });
    expect(res.statusCode).toBe(401);
    const metrics = await fake.deps.metrics.registry.metrics();
    expect(metrics).toContain(`lfcs_http_requests_total{route="${route}",code="401"} 1`);
    expect(fake.logs()).toContain(`"route":"${route}"`);
  });
});

describe('route labels on the Lake Formation API listener', () => {
  it.each([
    ['/GetTemporaryGlueTableCredentials', 'lakeformation-table'],
    ['/prefix/GetTemporaryGluePartitionCredentials', 'lakeformation-partition'],
    ['/GetTemporaryDataLocationCredentials', 'lakeformation-data-location'],
    ['/GetDataLakeSettings', 'lakeformation-unmatched'],
  ] as const)('counts an unsigned POST %s as route="%s"', async (url, route) => {
    const fake = fakeLakeFormationApiDeps({ allowed: () => true });
    const res = await inject(createLakeFormationApiApp(fake.apiDeps), {
      method: 'POST',
      url,
      headers: { host: '127.0.0.1:9181', 'content-type': 'application/x-amz-json-1.1' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(await fake.deps.metrics.registry.metrics()).toContain(`lfcs_http_requests_total{route="${route}",code="403"} 1`);
  });
});
