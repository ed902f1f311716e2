/**
 * The gateway as users meet it: the emulator (Lake Formation, Glue's Iceberg
 * REST catalog and the S3 stand-in, serving the demo warehouse) and lfcs in
 * front of it, with the Iceberg listener on 127.0.0.1 port 0.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../../src/config/index.js';
import type { Clock } from '../../../src/core/clock.js';
import { DEMO_PRINCIPAL, parseCatalog, startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startSidecar, type RunningSidecar } from '../../../src/sidecar/sidecar.js';
import { deepMerge } from '../../support/deep-merge.js';
import { DEMO_CATALOG_YAML, requestOnce, type RawRequestOptions, type RawResponse } from '../../support/emulator.js';
import { WAREHOUSE_DIR } from '../../support/iceberg-emulator.js';

export const ACCOUNT = '123456789012';
export const PREFIX = `/v1/catalogs/${ACCOUNT}`;
export const ORDERS = `${PREFIX}/namespaces/sales/tables/orders`;
export const RETURNS = `${PREFIX}/namespaces/sales/tables/returns`;
export const ORDERS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/orders`;
export const RETURNS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/returns`;
export const ORDERS_DATA = 'demo-lake/sales/orders/data/dt=2024-01-01/00000-0-22d3eb29-9b03-4cfb-8d70-500b99e30619.parquet';
export const RETURNS_DATA = 'demo-lake/sales/returns/data/00000-0-62b049ad-04f0-4e4a-87cb-0fc9e887099e.parquet';

export type Answer = RawResponse;

/** One request over a fresh connection with exactly these headers (Host included, unless given). */
export function call(port: number, options: RawRequestOptions): Promise<Answer> {
  return requestOnce(port, options);
}

export interface GatewayStack {
  emulator: RunningEmulator;
  sidecar: RunningSidecar;
  token: string;
  port: number;
  /** A request to the gateway with `Authorization: Bearer <token>`. */
  gateway(path: string, options?: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Answer>;
  /** The emulator's per-operation call counts. */
  stats(): Promise<Record<string, Record<string, number>>>;
  logs(): string;
  close(): Promise<void>;
}

/**
 * The emulator with the demo warehouse, and lfcs with the gateway enabled in
 * front of it. `emulatorClock` runs the emulator on a clock of its own (e.g.
 * behind real time, so that its leases end sooner than they say).
 */
export async function startGatewayStack(extra: Record<string, unknown> = {}, emulatorClock?: Clock): Promise<GatewayStack> {
  const emulator = await startEmulator({
    catalog: parseCatalog(DEMO_CATALOG_YAML),
    host: '127.0.0.1',
    port: 0,
    warehouse: WAREHOUSE_DIR,
    ...(emulatorClock && { clock: emulatorClock }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-iceberg-'));
  const tokenFile = join(dir, 'token');
  const base = {
    region: 'us-east-1',
    upstream: { endpoint: emulator.url, timeoutMs: 2000 },
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    auth: { tokenFile },
    dynamic: { enabled: true, allowedTables: [ORDERS_ARN, RETURNS_ARN] },
    iceberg: {
      enabled: true,
      port: 0,
      upstreamUri: `${emulator.url}/iceberg`,
      catalogs: [ACCOUNT],
      s3Endpoint: emulator.url,
      timeoutMs: 2000,
    },
    prewarm: { enabled: false },
    shutdown: { drainSeconds: 0 },
  };
  const config = parseConfig(deepMerge(base, extra), 'iceberg gateway test');
  const logStream = new PassThrough();
  const logChunks: Buffer[] = [];
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  let sidecar: RunningSidecar;
  try {
    sidecar = await startSidecar({
      config,
      logger: createLogger({ level: 'trace', destination: logStream }),
      version: '0.0.0-test',
      upstreamCredentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
    });
  } catch (err) {
    await emulator.close();
    throw err;
  }
  const token = readFileSync(tokenFile, 'utf8');
  const port = Number(new URL(sidecar.icebergUrl!).port);
  return {
    emulator,
    sidecar,
    token,
    port,
    gateway: (path, options = {}) => call(port, { ...options, path, headers: { Authorization: `Bearer ${token}`, ...options.headers } }),
    stats: async () =>
      ((await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as { calls: Record<string, Record<string, number>> }).calls,
    logs: () => Buffer.concat(logChunks).toString('utf8'),
    async close() {
      await sidecar.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
