/**
 * A Lake Formation emulator for tests and local development: the
 * credential-vending operations over the real restJson1 wire protocol, with
 * SigV4 verification, a YAML catalog of tables and grants, and fault
 * injection; plus what an Iceberg reader meets around it: Glue GetTable,
 * Glue's Iceberg REST catalog and an S3 stand-in serving a warehouse folder.
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server.js';
export {
  loadCatalogFile,
  parseCatalog,
  CatalogError,
  type Catalog,
  type CatalogPrincipal,
  type CatalogTable,
  type CatalogPartition,
  type CatalogGrant,
} from './catalog.js';
export { DEMO_PRINCIPAL } from './demo-principal.js';
export { DEMO_WAREHOUSE } from './demo-warehouse.js';
export type { Faults } from './faults.js';
export type { CallStatsSnapshot } from './call-stats.js';
export type { RequestLogEntry, VendedLogEntry } from './emulator-state.js';
export { MODELED_ERROR_NAMES, INJECTABLE_ERROR_NAMES } from './service-error.js';
