import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RequestListener } from 'node:http';

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
export function listen(handler: RequestListener, host: string, port: number): Promise<Listening> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, handler);
  // Keep-alive sockets from SDK clients must not hold a shutdown open for long.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const code = tooLarge ? 'HeadersTooLarge' : 'InvalidRequest';
    const message = tooLarge ? `request headers exceed ${MAX_HEADER_BYTES} bytes` : 'malformed HTTP request';
    const body = JSON.stringify({ code, message, Code: code, Message: message });
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
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
