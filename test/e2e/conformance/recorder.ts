import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in S3 endpoint on 127.0.0.1 for the conformance clients: it records every request
 * (method, path, headers) and answers like S3 would for a path-style bucket holding the given
 * objects, so a real SDK gets a well-formed 200 (206 for a ranged GET) and goes on. Unsigned
 * requests get S3's 403 AccessDenied.
 *
 * It checks nothing itself: the tests read `requests` and compare the Authorization header's
 * access key id and the X-Amz-Security-Token with what the sidecar vended.
 */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/lfcs-conformance/data/part-0.txt`. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Recorder {
  /** `http://127.0.0.1:<port>`, the endpoint to give the client. */
  url: string;
  requests: RecordedRequest[];
  /** The requests that carry a SigV4 Authorization header. */
  signed(): RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

/** Objects by bucket then key. */
export type Objects = Record<string, Record<string, string>>;

export async function startRecorder(objects: Objects): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://recorder');
      const [, bucket = '', ...rest] = url.pathname.split('/');
      const key = decodeURIComponent(rest.join('/'));
      const inBucket = objects[bucket];
      res.setHeader('x-amz-request-id', `rec-${requests.length}`);
      // Like S3 for a private bucket: an unsigned request is refused, so a client whose
      // credentials failed cannot pass for one that worked.
      if (typeof req.headers.authorization !== 'string') {
        if (req.method === 'HEAD') {
          res.writeHead(403).end();
          return;
        }
        return xml(res, 403, error('AccessDenied', key || bucket));
      }
      if (!inBucket) return xml(res, 404, error('NoSuchBucket', bucket));

      if (key === '' && req.method === 'GET') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = Object.keys(inBucket).filter((k) => k.startsWith(prefix));
        return xml(
          res,
          200,
          `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name>` +
            `<Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
            `<IsTruncated>false</IsTruncated>` +
            keys
              .map(
                (k) =>
                  `<Contents><Key>${k}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
                  `<ETag>"${md5(inBucket[k]!)}"</ETag><Size>${Buffer.byteLength(inBucket[k]!)}</Size>` +
                  `<StorageClass>STANDARD</StorageClass></Contents>`,
              )
              .join('') +
            `</ListBucketResult>`,
        );
      }
      const body = inBucket[key];
      if (body === undefined || (req.method !== 'GET' && req.method !== 'HEAD')) {
        if (req.method === 'HEAD') {
          res.writeHead(404).end();
          return;
        }
        return xml(res, 404, error('NoSuchKey', key));
      }
      const bytes = Buffer.from(body);
      res.setHeader('Content-Type', 'text/plain');
      res.setHeader('ETag', `"${md5(body)}"`);
      res.setHeader('Last-Modified', 'Thu, 01 Jan 2026 00:00:00 GMT');
      res.setHeader('Accept-Ranges', 'bytes');
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (range && req.method === 'GET') {
        const start = Number(range[1]);
        const end = Math.min(range[2] ? Number(range[2]) : bytes.length - 1, bytes.length - 1);
        const part = bytes.subarray(start, end + 1);
        res.setHeader('Content-Range', `bytes ${start}-${end}/${bytes.length}`);
        res.setHeader('Content-Length', part.length);
        res.writeHead(206).end(part);
        return;
      }
      res.setHeader('Content-Length', bytes.length);
      res.writeHead(200).end(req.method === 'HEAD' ? undefined : bytes);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    signed: () => requests.filter((r) => typeof r.headers.authorization === 'string'),
    clear: () => void requests.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The access key id a SigV4 `Authorization` header names (`Credential=<id>/<date>/...`). */
export function credentialOf(authorization: string | undefined): string | undefined {
  return /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

function error(code: string, resource: string): string {
  return `<Error><Code>${code}</Code><Message>${code}</Message><Resource>${resource}</Resource></Error>`;
}

function xml(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.writeHead(status).end(body);
}
