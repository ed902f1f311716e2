/**
 * PyIceberg (pinned, from PyPI: ./requirements.txt) reads the demo warehouse
 * through lfcs's Iceberg REST gateway with only the catalog `token` property:
 * the gateway forwards the catalog calls to the emulator's Glue catalog signed
 * as lfcs, and answers storage-credentials from its cache (PyIceberg scans
 * the Parquet files at the emulator's S3 endpoint with them). Remote signing
 * is proven with Iceberg Java (iceberg-java.test.ts) and in
 * test/integration/iceberg; PyIceberg's (through s3fs) is not proven here.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/go-tools.js';
import { ensureVenv } from '../../support/python-tools.js';
import { startGatewayStack, type GatewayStack } from '../../integration/iceberg/support.js';

const run = promisify(execFile);
const HERE = join(repoRoot, 'test/e2e/iceberg-gateway');
const REQUIREMENTS = join(HERE, 'requirements.txt');
const ROWS = {
  'sales.orders': [
    { order_id: 1001, customer_id: 1, amount: 19.99, dt: '2024-01-01' },
    { order_id: 1002, customer_id: 2, amount: 5.25, dt: '2024-01-01' },
    { order_id: 1003, customer_id: 1, amount: 42.0, dt: '2024-01-02' },
    { order_id: 1004, customer_id: 3, amount: 7.5, dt: '2024-01-02' },
  ],
  'sales.returns': [
    { return_id: 1, order_id: 1002, reason: 'damaged' },
    { return_id: 2, order_id: 1004, reason: 'wrong size' },
  ],
};

describe('PyIceberg reads through the Iceberg REST gateway', () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack();
  });
  afterAll(() => stack?.close());

  it('returns the rows of both tables with vended credentials, one Lake Formation call per table', { timeout: 900_000 }, async () => {
    const venv = await ensureVenv(REQUIREMENTS, 'PyIceberg and pyarrow');
    const read = async () => readRows(venv, stack.sidecar.icebergUrl!, stack.token);
    const out = await read();
    expect(out.namespaces).toEqual([['sales']]);
    expect(out.tables).toEqual(['sales.orders', 'sales.returns']);
    expect(out.rows['sales.orders']).toEqual(ROWS['sales.orders']);
    expect(out.rows['sales.returns']).toEqual(ROWS['sales.returns']);
    // A second client process: the same leases, no new Lake Formation call.
    expect((await read()).rows['sales.returns']).toHaveLength(2);
    const stats = await stack.stats();
    expect(stats['iceberg:loadTable']).toEqual({ success: 4 });
    expect(stats.GetTemporaryGlueTableCredentials).toEqual({ success: 2 });
  });
});

async function readRows(venv: string, uri: string, token: string, delegation?: string): Promise<any> {
  const { stdout } = await run(
    join(venv, 'bin/python'),
    [join(HERE, 'read_through_gateway.py'), uri, '123456789012', 'sales.orders', 'sales.returns'],
    {
      env: { PATH: process.env['PATH'] ?? '', LFCS_TOKEN: token, ...(delegation && { LFCS_DELEGATION: delegation }) },
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
