/**
 * Every route of every listener, once: its method and path, the label of its
 * request metrics, its listener, its handler, and whether the fast path may
 * answer it. The Express routes, the fast path and the metric series all come
 * from this table, so adding a route is one row here.
 *
 * A path is matched as Express matches it (case-sensitive, strict, on the raw
 * path): `:name` is one segment, and a leading `*` any prefix (an endpoint
 * override may put the Lake Formation operations under a path of its own).
 * The label comes from the path alone, whatever the method, so a refused
 * request is counted under the route it was sent to.
 */
import {
  serveCacheListing,
  serveDataLocation,
  serveDynamic,
  serveNative,
  serveProfile,
  type CredentialsHandler,
} from './credential-routes.js';
import { CATALOG_ROUTES, routeTablePath } from '../iceberg/catalog-routes.js';
import { serveCatalog, type IcebergHandler } from './iceberg-catalog.js';
import { serveOperation, type LakeFormationApiHandler } from './lakeformation-operation.js';

interface RouteRow<L extends string, H> {
  readonly listener: L;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly label: string;
  readonly handler: H;
  /**
   * Answered without Express when the method is the route's and the path is
   * plain (no percent-encoding): `plain` with no query, `query` with or
   * without one (parsed by the same parser Express is given). False: always Express.
   */
  readonly fastPath: false | 'plain' | 'query';
}

export type CredentialsRoute = RouteRow<'credentials', CredentialsHandler>;
export type LakeFormationApiRoute = RouteRow<'lakeformation-api', LakeFormationApiHandler>;
/** The Iceberg REST gateway's rows, one per catalog route; a `GET` row also answers `HEAD`. */
export type IcebergRoute = RouteRow<'iceberg', IcebergHandler>;
export type Route = CredentialsRoute | LakeFormationApiRoute | IcebergRoute;
export type ListenerName = Route['listener'];

/** In the order their metric series are listed. */
export const ROUTES: readonly Route[] = [
  { listener: 'credentials', method: 'GET', path: '/v1/credentials/:profile', label: 'profile', handler: serveProfile, fastPath: 'plain' },
  { listener: 'credentials', method: 'GET', path: '/v1/credentials', label: 'dynamic', handler: serveDynamic, fastPath: 'query' },
  {
    listener: 'credentials',
    method: 'POST',
    path: '/v1/table-credentials',
    label: 'table',
    handler: serveNative('table'),
    fastPath: false,
  },
  {
    listener: 'credentials',
    method: 'POST',
    path: '/v1/partition-credentials',
    label: 'partition',
    handler: serveNative('partition'),
    fastPath: false,
  },
  {
    listener: 'credentials',
    method: 'POST',
    path: '/v1/data-location-credentials',
    label: 'data-location',
    handler: serveDataLocation,
    fastPath: false,
  },
  { listener: 'credentials', method: 'GET', path: '/v1/cache', label: 'cache', handler: serveCacheListing, fastPath: false },
  {
    listener: 'lakeformation-api',
    method: 'POST',
    path: '*/GetTemporaryGlueTableCredentials',
    label: 'lakeformation-table',
    handler: serveOperation('GetTemporaryGlueTableCredentials'),
    fastPath: false,
  },
  {
    listener: 'lakeformation-api',
    method: 'POST',
    path: '*/GetTemporaryGluePartitionCredentials',
    label: 'lakeformation-partition',
    handler: serveOperation('GetTemporaryGluePartitionCredentials'),
    fastPath: false,
  },
  {
    listener: 'lakeformation-api',
    method: 'POST',
    path: '*/GetTemporaryDataLocationCredentials',
    label: 'lakeformation-data-location',
    handler: serveOperation('GetTemporaryDataLocationCredentials'),
    fastPath: false,
  },
  // The gateway's catalog routes, from their one table in src/iceberg.
  ...CATALOG_ROUTES.map(
    (row): IcebergRoute => ({
      listener: 'iceberg',
      method: row.method,
      path: routeTablePath(row),
      label: row.label,
      handler: serveCatalog,
      fastPath: false,
    }),
  ),
];

/** The label of requests that match no route of a listener. */
export const UNMATCHED_LABEL: Readonly<Record<ListenerName, string>> = {
  credentials: 'unmatched',
  'lakeformation-api': 'lakeformation-unmatched',
  iceberg: 'iceberg-unmatched',
};

/** The rows of one listener. */
export function routesOf<L extends ListenerName>(listener: L): ReadonlyArray<Extract<Route, { listener: L }>> {
  return ROUTES.filter((route): route is Extract<Route, { listener: L }> => route.listener === listener);
}

/** Every label of a listener, `unmatched` last (for metric series initialised at 0). */
export function routeLabels(listener: ListenerName): readonly string[] {
  return [...routesOf(listener).map((route) => route.label), UNMATCHED_LABEL[listener]];
}

/** Labels of the credentials listener's `lfcs_http_requests_total` series, all initialised at 0. */
export const ROUTE_NAMES: readonly string[] = routeLabels('credentials');

function compile(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((segment) => (segment === '*' ? '.*' : segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}$`);
}

/**
 * A matcher of one listener's routes by path. Paths are cut at `?`; only the
 * path decides, so `match` also names the route of a request with the wrong
 * method or a refused one.
 */
export function routeMatcher<L extends ListenerName>(
  listener: L,
): (url: string | undefined) => Extract<Route, { listener: L }> | undefined {
  const table = routesOf(listener).map((route) => ({ route, pattern: compile(route.path) }));
  return (url) => {
    if (url === undefined) return undefined;
    const query = url.indexOf('?');
    let path = query < 0 ? url : url.slice(0, query);
    // An absolute-form target (`POST http://host/GetTemporary...`) names its route by its path too.
    if (!path.startsWith('/')) path = URL.canParse(path) ? new URL(path).pathname : '';
    for (const { route, pattern } of table) if (pattern.test(path)) return route;
    return undefined;
  };
}
