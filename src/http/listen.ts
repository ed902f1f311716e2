import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import { LfcsError } from '../core/errors.js';
import { NO_STORE, writeJson } from '../core/json-answer.js';
import { errorResponse, errorResponseText, type ErrorRenderer } from './error-response.js';

export type { ErrorRenderer } from './error-response.js';

/** Largest request head accepted on the credentials listener; larger gets 431. */
export const MAX_HEADER_BYTES = 8 * 1024;

/** Writes the JSON error for `err` and closes the connection, outside of the listener's pipeline. */
function sendRaw(res: ServerResponse, err: LfcsError, render: ErrorRenderer): void {
  const { status, headers, body } = render(err);
  writeJson(res, status, body, { ...NO_STORE, ...headers, Connection: 'close' });
}

export interface Listening {
  server: Server;
  host: string;
  port: number;
  /** Stops accepting connections, lets in-flight requests finish, then closes idle sockets. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server. Malformed requests that never reach Express (an
 * oversized head, bad framing) still get a JSON error, so clients see the
 * same error shape everywhere.
 */
/** Per-listener limits; the defaults suit the credentials listener (loopback SDK clients). */
export interface ListenLimits {
  /** Connections open at once; beyond it Node closes new ones at once. Default: no cap. */
  maxConnections?: number;
  /** Idle keep-alive socket lifetime, ms. Default 5000. */
  keepAliveTimeoutMs?: number;
  /** Time to receive a request head, ms (also the limit for a connection that sends nothing). Default 10000. */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, ms. Default 30000. */
  requestTimeoutMs?: number;
  /** How often Node checks the two timeouts above, ms. Default 1000 (Node's own is 30000). */
  checkIntervalMs?: number;
  /** How this listener renders errors raised before the app sees the request. Default: lfcs's own shape. */
  errorResponse?: ErrorRenderer;
}

/**
 * Limits of the admin listener: reachable from the whole pod network and
 * unauthenticated, it holds few connections and drops idle or slow ones fast.
 */
export const ADMIN_LIMITS: Readonly<Omit<ListenLimits, 'maxConnections'>> = Object.freeze({
  keepAliveTimeoutMs: 2_000,
  headersTimeoutMs: 3_000,
  requestTimeoutMs: 5_000,
  checkIntervalMs: 500,
});

export function listen(handler: RequestListener, host: string, port: number, limits: ListenLimits = {}): Promise<Listening> {
  const render = limits.errorResponse ?? errorResponse;
  const server = createServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      connectionsCheckingInterval: limits.checkIntervalMs ?? 1_000,
      // Checked below instead, so the answer is the JSON error every client parses.
      requireHostHeader: false,
    },
    (req, res) => {
      if (req.headers.host === undefined && req.httpVersion === '1.1') {
        sendRaw(res, new LfcsError('InvalidRequest', 'the Host header is missing (HTTP/1.1 requires it)'), render);
        return;
      }
      handler(req, res);
    },
  );
  // Keep-alive sockets from SDK clients must not hold a shutdown open for long.
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 5_000;
  server.headersTimeout = limits.headersTimeoutMs ?? 10_000;
  server.requestTimeout = limits.requestTimeoutMs ?? 30_000;
  if (limits.maxConnections !== undefined) server.maxConnections = limits.maxConnections;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const error =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new LfcsError('HeadersTooLarge', `request headers exceed ${MAX_HEADER_BYTES} bytes`)
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new LfcsError('RequestTimeout', 'the request did not arrive in full in time')
          : new LfcsError('InvalidRequest', 'malformed HTTP request');
    socket.end(errorResponseText(error, render));
  });
  // Node would answer these itself, without a body: same JSON errors as everywhere else.
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    sendRaw(res, new LfcsError('ExpectationFailed', 'only "Expect: 100-continue" is supported'), render);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        server,
        host,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            // Keep-alive sockets that finish their last response after close()
            // started would otherwise stay open until keepAliveTimeout.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            server.close(() => {
              clearInterval(sweep);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
