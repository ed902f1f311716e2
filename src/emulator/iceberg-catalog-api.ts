/**
 * The read side of the Iceberg REST catalog over the emulator's Glue tables,
 * answered as Glue's endpoint answers it: one namespace level (Glue
 * databases), only Iceberg tables listed, and only what the caller holds some
 * Lake Formation permission on. Writes are not served (see iceberg-rest.ts).
 */
import type { SigningPrincipal } from './catalog.js';
import type { EmulatorState } from './emulator-state.js';
import { IcebergError } from './iceberg-errors.js';
import { loadIcebergTable, type IcebergTable } from './iceberg-tables.js';
import { vendTableCredentials, type StorageCredential } from './iceberg-vending.js';

/** The spec's default namespace separator, `0x1F`. */
const NAMESPACE_SEPARATOR = '\u001f';

/**
 * The routes this catalog serves, as the `endpoints` of `GET /v1/config`:
 * clients that read it know writes are not served before they try one.
 */
export const SERVED_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'HEAD /v1/{prefix}/namespaces/{namespace}',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials',
] as const;

export interface CatalogRequest {
  state: EmulatorState;
  caller: SigningPrincipal;
}

/** `listNamespaces`: every database at the top level; a Glue database has no child namespaces. */
export function listNamespaces({ state }: CatalogRequest, parent: string | null): { namespaces: string[][] } {
  if (parent !== null && parent !== '') {
    databaseOf(state, parent);
    return { namespaces: [] };
  }
  return { namespaces: state.catalog.databaseNames().map((name) => [name]) };
}

/** `loadNamespaceMetadata`: Glue databases carry no properties here, so an empty map. */
export function loadNamespace({ state }: CatalogRequest, namespace: string): { namespace: string[]; properties: Record<string, string> } {
  return { namespace: [databaseOf(state, namespace)], properties: {} };
}

/** `listTables`: the Iceberg tables of the database the caller holds a permission on. */
export function listTables({ state, caller }: CatalogRequest, namespace: string): { identifiers: { namespace: string[]; name: string }[] } {
  const database = databaseOf(state, namespace);
  const identifiers = (state.catalog.tablesOf(database) ?? [])
    .filter((table) => state.catalog.grantedPermissions(caller.principalArn, database, table.name).size > 0)
    .filter((table) => loadIcebergTable(state.objects, table) !== undefined)
    .map((table) => ({ namespace: [database], name: table.name }));
  return { identifiers };
}

/**
 * `loadTable`: the current metadata as stored, and, when asked, credentials
 * for the table's location from Lake Formation. Answered as JSON text with
 * the metadata spliced in unparsed (see `IcebergTable.metadataJson`).
 * `snapshots=refs` is accepted and all snapshots are returned, which the
 * spec's clients accept (a server may hold no lazy snapshot loading).
 */
export function loadTable(
  request: CatalogRequest,
  namespace: string,
  name: string,
  options: { vend: boolean; snapshots: string | null },
): RawJson {
  const { database, table, iceberg } = findTable(request, namespace, name);
  if (options.snapshots !== null && options.snapshots !== 'all' && options.snapshots !== 'refs') {
    throw new IcebergError('BadRequestException', `snapshots must be "all" or "refs", not "${options.snapshots.slice(0, 20)}"`);
  }
  const rest = JSON.stringify({
    'metadata-location': iceberg.metadataLocation,
    config: { 'client.region': request.state.catalog.region },
    ...(options.vend ? { 'storage-credentials': vendTableCredentials(request.state, request.caller, database, table) } : {}),
  });
  return new RawJson(`{"metadata":${iceberg.metadataJson},${rest.slice(1)}`);
}

/** A JSON answer already serialized. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `tableExists` (HEAD): found and visible, or NoSuchTableException. */
export function tableExists(request: CatalogRequest, namespace: string, name: string): void {
  findTable(request, namespace, name);
}

/** `loadCredentials`: a fresh lease for the table, one Lake Formation call. */
export function loadCredentials(request: CatalogRequest, namespace: string, name: string): { 'storage-credentials': StorageCredential[] } {
  const { database, table } = findTable(request, namespace, name);
  return { 'storage-credentials': vendTableCredentials(request.state, request.caller, database, table) };
}

/** The Glue database a one-level namespace names, or NoSuchNamespaceException. */
function databaseOf(state: EmulatorState, namespace: string): string {
  // Glue lower-cases names, and has one level only.
  const database = namespace.toLowerCase();
  if (namespace.includes(NAMESPACE_SEPARATOR) || state.catalog.tablesOf(database) === undefined) {
    throw new IcebergError(
      'NoSuchNamespaceException',
      `Namespace does not exist: ${namespace.replaceAll(NAMESPACE_SEPARATOR, '.').slice(0, 300)}`,
    );
  }
  return database;
}

/**
 * The table, if it is an Iceberg table; ForbiddenException when the caller
 * holds no permission on it (as Glue's GetTable answers AccessDenied).
 */
function findTable(
  { state, caller }: CatalogRequest,
  namespace: string,
  name: string,
): { database: string; table: string; iceberg: IcebergTable } {
  const database = databaseOf(state, namespace);
  const tableName = name.toLowerCase();
  const table = state.catalog.table(database, tableName);
  const iceberg = table && loadIcebergTable(state.objects, table);
  if (!iceberg) throw new IcebergError('NoSuchTableException', `Table does not exist: ${database}.${name.slice(0, 255)}`);
  if (state.catalog.grantedPermissions(caller.principalArn, database, tableName).size === 0) {
    throw new IcebergError('ForbiddenException', `Insufficient Lake Formation permission(s) on ${database}.${tableName}`);
  }
  return { database, table: tableName, iceberg };
}
