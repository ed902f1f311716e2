/**
 * ListObjectsV2's answer (`GET /<bucket>?list-type=2`): `prefix`,
 * `delimiter` (common prefixes), `max-keys` (default and cap 1000),
 * `start-after`, `continuation-token` and `encoding-type=url`, which botocore
 * always sends.
 */
import type { ObjectStore } from './object-store.js';
import { escapeXml, S3Error } from './s3-errors.js';

const MAX_KEYS = 1000;

export function listObjectsV2(objects: ObjectStore, bucket: string, params: URLSearchParams): string {
  const prefix = params.get('prefix') ?? '';
  const delimiter = params.get('delimiter') ?? '';
  const maxKeys = readMaxKeys(params.get('max-keys'));
  const token = params.get('continuation-token');
  const startAfter = params.get('start-after') ?? undefined;
  const after = token !== null ? decodeToken(token) : startAfter;
  const urlEncoded = params.get('encoding-type') === 'url';
  const encode = (text: string) => escapeXml(urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text);

  // Keys under one common prefix count once, as S3 counts them against max-keys.
  const listing = objects.list(bucket, { prefix, ...(after === undefined ? {} : { after }), max: Number.MAX_SAFE_INTEGER });
  const contents: string[] = [];
  const commonPrefixes: string[] = [];
  let lastKey: string | undefined;
  let truncated = false;
  for (const { key, object } of listing.objects) {
    const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    const common = cut === -1 ? undefined : key.slice(0, cut + delimiter.length);
    if (common !== undefined && commonPrefixes.at(-1) === common) {
      lastKey = key;
      continue;
    }
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    lastKey = key;
    if (common !== undefined) {
      commonPrefixes.push(common);
    } else {
      contents.push(
        `<Contents><Key>${encode(key)}</Key><LastModified>${new Date(object.lastModifiedMs).toISOString()}</LastModified>` +
          `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    }
  }
  return (
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${escapeXml(bucket)}</Name><Prefix>${encode(prefix)}</Prefix>` +
    (delimiter ? `<Delimiter>${encode(delimiter)}</Delimiter>` : '') +
    `<KeyCount>${contents.length + commonPrefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>` +
    (urlEncoded ? '<EncodingType>url</EncodingType>' : '') +
    `<IsTruncated>${truncated}</IsTruncated>` +
    (token !== null ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
    (truncated && lastKey !== undefined ? `<NextContinuationToken>${encodeToken(lastKey)}</NextContinuationToken>` : '') +
    (startAfter !== undefined ? `<StartAfter>${encode(startAfter)}</StartAfter>` : '') +
    contents.join('') +
    commonPrefixes.map((p) => `<CommonPrefixes><Prefix>${encode(p)}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>'
  );
}

function readMaxKeys(value: string | null): number {
  if (value === null) return MAX_KEYS;
  if (!/^\d+$/.test(value)) throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range');
  return Math.min(Number(value), MAX_KEYS);
}

/** Continuation tokens are opaque to clients; here, the last key listed, base64url. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (encodeToken(key) !== token) throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect');
  return key;
}
