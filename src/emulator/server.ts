/**
 * The HTTP listener: routes credential operations, the STS AssumeRole and
 * Glue GetTable calls of the Iceberg flow, Glue's Iceberg REST catalog
 * (`/iceberg/`), the S3 stand-in for table data, and admin endpoints, stamps
 * every answer with a request id and the emulator's own `Date`, and shuts
 * down promptly even with keep-alive connections open.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { hostForUrl } from '../core/hosts.js';
import { OPERATIONS } from '../lakeformation/types.js';
import { ADMIN_PREFIX, handleAdminCall } from './admin-routes.js';
import { CatalogIndex } from './catalog-index.js';
import type { Catalog } from './catalog.js';
import { handleCredentialCall } from './credential-operation.js';
import { GLUE_TARGET_PREFIX, handleGlueCall } from './glue.js';
import { handleStsCall } from './sts.js';
import { createEmulatorState, type EmulatorState } from './emulator-state.js';
import { sendError } from './http-io.js';
import { handleIcebergCall, ICEBERG_PATH } from './iceberg-rest.js';
import { ObjectStore } from './object-store.js';
import { handleS3Call, isS3Request } from './s3-routes.js';
import { ServiceError } from './service-error.js';

export interface EmulatorOptions {
  /** Principals, tables and grants to serve (see `loadCatalogFile`). */
  catalog: Catalog;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 0: a free port, reported in `RunningEmulator.port`. */
  port?: number;
  /** Time source for signature skew checks, `Expiration`, the `Date` header and latency faults. Default `systemClock`. */
  clock?: Clock;
  /**
   * A folder whose first level names S3 buckets and whose files are their
   * objects (`<warehouse>/<bucket>/<key>`), served by the S3 endpoint; a
   * catalog table with Iceberg metadata under its location is an Iceberg
   * table. Read once at start; writes stay in memory. Default: no objects.
   */
  warehouse?: string;
}

export interface RunningEmulator {
  /** Base URL to use as the SDK `endpoint`, e.g. `http://127.0.0.1:4599`. */
  url: string;
  port: number;
  /** Stops listening, drops open connections (keep-alive included) and cancels pending latency faults. */
  close(): Promise<void>;
}

/** Starts a Lake Formation emulator speaking restJson1 with SigV4, as the real service does. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? systemClock;
  const pendingWaits = new Map<TimerHandle, () => void>();

  const wait = (ms: number) =>
    new Promise<void>((resolve, reject) => {
      const handle = clock.setTimeout(() => {
        pendingWaits.delete(handle);
        resolve();
      }, ms);
      pendingWaits.set(handle, () => reject(new Error('emulator closed')));
    });
  const objects = options.warehouse === undefined ? new ObjectStore() : await ObjectStore.fromDirectory(options.warehouse, clock.now());
  const state = createEmulatorState(new CatalogIndex(options.catalog), clock, wait, objects);

  const server = createServer((req, res) => {
    route(req, res, state).catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      sendError(res, new ServiceError('InternalServiceException', `Emulator failure: ${message}`));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const closeOnce = async () => {
    for (const [handle, cancel] of pendingWaits) {
      clock.clearTimeout(handle);
      cancel();
    }
    pendingWaits.clear();
    const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    // server.close() waits for idle keep-alive sockets to time out; drop them now.
    server.closeAllConnections();
    await closed;
  };
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    // Idempotent: a second call (signal handler and test teardown, say) waits for the first.
    close: () => (closing ??= closeOnce()),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-amzn-requestid', requestId);
  // The SDK corrects its clock from `Date` (on errors and successes), so it must be the emulator's time.
  res.setHeader('date', new Date(state.clock.now()).toUTCString());

  const path = new URL(req.url ?? '/', 'http://emulator').pathname;
  if (path.startsWith(ADMIN_PREFIX)) {
    await handleAdminCall(path, req, res, state);
    return;
  }
  // Before the others: an object key may end in anything, an operation name included.
  if (isS3Request(req, path, state)) {
    await handleS3Call(req, res, state, requestId);
    return;
  }
  if (path.startsWith(ICEBERG_PATH)) {
    await handleIcebergCall(req, res, state);
    return;
  }
  // Glue (awsJson1_1) names its operation in a header; STS (query protocol) posts a form to the root.
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(GLUE_TARGET_PREFIX)) {
    await handleGlueCall(target, req, res, state);
    return;
  }
  if (path === '/' && req.method === 'POST' && /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
    await handleStsCall(req, res, state, requestId);
    return;
  }
  // Match on the last segment: an endpoint override with a path prefix keeps the prefix.
  const operation = OPERATIONS.find((op) => path === `/${op}` || path.endsWith(`/${op}`));
  if (!operation) {
    sendError(res, new ServiceError('UnknownOperationException', `No operation at ${path}`));
    return;
  }
  if (req.method !== 'POST') {
    sendError(res, new ServiceError('MethodNotAllowedException', `${operation} accepts POST`), { allow: 'POST' });
    return;
  }
  await handleCredentialCall(operation, req, res, state, requestId);
}

/** A URL host for the listen address: wildcard addresses are reached via loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return hostForUrl(host);
}
