/**
 * `inject(handler, request)` over a real socket: the handler behind a
 * node:http server on 127.0.0.1, port 0 (one per handler, kept for the test
 * file), and the answer as light-my-request shapes it (`statusCode`,
 * `headers`, `payload`, `json()`). A listener that hands requests to an
 * Express app inside it needs a real socket: Express gives each request its
 * own prototypes, which an in-process injection cannot keep.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InjectRequest {
  method?: string;
  url: string;
  headers?: Record<string, string | undefined>;
  payload?: string | Buffer;
}

export interface InjectResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent, in order. */
  rawHeaders: string[];
  payload: string;
  body: string;
  json(): unknown;
}

const servers = new WeakMap<RequestListener, Promise<number>>();

function portOf(handler: RequestListener): Promise<number> {
  let port = servers.get(handler);
  if (port === undefined) {
    port = new Promise((resolve, reject) => {
      const server = createServer(handler);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      // Nothing in a test waits for it to close.
      server.unref();
    });
    servers.set(handler, port);
  }
  return port;
}

export async function inject(handler: RequestListener, req: InjectRequest): Promise<InjectResponse> {
  const port = await portOf(handler);
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const payload = Buffer.concat(chunks).toString('utf8');
        resolve({
          statusCode: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          payload,
          body: payload,
          json: () => JSON.parse(payload) as unknown,
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(req.payload);
  });
}
