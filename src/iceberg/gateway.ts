/**
 * The Iceberg REST gateway's answer to one request, without a transport: the
 * route (catalog-routes.ts), then either the upstream's answer passed through
 * (catalog reads), the upstream's `loadTable` answer with lfcs's storage
 * access put in, or lfcs's own answer (config, credentials, signing, metrics).
 * Authentication, the Host rule and rate limits are the listener's admission
 * checks and happen before this; every refusal here is an `IcebergErrorResponse`.
 */
import type { Clock } from '../core/clock.js';
import { jsonAnswer, NO_STORE, type GatewayAnswer } from './answer.js';
import { matchCatalogRoute, SERVED_ENDPOINTS, tableRoutePath, type CatalogOperation, type TablePath } from './catalog-routes.js';
import { IcebergError, renderIcebergError, upstreamErrorAnswer } from './errors.js';
import { rewriteLoadTable, type StorageAccess } from './load-table.js';
import { parseRawQuery } from './raw-query.js';
import { parseSignRequest, signAnswer } from './remote-signing.js';
import { DELEGATION_MODES, type DelegationMode } from './settings.js';
import { leasePrefix, loadCredentialsAnswer } from './storage-credentials.js';
import { tableIdentity } from './table-identity.js';
import type { TableLeases } from './table-leases.js';
import type { UpstreamCatalog } from './upstream-catalog.js';

/** One request, as the listener received it. */
export interface GatewayRequest {
  method: string;
  /** The raw request target: path and query, e.g. `/v1/catalogs/123456789012/namespaces?parent=a`. */
  url: string;
  /** Node's `IncomingHttpHeaders` shape (lower-case names). */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body?: Buffer;
  /** Aborts when the client went away. */
  signal?: AbortSignal;
  /**
   * Whether the caller may have the table: throws the refusal (the
   * admission pipeline's authorization, e.g. `dynamic.allowedTables` or an
   * agent binding). Called for every table route before any upstream call
   * or lease. Absent: every table is allowed.
   */
  authorize?: (tableArn: string) => void;
}

/** Options of {@link createIcebergGateway}. */
export interface IcebergGatewayInit {
  /** Region of the catalog and its tables' ARNs. */
  region: string;
  /** Catalog ids served, the first the default of `/v1/config`. */
  catalogs: readonly string[];
  /** Storage access when `loadTable` sends no (known) `X-Iceberg-Access-Delegation`. */
  delegation: DelegationMode;
  /** `s3.endpoint` for clients and the only endpoint signed for; default AWS's. */
  s3Endpoint?: string | undefined;
  upstream: UpstreamCatalog;
  leases: TableLeases;
  clock: Clock;
}

export interface IcebergGateway {
  /** The answer, and the operation it was (for metrics and logs; `unknown` when no route matched). */
  handle(request: GatewayRequest): Promise<{ operation: CatalogOperation | 'unknown'; answer: GatewayAnswer }>;
}

/**
 * The storage access a `loadTable` asks for: the first mode of the
 * `X-Iceberg-Access-Delegation` list lfcs knows, else `fallback` (Iceberg
 * Java sends the header only when `header.X-Iceberg-Access-Delegation` is
 * set; the spec lets a server choose when the client names nothing usable).
 */
export function delegationMode(header: string | string[] | undefined, fallback: DelegationMode): DelegationMode {
  const asked = [header ?? []]
    .flat()
    .join(',')
    .split(',')
    .map((mode) => mode.trim().toLowerCase());
  if (asked.includes(fallback)) return fallback;
  return DELEGATION_MODES.find((mode) => asked.includes(mode)) ?? fallback;
}

