/**
 * Which Glue table an Iceberg REST path names: `(catalog id, namespace,
 * table)` to the table ARN the cache and Lake Formation key on,
 * `arn:aws:glue:<region>:<catalog>:table/<database>/<table>`.
 *
 * - Glue has one namespace level (the database). Iceberg clients join levels
 *   with the unit separator 0x1F (`%1F` in the path), so a separator means
 *   a namespace Glue cannot have.
 * - Glue stores database and table names in lower case and finds them
 *   case-insensitively; the ARN uses the lower-case names, so `Sales.Orders`
 *   and `sales.orders` are one table, one cache entry, one lease.
 */
import { isTableArn } from '../lakeformation/table-arn.js';
import { IcebergError } from './errors.js';

/** The spec's default namespace separator (`namespace-separator`, `%1F` on the wire). */
export const NAMESPACE_SEPARATOR = '\u001f';

/** A table the gateway serves, named both ways. */
export interface TableIdentity {
  readonly catalogId: string;
  readonly database: string;
  readonly table: string;
  /** `arn:<partition>:glue:<region>:<catalogId>:table/<database>/<table>` */
  readonly tableArn: string;
}

/** The AWS partition of a region (`aws`, `aws-cn`, `aws-us-gov`), as table ARNs name it. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The Glue database a namespace (already percent-decoded) names.
 *
 * A multi-level namespace is refused with 404: `NoSuchNamespaceException` on
 * namespace routes, and `NoSuchTableException` on table routes, because
 * Iceberg Java answers a missing `db.t.snapshots` (namespace `[db, t]`) by
 * loading `db.t` and reading its metadata table, and it does that only on
 * `NoSuchTableException`.
 */
export function databaseOf(namespace: string, route: 'namespace' | 'table'): string {
  if (namespace.length === 0 || namespace.includes(NAMESPACE_SEPARATOR)) {
    const shown = namespace.replaceAll(NAMESPACE_SEPARATOR, '.').slice(0, 300);
    const message = `Glue catalogs have one namespace level (the database); there is no namespace ${JSON.stringify(shown)}`;
    throw new IcebergError(route === 'namespace' ? 'NoSuchNamespaceException' : 'NoSuchTableException', message);
  }
  return namespace.toLowerCase();
}

/** The table `(catalogId, namespace, table)` names in `region`, or the spec's refusal. */
export function tableIdentity(region: string, catalogId: string, namespace: string, table: string): TableIdentity {
  const database = databaseOf(namespace, 'table');
  const name = table.toLowerCase();
  const tableArn = `arn:${partitionOf(region)}:glue:${region}:${catalogId}:table/${database}/${name}`;
  if (!isTableArn(tableArn)) {
    // A name with a separator, a space or a control character: never a Glue table.
    throw new IcebergError('BadRequestException', `Not a Glue table name: ${JSON.stringify(`${database}.${name}`.slice(0, 300))}`);
  }
  return { catalogId, database, table: name, tableArn };
}
