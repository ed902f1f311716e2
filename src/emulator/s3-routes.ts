/**
 * A stand-in for Amazon S3, only the subset table readers and writers need,
 * path-style (`/<bucket>/<key>`): GetObject (with `Range`), HeadObject,
 * PutObject and ListObjectsV2 (`GET /<bucket>?list-type=2`). Every request is
 * SigV4-signed for `s3` (header or presigned URL) with credentials the
 * emulator vended and is held to their scope. No well-kept npm S3 server
 * verifies signatures against per-session keys with a per-session prefix
 * policy (s3rver, the one in wide use, last released in 2021, checks one
 * static key pair and no session token), so this subset is written here; it
 * is no general S3 emulator.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state.js';
import { readBody } from './http-io.js';
import type { StoredObject } from './object-store.js';
import { authenticateS3 } from './s3-auth.js';
import { S3Error, sendS3Error } from './s3-errors.js';
import { listObjectsV2 } from './s3-list.js';
import { checkScope } from './s3-scope.js';
import { ServiceError } from './service-error.js';

/** Largest PUT body accepted, 64 MiB: table files in tests are a few KB. */
export const MAX_PUT_BYTES = 64 * 1024 * 1024;

/** Whether a request is for the S3 endpoint: signed or presigned for `s3`, or addressed to a bucket the emulator holds. */
export function isS3Request(req: IncomingMessage, path: string, state: EmulatorState): boolean {
  const authorization = req.headers['authorization'];
  if (typeof authorization === 'string' && /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/s3\/aws4_request/.test(authorization)) return true;
  // A presigned URL names its scope in the query.
  if (/[?&]X-Amz-Credential=[^&]*%2Fs3%2Faws4_request/i.test(req.url ?? '')) return true;
  const bucket = decodeSegment(path.split('/')[1] ?? '');
  return bucket !== undefined && bucket !== '' && state.objects.hasBucket(bucket);
}

export async function handleS3Call(req: IncomingMessage, res: ServerResponse, state: EmulatorState, requestId: string): Promise<void> {
  const method = req.method ?? 'GET';
  const [rawPath = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const [, rawBucket = '', ...rawKey] = rawPath.split('/');
  const head = method === 'HEAD';
  try {
    const body = await readBody(req, MAX_PUT_BYTES).catch((err: unknown) => {
      if (err instanceof ServiceError)
        throw new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${MAX_PUT_BYTES} bytes`);
      throw err;
    });
    const lease = await authenticateS3({ method, path: rawPath, query, headers: req.headersDistinct, body }, state);
    const bucket = decodeSegment(rawBucket);
    const key = decodeSegment(rawKey.join('/'));
    if (!bucket || key === undefined) throw new S3Error('InvalidArgument', 'Path-style addressing only: /<bucket>/<key>');
    const params = new URLSearchParams(query);

    if (key === '') {
      if (method !== 'GET') throw new S3Error('NotImplemented', `${method} on a bucket is outside this stand-in's subset`);
      if (params.get('list-type') !== '2') throw new S3Error('NotImplemented', 'Only ListObjectsV2 (list-type=2) is served');
      checkScope(lease, 'list', bucket, params.get('prefix') ?? '');
      if (!state.objects.hasBucket(bucket)) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist');
      sendXml(res, listObjectsV2(state.objects, bucket, params));
      return;
    }
    if (method === 'PUT') {
      checkScope(lease, 'write', bucket, key);
      const stored = state.objects.put(bucket, key, body, state.clock.now());
      res.setHeader('etag', stored.etag);
      res.end();
      return;
    }
    if (method !== 'GET' && !head)
      throw new S3Error('NotImplemented', `${method} is outside this stand-in's subset (GET, HEAD, PUT, ListObjectsV2)`);
    checkScope(lease, 'read', bucket, key);
    const object = state.objects.get(bucket, key);
    if (!object) {
      throw state.objects.hasBucket(bucket)
        ? new S3Error('NoSuchKey', 'The specified key does not exist.')
        : new S3Error('NoSuchBucket', 'The specified bucket does not exist');
    }
    sendObject(res, object, head, req.headers['range']);
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    sendS3Error(res, err, { requestId, resource: rawPath, head });
  }
}

function sendObject(res: ServerResponse, object: StoredObject, head: boolean, rangeHeader: string | undefined): void {
  const size = object.body.length;
  const range = rangeHeader === undefined ? undefined : parseRange(rangeHeader, size);
  res.setHeader('accept-ranges', 'bytes');
  res.setHeader('etag', object.etag);
  res.setHeader('last-modified', new Date(object.lastModifiedMs).toUTCString());
  res.setHeader('content-type', 'application/octet-stream');
  const [start, end] = range ?? [0, size - 1];
  if (range) {
    res.statusCode = 206;
    res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('content-length', String(Math.max(0, end - start + 1)));
  res.end(head ? undefined : object.body.subarray(start, end + 1));
}

/**
 * One `bytes=` range as S3 reads it: `a-b` (b clipped to the end), `a-` or
 * the suffix `-n`. A header S3 cannot parse (several ranges, other units) is
 * ignored and the whole object sent; a range starting past the end is 416.
 */
function parseRange(header: string, size: number): [number, number] | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) throw invalidRange(size);
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) throw invalidRange(size);
  return [start, end];
}

function invalidRange(size: number): S3Error {
  return new S3Error('InvalidRange', `The requested range is not satisfiable (object size ${size})`);
}

function sendXml(res: ServerResponse, xml: string): void {
  res.setHeader('content-type', 'application/xml');
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/** A percent-decoded path part, or undefined when its encoding is broken. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
