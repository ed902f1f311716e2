/**
 * Lookups over a catalog, built once so each request costs a few map reads.
 */
import type { Permission } from '../lakeformation/types.js';
import type { Catalog, CatalogPartition, CatalogPrincipal, CatalogRole, CatalogTable, DataLakeSettings } from './catalog.js';

export class CatalogIndex {
  readonly account: string;
  readonly region: string;
  readonly maxSessionSeconds: number;
  /** Undefined when the catalog does not model them (see catalog.ts). */
  readonly dataLakeSettings: DataLakeSettings | undefined;
  readonly #principalsByAccessKeyId: Map<string, CatalogPrincipal>;
  readonly #tables: Map<string, CatalogTable>;
  readonly #catalog: Catalog;

  constructor(catalog: Catalog) {
    this.#catalog = catalog;
    this.account = catalog.account;
    this.region = catalog.region;
    this.maxSessionSeconds = catalog.maxSessionSeconds;
    this.dataLakeSettings = catalog.dataLakeSettings;
    this.#principalsByAccessKeyId = new Map(catalog.principals.map((p) => [p.accessKeyId, p]));
    this.#tables = new Map(
      catalog.databases.flatMap((d) => d.tables.map((t) => [tableKey(d.name, t.name), t] as const)),
    );
  }

  principalByAccessKeyId(accessKeyId: string): CatalogPrincipal | undefined {
    return this.#principalsByAccessKeyId.get(accessKeyId);
  }

  role(arn: string): CatalogRole | undefined {
    return this.#catalog.roles.find((role) => role.arn === arn);
  }

  table(database: string, table: string): CatalogTable | undefined {
    return this.#tables.get(tableKey(database, table));
  }

  /** The partition whose values equal `values`, in partition-key order. */
  partition(table: CatalogTable, values: readonly string[]): CatalogPartition | undefined {
    return table.partitions?.find(
      (p) => p.values.length === values.length && p.values.every((v, i) => v === values[i]),
    );
  }

  /** Union of the permissions granted to `principalArn` on the table, via exact, database-wide and `*` grants. */
  grantedPermissions(principalArn: string, database: string, table: string): Set<Permission> {
    const targets = new Set(['*', `${database}.*`, `${database}.${table}`]);
    const granted = new Set<Permission>();
    for (const grant of this.#catalog.grants) {
      if (grant.principal === principalArn && targets.has(grant.table)) {
        for (const permission of grant.permissions) granted.add(permission);
      }
    }
    return granted;
  }
}

function tableKey(database: string, table: string): string {
  return `${database}/${table}`;
}
