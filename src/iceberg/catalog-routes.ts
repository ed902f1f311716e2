/**
 * The Iceberg REST routes the gateway answers, matched from the method and
 * the raw path. Paths are `/v1/config`, `/v1/oauth/tokens`, and
 * `/v1/catalogs/<catalog-id>/...`: the prefix is Glue's own, so a client
 * configured for Glue's endpoint needs only a new `uri`.
 *
 * Writes are refused (406 UnsupportedOperationException, the spec's answer
 * for an operation a server does not support), and not listed in
 * `/v1/config`'s `endpoints`, so clients that read it never try: the leases
 * lfcs holds are read leases (`defaults.permissions`), and a commit through
 * the gateway would need the caller's write authority, which lfcs does not
 * have a way to check. Views, scan planning and the legacy un-scoped signer
 * (`/v1/aws/s3/sign`, which names no table) are refused the same way.
 */
import { IcebergError } from './errors.js';
import { decodeComponent } from './raw-query.js';

/** One catalog route: its spec path template, the method (a GET route also answers HEAD when `head`), and its metric label. */
export interface CatalogRouteRow {
  readonly method: 'GET' | 'POST';
  /** The spec's template, `{prefix}` being `catalogs/<catalog-id>`. */
  readonly path: string;
  readonly head: boolean;
  readonly label: string;
}

/**
 * Every route the gateway answers, once: `/v1/config`'s `endpoints` and the
 * listener's rows of the route table both come from it.
 */
