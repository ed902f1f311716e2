/**
 * The demo warehouse: sales.orders and sales.returns of
 * `examples/demo-catalog.yaml` as Iceberg tables in bucket `demo-lake`
 * (written by scripts/make-iceberg-fixtures.sh, committed, shipped in the
 * package). Pass `packageFile(DEMO_WAREHOUSE)` as the emulator's `warehouse`.
 */
export const DEMO_WAREHOUSE = 'examples/demo-warehouse';
