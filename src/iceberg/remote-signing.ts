/**
 * Remote signing (`POST .../tables/{t}/sign`): lfcs signs one S3 request with
 * the table's lease (SigV4 for `s3`), so the client never holds a key.
 *
 * What is signed, and why:
 * - Reads only (`GET`, `HEAD`): the gateway serves reads, and a signature
 *   for a write would outlive any check made here.
 * - Only a URI on the allowed S3 endpoint, whose bucket and key lie inside the
 *   table's vended S3 path (what Lake Formation named for the lease), without
 *   dot segments (`..` would leave the prefix at S3 while looking inside it
 *   here) and without a presigned query.
 * - Headers `host`, `x-amz-content-sha256` (`UNSIGNED-PAYLOAD` unless the
 *   client sent one), `x-amz-date`, `x-amz-security-token`, and every other
 *   `x-amz-*` header the request carries (S3 requires those signed). `Range`
 *   and the SDKs' `amz-sdk-*` headers stay unsigned, as in Iceberg's
 *   reference signer.
 * - The answer holds only the headers lfcs adds: PyIceberg appends each
 *   returned header to its request, so echoing one would send it twice;
 *   Iceberg Java overwrites the returned headers with its own anyway.
 * - `Cache-Control: private` lets Iceberg Java reuse a read's signature for
 *   30 s (its signer caches only answers marked so).
 *
 * What this does not protect: the signature is valid for 15 minutes at S3
 * for that one request, whoever holds it; the scope check is lfcs's, and the
 * lease's own scope (Lake Formation's policy) still bounds what S3 allows.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Lease } from '../lakeformation/types.js';
import { jsonAnswer, type GatewayAnswer } from './answer.js';
import { IcebergError } from './errors.js';
import { decodeComponent, parseRawQuery } from './raw-query.js';

/** Methods lfcs signs. */
export const SIGNED_METHODS = ['GET', 'HEAD'] as const;

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Request headers the signer computes itself, whatever the request says. */
const SIGNER_OWNED = new Set(['x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256', 'authorization']);

/** The spec's `RemoteSignRequest` (Iceberg Java 1.10-1.12, PyIceberg 0.12). */
const signRequestSchema = z.object({
  region: z.string().min(1),
  method: z.string().min(1),
  uri: z.string().min(1).max(8192),
  headers: z.record(z.string(), z.array(z.string())),
  properties: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  provider: z.string().optional(),
});

export type RemoteSignRequest = z.infer<typeof signRequestSchema>;

/** Where lfcs signs, and for what. */
export interface SigningScope {
  region: string;
  /** `s3://bucket/prefix` paths the lease covers (its `VendedS3Path`). */
  allowedPaths: readonly string[];
  /** A custom S3 endpoint (path-style only); default the region's AWS endpoints. */
  s3Endpoint?: string | undefined;
}

/** A `RemoteSignRequest` body, or 400 `BadRequestException`. */
export function parseSignRequest(body: Buffer): RemoteSignRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new IcebergError('BadRequestException', 'The sign request body is not JSON');
  }
  const result = signRequestSchema.safeParse(parsed);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(body)'))].join(', ');
    throw new IcebergError('BadRequestException', `The sign request is not a RemoteSignRequest (check: ${fields.slice(0, 200)})`);
  }
  return result.data;
}

/** The `/sign` answer for `request`, signed with `lease`, or the spec's refusal. */
export async function signAnswer(request: RemoteSignRequest, lease: Lease, scope: SigningScope, clock: Clock): Promise<GatewayAnswer> {
  const headers = await signS3Request(request, lease, scope, clock);
  return jsonAnswer(200, { uri: request.uri, headers }, { 'Cache-Control': 'private' });
}

