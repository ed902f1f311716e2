/**
 * The demo warehouse is a readable Iceberg table: PyIceberg (pinned, from
 * PyPI) loads sales.orders and sales.returns from the emulator's Iceberg REST
 * catalog, SigV4-signed for glue, takes the vended credentials from
 * `storage-credentials` and scans the Parquet files through the emulator's S3
 * endpoint, which verifies those credentials and their scope.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { admin, sidecarKeys } from '../../support/emulator.js';
import { repoRoot } from '../../support/go-tools.js';
import { useIcebergEmulator } from '../../support/iceberg-emulator.js';
import { ensureVenv } from '../../support/python-tools.js';

const run = promisify(execFile);
const HERE = join(repoRoot, 'test/e2e/iceberg-rest');

describe('PyIceberg reads the demo warehouse from the emulator', () => {
  const lf = useIcebergEmulator();

  it('returns the rows of both tables, with one Lake Formation call per loadTable', { timeout: 900_000 }, async () => {
    const venv = await ensureVenv(join(HERE, 'requirements.txt'), 'PyIceberg and pyarrow');
    const keys = sidecarKeys();
    const { stdout } = await run(
      join(venv, 'bin/python'),
      [join(HERE, 'read_tables.py'), `${lf.emulator.url}/iceberg`, lf.emulator.url, '123456789012', 'sales.orders', 'sales.returns'],
      {
        env: { PATH: process.env['PATH'] ?? '', AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey },
        timeout: 120_000,
      },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.namespaces).toEqual([['sales']]);
    expect(out.tables).toEqual(['sales.orders', 'sales.returns']);
    expect(out.rows['sales.orders']).toEqual([
      { order_id: 1001, customer_id: 1, amount: 19.99, dt: '2024-01-01' },
      { order_id: 1002, customer_id: 2, amount: 5.25, dt: '2024-01-01' },
      { order_id: 1003, customer_id: 1, amount: 42.0, dt: '2024-01-02' },
      { order_id: 1004, customer_id: 3, amount: 7.5, dt: '2024-01-02' },
    ]);
    expect(out.rows['sales.returns']).toEqual([
      { return_id: 1, order_id: 1002, reason: 'damaged' },
      { return_id: 2, order_id: 1004, reason: 'wrong size' },
    ]);
    const stats = await admin(lf.emulator).get('stats');
    expect(stats.calls['iceberg:loadTable']).toEqual({ success: 2 });
    expect(stats.calls.GetTemporaryGlueTableCredentials).toEqual({ success: 2 });
  });
});
