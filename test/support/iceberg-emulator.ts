/**
 * The emulator with the demo warehouse (examples/demo-warehouse), and
 * SigV4-signed raw requests of any method for Glue's Iceberg REST catalog
 * (`glue`) and the S3 stand-in (`s3`), answered as bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEMO_WAREHOUSE, parseCatalog, startEmulator, type Catalog, type RunningEmulator } from '../../src/emulator/index.js';
import type { Clock } from '../../src/core/clock.js';
import { repoRoot } from './go-tools.js';
import {
  DEMO_CATALOG_YAML,
  REGION,
  admin,
  requestOnce,
  sidecarKeys,
  type Keys,
  type RawRequestOptions,
  type RawResponse,
} from './emulator.js';

export const WAREHOUSE_DIR = join(repoRoot, DEMO_WAREHOUSE);

/** The demo warehouse's rows, as the Java reader (test/e2e/iceberg-rest/java) prints them: every value as text. */
export const DEMO_ROWS_AS_TEXT = {
  'sales.orders': [
    ['1001', '1', '19.99', '2024-01-01'],
    ['1002', '2', '5.25', '2024-01-01'],
    ['1003', '1', '42.0', '2024-01-02'],
    ['1004', '3', '7.5', '2024-01-02'],
  ],
  'sales.returns': [
    ['1', '1002', 'damaged'],
    ['2', '1004', 'wrong size'],
  ],
};

/** A stored object's bytes, read from the warehouse folder. */
export function warehouseFile(bucket: string, key: string): Buffer {
  return readFileSync(join(WAREHOUSE_DIR, bucket, key));
}

/** Starts an emulator serving the demo warehouse for the enclosing `describe`, reset before each test unless `reset: false`. */
export function useIcebergEmulator(options: { catalog?: Catalog; clock?: Clock; reset?: boolean } = {}): {
  readonly emulator: RunningEmulator;
} {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({
      catalog: options.catalog ?? parseCatalog(DEMO_CATALOG_YAML),
      host: '127.0.0.1',
      port: 0,
      warehouse: WAREHOUSE_DIR,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  });
  afterAll(() => emulator?.close());
  if (options.reset ?? true) beforeEach(() => admin(emulator!).reset());
  return {
    get emulator() {
      return emulator!;
    },
  };
}

export type BytesResponse = RawResponse;

export interface SignedRequestOptions {
  method?: string;
  /** Path as sent, percent-encoded. */
  path: string;
  /** Query string without `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Default the demo principal's keys. */
  keys?: Keys;
  /** Default `glue`. */
  service?: string;
  signingDate?: Date;
  /** S3 only: send `x-amz-content-sha256: UNSIGNED-PAYLOAD` instead of the body's hash. */
  unsignedPayload?: boolean;
  /** Send no `x-amz-content-sha256` at all. */
  omitContentSha256?: boolean;
  /** Replaces the body after signing. */
  sendBody?: Buffer | string;
}

/** Signs as the AWS SDKs do for `service` (S3: the path signed as sent), then sends it raw. */
export async function signedCall(emulator: RunningEmulator, options: SignedRequestOptions): Promise<BytesResponse> {
  const service = options.service ?? 'glue';
  const s3 = service === 's3';
  const signer = new SignatureV4({
    credentials: options.keys ?? sidecarKeys(),
    region: REGION,
    service,
    sha256: Sha256,
    applyChecksum: !options.omitContentSha256 && !options.unsignedPayload,
    uriEscapePath: !s3,
  });
  const headers: Record<string, string> = { host: `127.0.0.1:${emulator.port}`, ...options.headers };
  if (options.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.sign(
    new HttpRequest({
      method: options.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: emulator.port,
      path: options.path,
      query: Object.fromEntries(new URLSearchParams(options.query ?? '')),
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
    }),
    options.signingDate ? { signingDate: options.signingDate } : {},
  );
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) sent[name] = String(value);
  return send(emulator, {
    method: options.method ?? 'GET',
    path: options.query ? `${options.path}?${options.query}` : options.path,
    headers: sent,
    ...((options.sendBody ?? options.body) !== undefined ? { body: options.sendBody ?? options.body } : {}),
  });
}

/**
 * A presigned S3 URL's path and query for `path` (as the S3 presigners make
 * it: payload UNSIGNED-PAYLOAD, only `host` signed), valid `expiresIn` seconds.
 */
export async function presignS3(
  emulator: RunningEmulator,
  options: { path: string; keys: Keys; signingDate: Date; expiresIn: number },
): Promise<string> {
  const signer = new SignatureV4({ credentials: options.keys, region: REGION, service: 's3', sha256: Sha256, uriEscapePath: false });
  const presigned = await signer.presign(
    new HttpRequest({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: emulator.port,
      path: options.path,
      headers: { host: `127.0.0.1:${emulator.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    }),
    {
      signingDate: options.signingDate,
      expiresIn: options.expiresIn,
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
    },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return `${options.path}?${query}`;
}

/** One request over a fresh connection, with exactly the given headers (GET unless `method`). */
export function send(emulator: RunningEmulator, options: RawRequestOptions): Promise<BytesResponse> {
  return requestOnce(emulator.port, options);
}
