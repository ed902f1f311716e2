/**
 * Which catalog tables are Iceberg tables, and their current metadata. Glue
 * keeps an Iceberg table's current metadata file in the table parameter
 * `metadata_location`; the emulator derives it from the stored objects, as
 * the newest `<location>/metadata/<version>-<uuid>.metadata.json` (or
 * `v<version>.metadata.json`), so a catalog names no generated file names.
 */
import type { CatalogTable } from './catalog.js';
import { parseS3Uri, type ObjectStore } from './object-store.js';

export interface IcebergTable {
  /** `s3://bucket/.../metadata/00001-<uuid>.metadata.json`. */
  metadataLocation: string;
  /**
   * The metadata file's text, byte for byte: snapshot ids are 63-bit numbers,
   * which a JavaScript number cannot hold, so it is never parsed and re-serialized.
   */
  metadataJson: string;
}

/** Glue's `Parameters` for an Iceberg table, which Iceberg's GlueCatalog reads. */
export function icebergTableParameters(metadataLocation: string): Record<string, string> {
  return { table_type: 'ICEBERG', metadata_location: metadataLocation };
}

/** The table's current Iceberg metadata location, or undefined when it is not an Iceberg table. */
export function currentMetadataLocation(objects: ObjectStore, table: CatalogTable): string | undefined {
  const location = parseS3Uri(table.location);
  if (!location) return undefined;
  const base = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
  const prefix = `${base}metadata/`;
  let best: { key: string; version: number } | undefined;
  for (const { key } of objects.list(location.bucket, { prefix, max: Number.MAX_SAFE_INTEGER }).objects) {
    const name = key.slice(prefix.length);
    const match = /^(?:(\d+)-[^/]+|v(\d+))\.metadata\.json$/.exec(name);
    if (!match) continue;
    const version = Number(match[1] ?? match[2]);
    if (!best || version > best.version) best = { key, version };
  }
  return best && `s3://${location.bucket}/${best.key}`;
}

/** The table's current metadata file; undefined when it is not an Iceberg table. */
export function loadIcebergTable(objects: ObjectStore, table: CatalogTable): IcebergTable | undefined {
  const metadataLocation = currentMetadataLocation(objects, table);
  if (metadataLocation === undefined) return undefined;
  const { bucket, key } = parseS3Uri(metadataLocation)!;
  return { metadataLocation, metadataJson: objects.get(bucket, key)!.body.toString('utf8').trim() };
}
