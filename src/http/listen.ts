import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';
import { LfcsError } from '../core/errors.js';
import { errorResponse } from './error-response.js';

/** Largest request head accepted on the credentials listener; larger gets 431. */
export const MAX_HEADER_BYTES = 8 * 1024;

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
export function listen(
  handler: RequestListener,
  host: string,
  port: number,
  options: {
    /** How this listener renders an error raised before the app sees the request. Default: lfcs's own shape. */
    errorResponse?: (err: LfcsError) => { status: number; headers: Record<string, string>; body: string };
  } = {},
): Promise<Listening> {
  const render = options.errorResponse ?? errorResponse;
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  // Keep-alive sockets from SDK clients must not hold a shutdown open for long.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const { status, headers, body } = render(
      tooLarge
        ? new LfcsError('HeadersTooLarge', `request headers exceed ${MAX_HEADER_BYTES} bytes`)
        : new LfcsError('InvalidRequest', 'malformed HTTP request'),
    );
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
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
