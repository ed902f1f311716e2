/**
 * PyIceberg (pinned, from PyPI: ./requirements.txt) reads the demo warehouse
 * through lfcs's Iceberg REST gateway with only the catalog `token` property:
 * the gateway forwards the catalog calls to the emulator's Glue catalog signed
 * as lfcs, and either answers storage-credentials from its cache (PyIceberg
 * scans the Parquet files at the emulator's S3 endpoint with them) or, with
 * remote signing, signs each of PyIceberg's S3 requests itself, so the client
 * never holds a key.
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface Recorded {
  method: string;
  path: string;
  status: number;
  body: string;
}

/**
 * A pass-through HTTP proxy in front of the gateway that keeps every response
 * body it carries, so a test can look at all the client was sent. It asks for
 * uncompressed bodies, so what it keeps is what the client read.
 */
async function recordingProxy(target: number): Promise<{ url: string; seen: Recorded[]; close(): Promise<void> }> {
  const seen: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers['accept-encoding'];
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target, method: req.method, path: req.url, headers, agent: false },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          seen.push({ method: req.method ?? '', path: req.url ?? '', status: answer.statusCode ?? 0, body: body.toString('utf8') });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

  it('returns the rows of both tables with remote signing, and no gateway answer carries a secret key', { timeout: 900_000 }, async () => {
    const venv = await ensureVenv(REQUIREMENTS, 'PyIceberg, pyarrow and s3fs');
    const proxy = await recordingProxy(stack.port);
    try {
      // What a PyIceberg user sets for remote signing (docs/iceberg.md): each FileIO thread gets an s3fs
      // filesystem of its own. fsspec otherwise shares one across threads, and PyIceberg 0.12.0 takes its
      // signer off that filesystem's client and puts it back each time a scan thread first opens a file, so
      // a request another thread sends in between goes out unsigned (apache/iceberg-python#3896).
      const out = await readRows(venv, proxy.url, stack.token, 'remote-signing', { FSSPEC_S3: '{"skip_instance_cache": true}' });
      expect(out.rows).toEqual(ROWS);
      // Every S3 request went through the table's sign route (the signer endpoint is relative to the catalog uri).
      const signs = proxy.seen.filter(
        (r) => r.method === 'POST' && /^\/v1\/catalogs\/123456789012\/namespaces\/sales\/tables\/(orders|returns)\/sign$/.test(r.path),
      );
      expect(signs.length).toBeGreaterThan(0);
      expect(signs.every((r) => r.status === 200)).toBe(true);
      expect(new Set(signs.map((r) => r.path.split('/').at(-2)))).toEqual(new Set(['orders', 'returns']));
      const loads = proxy.seen.filter((r) => r.method === 'GET' && /\/tables\/(orders|returns)$/.test(r.path));
      expect(loads).toHaveLength(2);
      for (const load of loads) expect(JSON.parse(load.body)['storage-credentials']).toBeUndefined();
      const metrics = await fetch(`${stack.sidecar.adminUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/lfcs_http_requests_total\{route="iceberg-sign",code="200"\} [1-9]/);
      // The leases the signatures were made with (the same cache entries), fetched last and past the proxy.
      for (const table of ['orders', 'returns']) {
        const answer = await stack.gateway(`/v1/catalogs/123456789012/namespaces/sales/tables/${table}/credentials`);
        const secret = answer.json['storage-credentials'][0].config['s3.secret-access-key'] as string;
        expect(secret.length).toBeGreaterThan(10);
        for (const seen of proxy.seen) expect(seen.body).not.toContain(secret);
      }
    } finally {
      await proxy.close();
    }
  });
});

async function readRows(venv: string, uri: string, token: string, delegation?: string, env: Record<string, string> = {}): Promise<any> {
  const { stdout } = await run(
    join(venv, 'bin/python'),
    [join(HERE, 'read_through_gateway.py'), uri, '123456789012', 'sales.orders', 'sales.returns'],
    {
      env: { PATH: process.env['PATH'] ?? '', LFCS_TOKEN: token, ...(delegation && { LFCS_DELEGATION: delegation }), ...env },
      timeout: 120_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}
