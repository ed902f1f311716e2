/**
 * `lfcs demo` (what `npm start` runs) as a user starts it: the emulator with
 * the demo warehouse and the sidecar with its Iceberg REST gateway, the
 * printed instructions naming the URLs it really listens on, and a stop by
 * SIGTERM that exits 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { DEMO_CATALOG } from '../../support/demo.js';
import { signedCall, WAREHOUSE_DIR } from '../../support/iceberg-emulator.js';
import { spawnLfcs, type Spawned } from '../../support/spawn-lfcs.js';

const dir = mkdtempSync(join(tmpdir(), 'lfcs-demo-'));
let demo: Spawned | undefined;
afterAll(async () => {
  await demo?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('lfcs demo', () => {
  it('serves the demo tables through the Iceberg REST gateway it prints, with the PyIceberg line to read them', {
    timeout: 60_000,
  }, async () => {
    const tokenFile = join(dir, 'token');
    demo = spawnLfcs(['demo', '--port', '0', '--admin-port', '0', '--iceberg-port', '0', '--token-file', tokenFile, '--log-level', 'warn']);
    await demo.waitForLine(/^Press Ctrl-C to stop\.$/, 30_000);
    const out = demo.stdout();
    const gateway = /Iceberg REST gateway at (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
    expect(gateway, demo.output()).toBeDefined();
    expect(gateway).not.toMatch(/:0$/);
    // The PyIceberg one-liner names this gateway, the demo catalog and the token file as the catalog token.
    const line = out.split('\n').find((l) => l.includes('from pyiceberg.catalog import load_catalog'));
    expect(line).toContain(`uri='${gateway}'`);
    expect(line).toContain("warehouse='123456789012'");
    expect(line).toContain(`token=open('${tokenFile}').read()`);
    expect(line).toContain("load_table('sales.orders').scan().to_arrow()");

    // What that line asks the gateway for, with the token as PyIceberg sends it.
    const token = readFileSync(tokenFile, 'utf8');
    const headers = { Authorization: `Bearer ${token}`, 'X-Iceberg-Access-Delegation': 'vended-credentials' };
    const config = await fetch(`${gateway}/v1/config?warehouse=123456789012`, { headers });
    expect(config.status).toBe(200);
    for (const table of ['orders', 'returns']) {
      const load = await fetch(`${gateway}/v1/catalogs/123456789012/namespaces/sales/tables/${table}`, { headers });
      expect(load.status).toBe(200);
      const body = (await load.json()) as { 'metadata-location': string; 'storage-credentials': Array<{ prefix: string }> };
      expect(body['metadata-location']).toMatch(new RegExp(`^s3://demo-lake/sales/${table}/metadata/`));
      expect(body['storage-credentials'][0]!.prefix).toBe(`s3://demo-lake/sales/${table}`);
    }

    process.kill(demo.child.pid!, 'SIGTERM');
    expect(await demo.exited).toBe(0);
    expect(demo.stdout()).not.toContain(token);
  });
});

describe('lfcs emulator --warehouse', () => {
  // Glue's Iceberg REST loadTable, signed as the demo principal: a table of the warehouse, or none without it.
  async function loadOrders(args: string[]): Promise<{ status: number; json: any }> {
    const emulator = spawnLfcs(['emulator', '--catalog', DEMO_CATALOG, '--port', '0', ...args]);
    try {
      const line = await emulator.waitForLine(/^lfcs emulator listening at /);
      expect(line).toContain(args.length ? `warehouse ${WAREHOUSE_DIR}` : `catalog ${DEMO_CATALOG})`);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
      return await signedCall({ port } as RunningEmulator, { path: '/iceberg/v1/catalogs/123456789012/namespaces/sales/tables/orders' });
    } finally {
      await emulator.kill();
    }
  }

  it('serves the Iceberg tables of the folder it names, and none without it', { timeout: 60_000 }, async () => {
    const withWarehouse = await loadOrders(['--warehouse', WAREHOUSE_DIR]);
    expect(withWarehouse.status).toBe(200);
    expect(withWarehouse.json['metadata-location']).toMatch(/^s3:\/\/demo-lake\/sales\/orders\/metadata\//);
    expect((await loadOrders([])).status).not.toBe(200);
  });
});
