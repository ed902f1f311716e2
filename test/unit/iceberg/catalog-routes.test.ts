import { describe, expect, it } from 'vitest';
import {
  CATALOG_ROUTES,
  matchCatalogRoute,
  routeTablePath,
  SERVED_ENDPOINTS,
  tableRoutePath,
} from '../../../src/iceberg/catalog-routes.js';
import type { IcebergError } from '../../../src/iceberg/errors.js';
import { CATALOG } from './support.js';

const P = `/v1/catalogs/${CATALOG}`;
const match = (method: string, path: string) => matchCatalogRoute(method, path, [CATALOG]);

function refusal(method: string, path: string): IcebergError {
  try {
    match(method, path);
  } catch (err) {
    return err as IcebergError;
  }
  throw new Error(`${method} ${path} matched`);
}

describe('catalog routes', () => {
  it('matches every read route the gateway lists in /v1/config', () => {
    expect(match('GET', '/v1/config')).toEqual({ operation: 'getConfig' });
    expect(match('POST', '/v1/oauth/tokens')).toEqual({ operation: 'getToken' });
    expect(match('GET', `${P}/namespaces`)).toEqual({ operation: 'listNamespaces', catalogId: CATALOG });
    expect(match('GET', `${P}/namespaces/sales`)).toEqual({ operation: 'loadNamespaceMetadata', catalogId: CATALOG, namespace: 'sales' });
    expect(match('HEAD', `${P}/namespaces/sales`)).toMatchObject({ operation: 'namespaceExists' });
    expect(match('GET', `${P}/namespaces/sales/tables`)).toMatchObject({ operation: 'listTables', namespace: 'sales' });
    const table = { catalogId: CATALOG, rawNamespace: 'a%1Fb', rawTable: 'my%20t', namespace: 'a\u001fb', table: 'my t' };
    expect(match('GET', `${P}/namespaces/a%1Fb/tables/my%20t`)).toEqual({ operation: 'loadTable', table });
    expect(match('HEAD', `${P}/namespaces/a%1Fb/tables/my%20t`)).toEqual({ operation: 'tableExists', table });
    expect(match('GET', `${P}/namespaces/a%1Fb/tables/my%20t/credentials`)).toEqual({ operation: 'loadCredentials', table });
    expect(match('POST', `${P}/namespaces/a%1Fb/tables/my%20t/sign`)).toEqual({ operation: 'signRequest', table });
    expect(match('POST', `${P}/namespaces/a%1Fb/tables/my%20t/metrics`)).toEqual({ operation: 'reportMetrics', table });
    expect(SERVED_ENDPOINTS).toHaveLength(9);
    expect(SERVED_ENDPOINTS).toContain('HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}');
  });

  it("builds a table's own relative paths, encoded as the client sent them and without a leading slash", () => {
    const table = { catalogId: CATALOG, rawNamespace: 'sales', rawTable: 'orders', namespace: 'sales', table: 'orders' };
    expect(tableRoutePath(table, 'credentials')).toBe(`v1/catalogs/${CATALOG}/namespaces/sales/tables/orders/credentials`);
    expect(tableRoutePath(table, 'sign')).toBe(`v1/catalogs/${CATALOG}/namespaces/sales/tables/orders/sign`);
  });

  it.each([
    ['POST', `${P}/namespaces`],
    ['DELETE', `${P}/namespaces/sales`],
    ['POST', `${P}/namespaces/sales/properties`],
    ['POST', `${P}/namespaces/sales/register`],
    ['POST', `${P}/namespaces/sales/tables`],
    ['POST', `${P}/namespaces/sales/tables/orders`],
    ['DELETE', `${P}/namespaces/sales/tables/orders`],
    ['POST', `${P}/namespaces/sales/tables/orders/plan`],
    ['GET', `${P}/namespaces/sales/views`],
    ['POST', `${P}/tables/rename`],
    ['POST', `${P}/transactions/commit`],
    ['POST', '/v1/aws/s3/sign'],
  ])('refuses %s %s with 406 UnsupportedOperationException (reads only)', (method, path) => {
    const error = refusal(method, path);
    expect([error.status, error.type]).toEqual([406, 'UnsupportedOperationException']);
  });

  it('refuses a method a route does not take with 405 and Allow', () => {
    const error = refusal('PATCH', `${P}/namespaces/sales/tables/orders`);
    expect([error.status, error.allow]).toEqual([405, ['GET', 'HEAD']]);
    expect(refusal('GET', `${P}/namespaces/sales/tables/orders/sign`).allow).toEqual(['POST']);
    expect(refusal('POST', '/v1/config').status).toBe(405);
  });

  it('answers 404 NotFoundException for unknown paths and catalogs not served', () => {
    for (const path of [
      '/',
      '/v2/config',
      '/v1',
      '/v1/catalogs',
      `${P}`,
      `${P}/namespaces/`,
      `${P}/namespaces/s/tables/t/credentials/x`,
      '//v1/config',
    ]) {
      const error = refusal('GET', path);
      expect([error.status, error.type], path).toEqual([404, 'NotFoundException']);
    }
    expect(refusal('GET', '/v1/catalogs/999999999999/namespaces').message).toContain('no catalog "999999999999"');
  });

  it('refuses a malformed percent-encoding with 400', () => {
    expect(refusal('GET', `${P}/namespaces/%zz`).status).toBe(400);
  });
});

describe('catalog route rows', () => {
  it('give the route table Express-style paths, and each a label of its own', () => {
    expect(CATALOG_ROUTES.map(routeTablePath)).toContain('/v1/catalogs/:catalog/namespaces/:namespace/tables/:table/sign');
    expect(new Set(CATALOG_ROUTES.map((row) => row.label)).size).toBe(CATALOG_ROUTES.length);
  });
});
