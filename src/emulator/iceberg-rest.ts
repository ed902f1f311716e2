/**
 * Glue's Iceberg REST endpoint, as far as reading tables goes: `GET
 * /iceberg/v1/config`, then every catalog route under the prefix
 * `catalogs/<catalog-id>` (the account id for the default catalog), each
 * SigV4-signed for `glue`. Writes (create, commit, drop, rename, register),
 * views, scan planning and remote signing are answered 406
 * UnsupportedOperationException, the spec's answer for an operation a server
 * does not support; `config.endpoints` lists what is served, so clients that
 * read it never try the rest. Of the emulator's faults, the outage, the
 * latency and `catalogThrottleNext` apply here; injected Lake Formation
 * errors stay with the Lake Formation calls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  listNamespaces,
  listTables,
  loadCredentials,
  loadNamespace,
  loadTable,
  RawJson,
  SERVED_ENDPOINTS,
  tableExists,
  type CatalogRequest,
} from './iceberg-catalog-api.js';
import { IcebergError, sendIcebergError } from './iceberg-errors.js';
import type { EmulatorState } from './emulator-state.js';
import { readBody, sendJson } from './http-io.js';
import { findSigner } from './role-sessions.js';
import { ServiceError, THROTTLING_MESSAGE } from './service-error.js';
import { verifySignature } from './sigv4.js';

/** Where the catalog lives on the emulator, as `/iceberg` on `glue.<region>.amazonaws.com`. */
export const ICEBERG_PATH = '/iceberg/';
const API_PATH = '/iceberg/v1/';
const GLUE_SIGNING_SERVICE = 'glue';

type Answer = { status: 200; body: unknown } | { status: 204 };

export async function handleIcebergCall(req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const method = req.method ?? 'GET';
  const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
  let operation = 'unsupported';
  let outcome = 'success';
  try {
    // An unreachable service answers nothing, signed or not.
    if (state.faults.snapshot().outage) {
      outcome = 'outage';
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    const caller = await authenticate(state, { method, path, query, headers: req.headersDistinct, body });
    const latencyMs = state.faults.snapshot().latencyMs;
    if (latencyMs > 0) await state.wait(latencyMs);

    const route = matchRoute(method, path, new URLSearchParams(query), req.headers['x-iceberg-access-delegation']);
    operation = route.operation;
    if (state.faults.takeCatalogThrottle()) throw new IcebergError('ThrottlingException', THROTTLING_MESSAGE);
    if (route.catalogId !== undefined && route.catalogId !== state.catalog.account) {
      throw new IcebergError('NoSuchWarehouseException', `Catalog ${route.catalogId.slice(0, 100)} does not exist in this account`);
    }
    const answer = route.run({ state, caller });
    if (answer.status === 204) {
      res.statusCode = 204;
      res.end();
    } else if (answer.body instanceof RawJson) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.body.text) });
      res.end(answer.body.text);
    } else {
      sendJson(res, 200, answer.body);
    }
  } catch (err) {
    const error = err instanceof IcebergError ? err : new IcebergError('InternalServerError', 'Emulator failure');
    outcome = error.code;
    sendIcebergError(res, error, method === 'HEAD');
  } finally {
    state.stats.record(`iceberg:${operation}`, outcome);
  }
}

/** SigV4 for `glue`, by the emulator's one verifier; any failure is 401 NotAuthorizedException. */
async function authenticate(state: EmulatorState, request: Parameters<typeof verifySignature>[0]) {
  try {
    return await verifySignature(request, {
      findPrincipal: (id) => findSigner(state.catalog, state.sessions, id, state.clock.now()),
      region: state.catalog.region,
      nowMs: state.clock.now(),
      service: GLUE_SIGNING_SERVICE,
    });
  } catch (err) {
    if (err instanceof ServiceError) throw new IcebergError('NotAuthorizedException', `${err.name}: ${err.message}`);
    throw err;
  }
}

interface Route {
  /** The spec's operationId, for the emulator's stats. */
  operation: string;
  catalogId?: string;
  run(request: CatalogRequest): Answer;
}

function matchRoute(method: string, path: string, params: URLSearchParams, delegation: string | string[] | undefined): Route {
  const segments = path.startsWith(API_PATH) ? path.slice(API_PATH.length).split('/').map(decode) : [];
  if (segments.length === 1 && segments[0] === 'config' && method === 'GET') {
    return {
      operation: 'getConfig',
      ...(params.get('warehouse') ? { catalogId: params.get('warehouse')! } : {}),
      run: ({ state }) => ({
        status: 200,
        body: {
          defaults: {},
          overrides: { prefix: `catalogs/${params.get('warehouse') || state.catalog.account}` },
          endpoints: SERVED_ENDPOINTS,
        },
      }),
    };
  }
  const [catalogs, catalogId, namespaces, namespace, tables, table, credentials, ...rest] = segments;
  const unsupported = new IcebergError(
    'UnsupportedOperationException',
    `${method} ${path.slice(0, 200)} is not supported by this catalog, which serves reads only`,
  );
  if (catalogs !== 'catalogs' || catalogId === undefined || namespaces !== 'namespaces' || rest.length > 0) throw unsupported;
  const ok = (body: unknown): Answer => ({ status: 200, body });
  const exists: Answer = { status: 204 };
  const vend = [delegation]
    .flat()
    .join(',')
    .split(',')
    .some((mode) => mode.trim() === 'vended-credentials');

  if (namespace === undefined && method === 'GET') {
    return { operation: 'listNamespaces', catalogId, run: (r) => ok(listNamespaces(r, params.get('parent'))) };
  }
  if (namespace !== undefined && tables === undefined && (method === 'GET' || method === 'HEAD')) {
    return method === 'GET'
      ? { operation: 'loadNamespaceMetadata', catalogId, run: (r) => ok(loadNamespace(r, namespace)) }
      : {
          operation: 'namespaceExists',
          catalogId,
          run: (r) => {
            loadNamespace(r, namespace);
            return exists;
          },
        };
  }
  if (namespace !== undefined && tables === 'tables' && table === undefined && method === 'GET') {
    return { operation: 'listTables', catalogId, run: (r) => ok(listTables(r, namespace)) };
  }
  if (namespace !== undefined && tables === 'tables' && table !== undefined && credentials === undefined) {
    if (method === 'GET') {
      return {
        operation: 'loadTable',
        catalogId,
        run: (r) => ok(loadTable(r, namespace, table, { vend, snapshots: params.get('snapshots') })),
      };
    }
    if (method === 'HEAD') {
      const run = (r: CatalogRequest): Answer => {
        tableExists(r, namespace, table);
        return exists;
      };
      return { operation: 'tableExists', catalogId, run };
    }
  }
  if (namespace !== undefined && tables === 'tables' && table !== undefined && credentials === 'credentials' && method === 'GET') {
    return { operation: 'loadCredentials', catalogId, run: (r) => ok(loadCredentials(r, namespace, table)) };
  }
  throw unsupported;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new IcebergError('BadRequestException', 'The path has a malformed percent-encoding');
  }
}
