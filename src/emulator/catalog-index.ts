/**
 * Lookups over a catalog, built once so each request costs a few map reads.
 */
import type { Permission } from '../lakeformation/types.js';
import { canonicalDataLocation } from '../lakeformation/data-location.js';
import type { Catalog, CatalogPartition, CatalogPrincipal, CatalogRole, CatalogTable, DataLakeSettings } from './catalog.js';

/** A table with the database it belongs to. */
export interface LocatedTable {
  database: string;
  table: CatalogTable;
}

export class CatalogIndex {
  readonly account: string;
  readonly region: string;
  readonly maxSessionSeconds: number;
  /** `AllowFullTableExternalDataAccess` of the data-lake settings. */
  readonly allowFullTableExternalDataAccess: boolean;
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
    // Catalogs built in code (tests) may predate these fields; the schema defaults them.
    this.allowFullTableExternalDataAccess = catalog.dataLakeSettings?.allowFullTableExternalDataAccess ?? false;
    this.dataLakeSettings = catalog.dataLakeSettings;
    this.#principalsByAccessKeyId = new Map(catalog.principals.map((p) => [p.accessKeyId, p]));
    this.#tables = new Map(catalog.databases.flatMap((d) => d.tables.map((t) => [tableKey(d.name, t.name), t] as const)));
  }

  principalByAccessKeyId(accessKeyId: string): CatalogPrincipal | undefined {
    return this.#principalsByAccessKeyId.get(accessKeyId);
  }

  role(arn: string): CatalogRole | undefined {
    return this.#catalog.roles.find((role) => role.arn === arn);
  }

  /** Database names, in catalog order. */
  databaseNames(): string[] {
    return this.#catalog.databases.map((d) => d.name);
  }

  /** The database's tables, or undefined when there is no such database. */
  tablesOf(database: string): readonly CatalogTable[] | undefined {
    return this.#catalog.databases.find((d) => d.name === database)?.tables;
  }

  table(database: string, table: string): CatalogTable | undefined {
    return this.#tables.get(tableKey(database, table));
  }

  /** The partition whose values equal `values`, in partition-key order. */
  partition(table: CatalogTable, values: readonly string[]): CatalogPartition | undefined {
    return table.partitions?.find((p) => p.values.length === values.length && p.values.every((v, i) => v === values[i]));
  }

  /**
   * The registered location that contains `location` (equal, or a parent at a
   * `/` boundary), the most specific one if several do, with its region.
   */
  registrationFor(location: string): { location: string; region: string } | undefined {
    const canonical = canonicalDataLocation(location);
    let best: { location: string; region: string } | undefined;
    for (const registered of this.#catalog.registeredLocations ?? []) {
      const base = canonicalDataLocation(registered.location);
      if (contains(base, canonical) && (!best || base.length > best.location.length)) {
        best = { location: base, region: registered.region ?? this.region };
      }
    }
    return best;
  }

  /**
   * The tables whose location contains `location` at the most specific level:
   * usually one; several when tables share that location (a conflict).
   */
  tablesAt(location: string): LocatedTable[] {
    const canonical = canonicalDataLocation(location);
    let bestLength = -1;
    let found: LocatedTable[] = [];
    for (const database of this.#catalog.databases) {
      for (const table of database.tables) {
        const base = canonicalDataLocation(table.location);
        if (!contains(base, canonical)) continue;
        if (base.length > bestLength) {
          bestLength = base.length;
          found = [];
        }
        if (base.length === bestLength) found.push({ database: database.name, table });
      }
    }
    return found;
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

/** Whether canonical location `base` is `location` or one of its parents (at a `/` boundary). */
function contains(base: string, location: string): boolean {
  return location === base || location.startsWith(`${base}/`);
}
