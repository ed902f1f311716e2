/**
 * Shared set-up for the emulator tests: the demo catalog, a real SDK client
 * pointed at a running emulator, plain-HTTP access to the admin endpoints, and
 * hand-signed raw requests for bodies the SDK would never send.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { LakeFormationClient, type LakeFormationClientConfig } from '@aws-sdk/client-lakeformation';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEMO_PRINCIPAL, parseCatalog, startEmulator, type Catalog, type RunningEmulator } from '../../src/emulator/index.js';
import type { Clock } from '../../src/core/clock.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEMO_CATALOG } from './demo.js';

export const DEMO_CATALOG_PATH = DEMO_CATALOG;
export const DEMO_CATALOG_YAML = readFileSync(DEMO_CATALOG_PATH, 'utf8');

export const REGION = 'us-east-1';
export { CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN } from './demo.js';

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The demo principal's keys, as a fresh object (the SDK writes to the object it is given). */
export function sidecarKeys(): Keys {
  return { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey };
}

/** The demo catalog's second principal, which holds no grants. */
export function noGrantsKeys(): Keys {
  const principal = parseCatalog(DEMO_CATALOG_YAML).principals[1]!;
  return { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey };
}

/** Starts an emulator on 127.0.0.1, a free port, with the demo catalog unless told otherwise. */
export function startTestEmulator(options: { catalog?: Catalog; clock?: Clock } = {}): Promise<RunningEmulator> {
  return startEmulator({
    catalog: options.catalog ?? parseCatalog(DEMO_CATALOG_YAML),
    host: '127.0.0.1',
    port: 0,
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** The real SDK client against the emulator, as the sidecar builds it. */
export function lakeFormationClient(emulator: RunningEmulator, overrides: Partial<LakeFormationClientConfig> = {}): LakeFormationClient {
  return new LakeFormationClient({
    endpoint: emulator.url,
    region: REGION,
    credentials: sidecarKeys(),
    ...overrides,
  });
}

/** Runs `send` and returns what it threw; fails the test if it did not throw. */
export async function errorOf(send: () => Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await send();
  } catch (err) {
    return err as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** Admin endpoint access over plain HTTP. */
export function admin(emulator: RunningEmulator) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, headers: response.headers, json: (await response.json()) as any };
  };
  return {
    call,
    get: async (path: string) => (await call('GET', path)).json,
    setFaults: async (faults: Record<string, unknown>) => {
      const response = await call('POST', 'faults', faults);
      if (response.status !== 200) throw new Error(`setting faults failed: ${JSON.stringify(response.json)}`);
      return response.json;
    },
    clearFaults: () => call('DELETE', 'faults'),
    reset: () => call('POST', 'reset'),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json: any;
}

export interface RawRequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One HTTP request to 127.0.0.1:`port` over a fresh connection, with exactly the given headers (GET unless `method`). */
export function requestOnce(port: number, options: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** {@link requestOnce} to the emulator, POST unless `method`. */
export function rawRequest(emulator: RunningEmulator, options: RawRequestOptions): Promise<RawResponse> {
  return requestOnce(emulator.port, { ...options, method: options.method ?? 'POST' });
}

export interface SignOptions {
  keys?: Keys;
  region?: string;
  service?: string;
  signingDate?: Date;
  /** Send `x-amz-content-sha256` as the JS SDK does. Default true. */
  contentSha256?: boolean;
  /** Replaces the body after signing, to model tampering in transit. */
  sendBody?: string;
}

/** Signs `body` for `path` with SigV4 as the SDK would, then sends it raw. */
export async function signedRequest(
  emulator: RunningEmulator,
  path: string,
  body: string,
  options: SignOptions = {},
): Promise<RawResponse> {
  const signer = new SignatureV4({
    credentials: options.keys ?? sidecarKeys(),
    region: options.region ?? REGION,
    service: options.service ?? 'lakeformation',
    sha256: Sha256,
    applyChecksum: options.contentSha256 ?? true,
  });
  const host = `127.0.0.1:${emulator.port}`;
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: emulator.port,
      path,
      headers: { host, 'content-type': 'application/json' },
      body,
    }),
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name] = String(value);
  return rawRequest(emulator, { path, headers, body: options.sendBody ?? body });
}

export { until } from './settle.js';

/**
 * The emulator fixture: starts an emulator (demo catalog unless told
 * otherwise) and a real SDK client before the tests of the enclosing
 * `describe` (or file), resets its state before each test, and stops both after.
 */
export function useEmulator(
  options: { catalog?: Catalog; clock?: Clock; reset?: boolean; client?: Partial<LakeFormationClientConfig> } = {},
): {
  readonly emulator: RunningEmulator;
  readonly client: LakeFormationClient;
} {
  let emulator: RunningEmulator | undefined;
  let client: LakeFormationClient | undefined;
  beforeAll(async () => {
    emulator = await startTestEmulator(options);
    client = lakeFormationClient(emulator, options.client);
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.close();
  });
  if (options.reset ?? true) beforeEach(() => admin(emulator!).reset());
  return {
    get emulator() {
      return emulator!;
    },
    get client() {
      return client!;
    },
  };
}