export const CATALOG_ROUTES: readonly CatalogRouteRow[] = [
  { method: 'GET', path: '/v1/config', head: false, label: 'iceberg-config' },
  { method: 'POST', path: '/v1/oauth/tokens', head: false, label: 'iceberg-token' },
  { method: 'GET', path: '/v1/{prefix}/namespaces', head: false, label: 'iceberg-namespaces' },
  { method: 'GET', path: '/v1/{prefix}/namespaces/{namespace}', head: true, label: 'iceberg-namespace' },
  { method: 'GET', path: '/v1/{prefix}/namespaces/{namespace}/tables', head: false, label: 'iceberg-tables' },
  { method: 'GET', path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}', head: true, label: 'iceberg-table' },
  { method: 'GET', path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', head: false, label: 'iceberg-credentials' },
  { method: 'POST', path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign', head: false, label: 'iceberg-sign' },
  { method: 'POST', path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics', head: false, label: 'iceberg-metrics' },
];

/** The catalog routes lfcs serves, as `/v1/config` lists them (`"<METHOD> <path template>"`). */
export const SERVED_ENDPOINTS: readonly string[] = CATALOG_ROUTES.filter((row) => row.path.includes('{prefix}')).flatMap((row) => [
  `${row.method} ${row.path}`,
  ...(row.head ? [`HEAD ${row.path}`] : []),
]);

/** A route's path as the route table matches it: `{prefix}` is `catalogs/:catalog`, each other `{name}` one segment. */
export function routeTablePath(row: CatalogRouteRow): string {
  return row.path.replace('{prefix}', 'catalogs/{catalog}').replace(/\{(\w+)\}/g, ':$1');
}

/** A table as the path names it: the raw segments (for building its own paths) and their decoded form. */
export interface TablePath {
  readonly catalogId: string;
  /** Percent-encoded as received. */
  readonly rawNamespace: string;
  readonly rawTable: string;
  readonly namespace: string;
  readonly table: string;
}

/** The spec's operationId of each route, for logs and metrics (a low-cardinality label). */
export type CatalogOperation =
  | 'getConfig'
  | 'getToken'
  | 'listNamespaces'
  | 'loadNamespaceMetadata'
  | 'namespaceExists'
  | 'listTables'
  | 'loadTable'
  | 'tableExists'
  | 'loadCredentials'
  | 'signRequest'
  | 'reportMetrics';

/** A matched route. `forward` routes go upstream as they are; the others are answered (or completed) by lfcs. */
export type CatalogRoute =
  | { operation: 'getConfig' | 'getToken' }
  | { operation: 'listNamespaces'; catalogId: string }
  | { operation: 'loadNamespaceMetadata' | 'namespaceExists' | 'listTables'; catalogId: string; namespace: string }
  | { operation: 'loadTable' | 'tableExists' | 'loadCredentials' | 'signRequest' | 'reportMetrics'; table: TablePath };

/** The relative path of a table's own route (`v1/catalogs/<id>/namespaces/<ns>/tables/<t>/<leaf>`), encoded as the client sent it. */
export function tableRoutePath(table: TablePath, leaf: 'credentials' | 'sign'): string {
  return `v1/catalogs/${table.catalogId}/namespaces/${table.rawNamespace}/tables/${table.rawTable}/${leaf}`;
}

/** Methods the spec defines as writes on a read route: refused as unsupported rather than unknown. */
const WRITES: Record<string, readonly string[]> = {
  namespaces: ['POST'],
  namespace: ['DELETE'],
  tables: ['POST'],
  table: ['POST', 'DELETE'],
};

/**
 * The route `method rawPath` names (`rawPath` without the query), or the
 * spec's refusal: 404 NotFoundException for a path the spec does not have or
 * a catalog lfcs does not serve, 405 for a method the path does not take,
 * 406 for an operation lfcs does not serve.
 */
export function matchCatalogRoute(method: string, rawPath: string, catalogs: readonly string[]): CatalogRoute {
  const segments = rawPath.split('/').slice(1);
  if (segments[0] !== 'v1' || segments.some((segment) => segment === '')) throw notFound(rawPath);
  const [, first, catalogId, collection, rawNamespace, sub, rawTable, leaf, ...rest] = segments;

  if (segments.length === 2 && first === 'config') return only(method, ['GET'], { operation: 'getConfig' });
  if (segments.length === 3 && first === 'oauth' && catalogId === 'tokens') return only(method, ['POST'], { operation: 'getToken' });
  if (first === 'aws') throw unsupported("The un-scoped signer /v1/aws/s3/sign; the gateway signs at each table's own /sign route");
  if (first !== 'catalogs' || catalogId === undefined) throw notFound(rawPath);
  if (!catalogs.includes(catalogId)) {
    throw new IcebergError('NotFoundException', `The gateway serves no catalog ${JSON.stringify(catalogId.slice(0, 100))}`);
  }
  if (collection === undefined) throw notFound(rawPath);
  if (collection !== 'namespaces') throw unsupported(`${collection.slice(0, 40)} routes`);
  if (rawNamespace === undefined) return only(method, ['GET'], { operation: 'listNamespaces', catalogId }, WRITES.namespaces);

  const namespace = decodeComponent(rawNamespace);
  if (sub === undefined) {
    const operation = method === 'HEAD' ? 'namespaceExists' : 'loadNamespaceMetadata';
    return only(method, ['GET', 'HEAD'], { operation, catalogId, namespace }, WRITES.namespace);
  }
  if (sub !== 'tables') throw unsupported(`namespace ${sub.slice(0, 40)} routes`);
  if (rawTable === undefined) return only(method, ['GET'], { operation: 'listTables', catalogId, namespace }, WRITES.tables);

  const table: TablePath = { catalogId, rawNamespace, rawTable, namespace, table: decodeComponent(rawTable) };
  if (rest.length > 0) throw notFound(rawPath);
  if (leaf === undefined) {
    return only(method, ['GET', 'HEAD'], { operation: method === 'HEAD' ? 'tableExists' : 'loadTable', table }, WRITES.table);
  }
  if (leaf === 'credentials') return only(method, ['GET'], { operation: 'loadCredentials', table });
  if (leaf === 'sign') return only(method, ['POST'], { operation: 'signRequest', table });
  if (leaf === 'metrics') return only(method, ['POST'], { operation: 'reportMetrics', table });
  throw unsupported(`table ${leaf.slice(0, 40)} routes`);
}

function only<R extends CatalogRoute>(method: string, allowed: readonly string[], route: R, writes: readonly string[] = []): R {
  if (allowed.includes(method)) return route;
  if (writes.includes(method)) throw unsupported(`${method} (writes)`);
  throw new IcebergError('MethodNotAllowedException', `This route takes ${allowed.join(', ')}, not ${method.slice(0, 20)}`, {
    allow: allowed,
  });
}

function unsupported(what: string): IcebergError {
  return new IcebergError('UnsupportedOperationException', `The gateway serves catalog reads only; not supported: ${what}`);
}

function notFound(rawPath: string): IcebergError {
  return new IcebergError('NotFoundException', `No such route: ${rawPath.slice(0, 200)}`);
}