/** The headers lfcs adds to `request`, each as a one-value list. */
export async function signS3Request(
  request: RemoteSignRequest,
  lease: Lease,
  scope: SigningScope,
  clock: Clock,
): Promise<Record<string, string[]>> {
  const method = request.method.toUpperCase();
  if (!(SIGNED_METHODS as readonly string[]).includes(method)) {
    throw forbidden(`lfcs signs reads only (${SIGNED_METHODS.join(', ')}), not ${request.method.slice(0, 20)}`);
  }
  if (request.region !== scope.region) {
    throw new IcebergError('BadRequestException', `Requests are signed for ${scope.region}, not ${request.region.slice(0, 40)}`);
  }
  const target = parseTarget(request.uri, scope);
  const location = `s3://${target.bucket}/${target.key}`;
  if (!scope.allowedPaths.some((path) => within(location, path))) {
    throw forbidden(`${location.slice(0, 300)} is outside the table's S3 path`);
  }

  const toSign: Record<string, string> = { host: target.host };
  let contentSha256 = UNSIGNED_PAYLOAD;
  for (const [name, values] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'x-amz-content-sha256' && values.length === 1 && /^(UNSIGNED-PAYLOAD|[0-9a-f]{64})$/.test(values[0]!)) {
      contentSha256 = values[0]!;
    } else if (lower.startsWith('x-amz-') && !SIGNER_OWNED.has(lower)) {
      toSign[lower] = values.join(',');
    }
  }
  toSign['x-amz-content-sha256'] = contentSha256;

  const signer = new SignatureV4({
    credentials: { accessKeyId: lease.accessKeyId, secretAccessKey: lease.secretAccessKey, sessionToken: lease.sessionToken },
    region: scope.region,
    service: 's3',
    sha256: Sha256,
    // S3 signs the path as sent, encoded once; the payload hash is the header set above.
    uriEscapePath: false,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port !== undefined && { port: target.port }),
      path: target.rawPath,
      query: target.query,
      headers: toSign,
    }),
    { signingDate: new Date(clock.now()) },
  );
  const out = signed.headers as Record<string, string>;
  return {
    Authorization: [out.authorization!],
    'X-Amz-Date': [out['x-amz-date']!],
    'x-amz-content-sha256': [contentSha256],
    'X-Amz-Security-Token': [out['x-amz-security-token']!],
  };
}

interface Target {
  protocol: string;
  host: string;
  hostname: string;
  port: number | undefined;
  rawPath: string;
  query: Record<string, string | string[]>;
  bucket: string;
  key: string;
}

/** The request's endpoint, bucket and key, if lfcs may sign for them. */
function parseTarget(uri: string, scope: SigningScope): Target {
  if (!URL.canParse(uri)) throw new IcebergError('BadRequestException', 'The sign request uri is not a URL');
  const url = new URL(uri);
  if (url.username !== '' || url.password !== '' || uri.includes('#')) throw forbidden('The uri has credentials or a fragment');
  // The raw path and query, as the client will send them: URL would resolve dot segments and re-encode.
  const afterAuthority = uri.slice(uri.indexOf('//') + 2);
  const slash = afterAuthority.search(/[/?]/);
  const pathAndQuery = slash < 0 ? '/' : afterAuthority.slice(slash);
  const [rawPath = '/', rawQuery = ''] = pathAndQuery.split(/\?(.*)/s);
  const segments = rawPath.split('/').slice(1).map(decodeComponent);
  if (segments.some((segment) => segment === '.' || segment === '..')) throw forbidden('The uri has a dot segment');

  const bucketFromHost = bucketOfHost(url, scope);
  const bucket = bucketFromHost ?? segments[0] ?? '';
  const key = (bucketFromHost === undefined ? segments.slice(1) : segments).join('/');
  if (bucket === '' || key === '') throw forbidden('The uri names no object');

  const query = parseRawQuery(rawQuery);
  if (Object.keys(query).some((name) => name.toLowerCase().startsWith('x-amz-'))) {
    throw forbidden('lfcs does not sign presigned or pre-authenticated URLs');
  }
  return {
    protocol: url.protocol,
    host: url.host,
    hostname: url.hostname,
    port: url.port === '' ? undefined : Number(url.port),
    rawPath,
    query,
    bucket,
    key,
  };
}

/**
 * `undefined` for a path-style host, the bucket for a virtual-hosted one; a
 * host that is neither is refused. With a custom endpoint only that origin,
 * path-style, is accepted.
 */
function bucketOfHost(url: URL, scope: SigningScope): string | undefined {
  if (scope.s3Endpoint !== undefined) {
    if (url.origin === new URL(scope.s3Endpoint).origin) return undefined;
    throw forbidden(`lfcs signs for ${new URL(scope.s3Endpoint).origin} only`);
  }
  if (url.protocol !== 'https:' || url.port !== '') throw forbidden('lfcs signs https requests to S3 only');
  const suffix = scope.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const regional = [`s3.${scope.region}.${suffix}`, `s3.dualstack.${scope.region}.${suffix}`];
  if (scope.region === 'us-east-1') regional.push(`s3.${suffix}`);
  const host = url.hostname.toLowerCase();
  if (regional.includes(host)) return undefined;
  const endpoint = regional.find((candidate) => host.endsWith(`.${candidate}`));
  if (endpoint === undefined) throw forbidden(`lfcs signs for the S3 endpoints of ${scope.region} only`);
  return host.slice(0, -endpoint.length - 1);
}

/** True if `location` is `path` or below it (never a sibling that shares a name prefix). */
function within(location: string, path: string): boolean {
  const base = path.replace(/^s3[an]:\/\//, 's3://').replace(/\/+$/, '');
  return location === base || location.startsWith(`${base}/`);
}

function forbidden(message: string): IcebergError {
  return new IcebergError('ForbiddenException', message);
}