export function createIcebergGateway(init: IcebergGatewayInit): IcebergGateway {
  const store = { region: init.region, s3Endpoint: init.s3Endpoint };

  async function handle(request: GatewayRequest): Promise<{ operation: CatalogOperation | 'unknown'; answer: GatewayAnswer }> {
    const head = request.method === 'HEAD';
    const [rawPath = '/', query = ''] = request.url.split(/\?(.*)/s);
    let operation: CatalogOperation | 'unknown' = 'unknown';
    try {
      const route = matchCatalogRoute(request.method, rawPath, init.catalogs);
      operation = route.operation;
      switch (route.operation) {
        case 'getConfig':
          return { operation, answer: configAnswer(query) };
        case 'getToken':
          return { operation, answer: tokenAnswer() };
        case 'listNamespaces':
        case 'loadNamespaceMetadata':
        case 'namespaceExists':
        case 'listTables':
        case 'tableExists':
          if ('table' in route) identityOf(route.table, request);
          return { operation, answer: await forwarded(request, rawPath, query, head) };
        case 'loadTable':
          return { operation, answer: await loadTable(request, route.table, rawPath, query) };
        case 'loadCredentials': {
          const lease = await init.leases(identityOf(route.table, request).tableArn, request.signal);
          const refreshEndpoint = tableRoutePath(route.table, 'credentials');
          return { operation, answer: loadCredentialsAnswer(lease, { ...store, refreshEndpoint }) };
        }
        case 'signRequest': {
          const { tableArn } = identityOf(route.table, request);
          const signRequest = parseSignRequest(request.body ?? Buffer.alloc(0));
          const lease = await init.leases(tableArn, request.signal);
          const allowedPaths = lease.vendedS3Path?.length ? lease.vendedS3Path : [leasePrefix(lease)];
          return { operation, answer: await signAnswer(signRequest, lease, { ...store, allowedPaths }, init.clock) };
        }
        case 'reportMetrics':
          // Iceberg Java reports scan metrics after every scan; lfcs does not keep them.
          return { operation, answer: { status: 204, headers: NO_STORE } };
      }
    } catch (err) {
      return { operation, answer: renderIcebergError(err, head) };
    }
  }

  /** The table a route names, once the caller may have it. */
  function identityOf(table: TablePath, request: GatewayRequest) {
    const identity = tableIdentity(init.region, table.catalogId, table.namespace, table.table);
    request.authorize?.(identity.tableArn);
    return identity;
  }

  /** `GET /v1/config`: the prefix of the catalog asked for (`?warehouse=<id>`), and the routes served. */
  function configAnswer(query: string): GatewayAnswer {
    const warehouse = [parseRawQuery(query).warehouse ?? []].flat()[0];
    const catalogId = warehouse === undefined || warehouse === '' ? init.catalogs[0] : warehouse;
    if (catalogId === undefined || !init.catalogs.includes(catalogId)) {
      throw new IcebergError('NotFoundException', `The gateway serves no catalog ${JSON.stringify(String(catalogId).slice(0, 100))}`);
    }
    // No `uri` override: the client keeps talking to the address it was given.
    return jsonAnswer(200, { defaults: {}, overrides: { prefix: `catalogs/${catalogId}` }, endpoints: SERVED_ENDPOINTS });
  }

  /**
   * `POST /v1/oauth/tokens`: clients authenticate with the `token` property
   * (a bearer token), so there is nothing to exchange. Answered in the
   * spec's OAuth error shape, which is what a token client reads.
   */
  function tokenAnswer(): GatewayAnswer {
    return jsonAnswer(400, {
      error: 'unsupported_grant_type',
      error_description: 'lfcs issues no tokens: set the catalog property token (and token-refresh-enabled=false for a JWT)',
    });
  }

  async function forwarded(request: GatewayRequest, rawPath: string, query: string, head: boolean): Promise<GatewayAnswer> {
    const upstream = await init.upstream.forward({
      method: request.method,
      path: rawPath.slice(1),
      query,
      headers: request.headers,
      ...(request.body !== undefined && { body: request.body }),
      ...(request.signal !== undefined && { signal: request.signal }),
    });
    if (upstream.status >= 400) {
      const mapped = upstreamErrorAnswer(upstream.status, upstream.body, head);
      if (mapped) return mapped;
    }
    return {
      status: upstream.status,
      headers: { ...NO_STORE, ...upstream.headers },
      ...(!head && upstream.status !== 204 && { body: upstream.body }),
    };
  }

  async function loadTable(request: GatewayRequest, table: TablePath, rawPath: string, query: string): Promise<GatewayAnswer> {
    // Refused before any upstream call when the name cannot be a Glue table.
    const identity = identityOf(table, request);
    const answer = await forwarded(request, rawPath, query, false);
    if (answer.status !== 200 || answer.body === undefined) return answer;
    const mode = delegationMode(request.headers['x-iceberg-access-delegation'], init.delegation);
    const access: StorageAccess =
      mode === 'vended-credentials'
        ? {
            mode,
            lease: await init.leases(identity.tableArn, request.signal),
            refreshEndpoint: tableRoutePath(table, 'credentials'),
          }
        : { mode, signEndpoint: tableRoutePath(table, 'sign') };
    const body = rewriteLoadTable(answer.body, access, store);
    return { status: 200, headers: { ...answer.headers, 'content-type': 'application/json' }, body };
  }

  return { handle };
}
