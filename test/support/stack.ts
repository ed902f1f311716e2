import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig, type Config } from '../../src/config/index.js';
import { DEMO_PRINCIPAL, type Catalog, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { startSidecar, type RunningSidecar, type SidecarInit } from '../../src/sidecar/sidecar.js';

import { deepMerge } from './deep-merge.js';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN } from './demo.js';
import { startTestEmulator } from './emulator.js';

export { ACCOUNT, CUSTOMERS_ARN, DEMO_CATALOG, ORDERS_ARN, PAYMENTS_ARN } from './demo.js';

/** A running emulator plus a sidecar in front of it, both on 127.0.0.1 port 0. */
export interface Stack {
  emulator: RunningEmulator;
  sidecar: RunningSidecar;
  config: Config;
  token: string;
  tokenFile: string;
  /** Everything the sidecar logged, as text (to prove no secret appears in it). */
  logs(): string;
  /** `fetch` against the credentials listener with the token. */
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, init?: RequestInit): Promise<Response>;
  emulatorJson<T = unknown>(path: string, init?: RequestInit): Promise<T>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Deep-merged over the stack's base configuration; a function gets the emulator's URL (for endpoints). */
  config?: Record<string, unknown> | ((emulatorUrl: string) => Record<string, unknown>);
  /** The emulator's catalog; default the demo catalog. */
  catalog?: Catalog;
  sidecar?: Partial<SidecarInit>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await startTestEmulator(options.catalog ? { catalog: options.catalog } : {});
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-stack-'));
  const tokenFile = join(dir, 'token');
  const base = {
    region: 'us-east-1',
    upstream: { endpoint: emulator.url, timeoutMs: 2000 },
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    auth: { tokenFile },
    profiles: {
      orders: { tableArn: ORDERS_ARN },
      'orders-2024-01-01': { tableArn: ORDERS_ARN, partition: ['2024-01-01'] },
      customers: { tableArn: CUSTOMERS_ARN, supportedPermissionTypes: ['COLUMN_PERMISSION'] },
    },
    dynamic: { enabled: true, allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/*/*`] },
    prewarm: { enabled: false },
    shutdown: { drainSeconds: 0 },
    log: { level: 'info' },
  };
  const extra = typeof options.config === 'function' ? options.config(emulator.url) : (options.config ?? {});
  const config = parseConfig(deepMerge(base, extra), 'test stack');
  const logStream = new PassThrough();
  const logChunks: Buffer[] = [];
  logStream.on('data', (chunk: Buffer) => logChunks.push(chunk));
  const logger = createLogger({ level: 'trace', destination: logStream });
  let sidecar: RunningSidecar;
  try {
    sidecar = await startSidecar({
      config,
      logger,
      version: '0.0.0-test',
      upstreamCredentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
      ...options.sidecar,
    });
  } catch (err) {
    await emulator.close();
    throw err;
  }
  // Agent mode has no shared token: each request brings its pod's own.
  const token = sidecar.tokenFile === undefined ? '' : readFileSync(tokenFile, 'utf8');
  const headers = (init?: RequestInit) => ({ ...(token && { Authorization: token }), ...(init?.headers as Record<string, string>) });
  return {
    emulator,
    sidecar,
    config,
    token,
    tokenFile,
    logs: () => Buffer.concat(logChunks).toString('utf8'),
    get: (path, init) => fetch(sidecar.credentialsUrl + path, { ...init, headers: headers(init) }),
    post: (path, body, init) =>
      fetch(sidecar.credentialsUrl + path, {
        method: 'POST',
        ...init,
        headers: { 'Content-Type': 'application/json', ...headers(init) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    emulatorJson: async <T>(path: string, init?: RequestInit) => (await (await fetch(emulator.url + path, init)).json()) as T,
    async close() {
      await sidecar.close();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Minted credentials as the emulator records them (hashes only). */
export interface VendedRecord {
  accessKeyId: string;
  secretAccessKeySha256: string;
  sessionTokenSha256: string;
  expiration: string;
}

/** Asserts that these credentials are exactly ones the emulator minted; returns its record. */
export async function findMinted(
  stack: Stack,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined },
): Promise<VendedRecord | undefined> {
  const vended = await stack.emulatorJson<{ vended: VendedRecord[] } | VendedRecord[]>('/_emulator/vended');
  const list = Array.isArray(vended) ? vended : vended.vended;
  return list.find(
    (v) =>
      v.accessKeyId === creds.accessKeyId &&
      v.secretAccessKeySha256 === sha256(creds.secretAccessKey) &&
      (creds.sessionToken === undefined || v.sessionTokenSha256 === sha256(creds.sessionToken)),
  );
}
