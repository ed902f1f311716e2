/**
 * The upstream Iceberg REST catalog, as the gateway calls it: one request
 * forwarded to Glue's endpoint (`https://glue.<region>.amazonaws.com/iceberg`,
 * paths `v1/catalogs/<catalog-id>/...`), SigV4-signed for `glue` with lfcs's
 * own identity (the credential provider its Lake Formation client uses).
 *
 * What crosses, and what does not:
 * - To the upstream: the method, the path and query as received (still
 *   percent-encoded, so `%1F` reaches Glue as the client sent it), the body,
 *   and an allow-list of headers. Never the caller's `Authorization` (lfcs's
 *   token is no business of Glue's) and never `X-Iceberg-Access-Delegation`:
 *   the upstream must not vend, since storage access comes from lfcs's cache.
 * - Back: the status, the body bytes, and an allow-list of headers. Never
 *   `ETag` or other validators and caching headers: Iceberg Java 1.11+ sends
 *   `If-None-Match` with a table's ETag and reuses its cached table, with its
 *   old FileIO and credentials, on a 304.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { systemClock, type Clock } from '../core/clock.js';
import { IcebergError } from './errors.js';
import { parseRawQuery } from './raw-query.js';

/** The signing name of Glue's Iceberg REST endpoint. */
export const GLUE_SIGNING_NAME = 'glue';

/** Request headers passed to the upstream (lower case); every other header stays with lfcs. */
const FORWARDED_REQUEST_HEADERS = new Set(['accept', 'content-type', 'x-client-version', 'x-client-git-commit']);
/** Response headers passed back to the client (lower case). */
const PASSED_RESPONSE_HEADERS = new Set(['content-type', 'retry-after', 'x-amzn-requestid']);

/** Options of {@link createUpstreamCatalog}. */
export interface UpstreamCatalogInit {
  /** Base URI, e.g. `https://glue.us-east-1.amazonaws.com/iceberg`; `v1/...` paths are resolved under it. */
  uri: string;
  /** SigV4 region. */
  region: string;
  /** lfcs's own identity: the provider the Lake Formation client signs with. */
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Time allowed for one call, ms. */
  timeoutMs: number;
  /** Largest answer body read, bytes; a larger one is refused without being held. */
  maxResponseBytes: number;
  /** The HTTP client; tests pass a function in its place. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Signing time source. Default the system clock. */
  clock?: Clock;
}

/** One request to forward. */
export interface CatalogCall {
  method: string;
  /** The path under the catalog's base, percent-encoded as received, e.g. `v1/catalogs/123456789012/namespaces/db`. */
  path: string;
  /** The raw query string without `?` (may be empty). */
  query: string;
  /** The caller's headers (Node's `IncomingHttpHeaders` shape); only the allow-listed ones are sent. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body?: Buffer;
  /** Aborts when the caller went away. */
  signal?: AbortSignal;
}

/** The upstream's answer, reduced to what may reach the client. */
export interface UpstreamAnswer {
  status: number;
  /** Only the allow-listed headers, lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface UpstreamCatalog {
  forward(call: CatalogCall): Promise<UpstreamAnswer>;
}

/**
 * Builds the upstream catalog client. A failure to reach the upstream, or no
 * answer within `timeoutMs`, is a 503 `IcebergError` with `Retry-After`; an
 * answer larger than `maxResponseBytes` is a 500 (it would be as large again).
 */
export function createUpstreamCatalog(init: UpstreamCatalogInit): UpstreamCatalog {
  const base = new URL(init.uri.endsWith('/') ? init.uri : `${init.uri}/`);
  const basePath = base.pathname;
  const doFetch = init.fetch ?? fetch;
  const clock = init.clock ?? systemClock;
  const signer = new SignatureV4({
    credentials: init.credentials,
    region: init.region,
    service: GLUE_SIGNING_NAME,
    sha256: Sha256,
  });

  async function forward(call: CatalogCall): Promise<UpstreamAnswer> {
    if (call.path.startsWith('/') || call.path.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new IcebergError('BadRequestException', 'The path has an empty or dot segment');
    }
    const headers: Record<string, string> = { host: base.host };
    for (const [name, value] of Object.entries(call.headers)) {
      const lower = name.toLowerCase();
      if (value !== undefined && FORWARDED_REQUEST_HEADERS.has(lower)) headers[lower] = [value].flat().join(', ');
    }
    const path = `${basePath}${call.path}`;
    const hasBody = call.body !== undefined && call.body.length > 0;
    const unsigned = new HttpRequest({
      method: call.method,
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port !== '' && { port: Number(base.port) }),
      path,
      query: parseRawQuery(call.query),
      headers,
      ...(hasBody && { body: call.body }),
    });
    let signed: HttpRequest;
    try {
      signed = (await signer.sign(unsigned, { signingDate: new Date(clock.now()) })) as HttpRequest;
    } catch {
      // No identity to sign with (the credential chain found none, or STS refused the role): lfcs's problem, not the caller's.
      throw new IcebergError('ServiceUnavailableException', 'lfcs could not get its own AWS identity to sign the upstream catalog call', {
        retryAfterSeconds: 1,
      });
    }

    const timeout = AbortSignal.timeout(init.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const sent = { ...(signed.headers as Record<string, string>) };
    // fetch sets Host itself, from the same URL.
    delete sent.host;
    let response: Response;
    let body: Buffer | undefined;
    try {
      response = await doFetch(`${base.origin}${path}${call.query === '' ? '' : `?${call.query}`}`, {
        method: call.method,
        headers: sent,
        ...(hasBody && { body: call.body }),
        redirect: 'manual',
        signal,
      });
      body = await readBounded(response, init.maxResponseBytes);
    } catch {
      // The cause is not kept: it may quote the signed request.
      const message = timeout.aborted
        ? `The upstream catalog did not answer within ${init.timeoutMs} ms`
        : 'The upstream catalog could not be reached';
      throw new IcebergError('ServiceUnavailableException', message, { retryAfterSeconds: 1 });
    }
    if (body === undefined) {
      throw new IcebergError(
        'InternalServerError',
        `The upstream catalog answered more than ${init.maxResponseBytes} bytes (iceberg.maxUpstreamResponseMiB)`,
      );
    }
    const passed: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (PASSED_RESPONSE_HEADERS.has(name.toLowerCase())) passed[name.toLowerCase()] = value;
    });
    return { status: response.status, headers: passed, body };
  }

  return { forward };
}

/** The body of `response`, or `undefined` (the rest left unread) once it exceeds `limit` bytes. */
async function readBounded(response: Response, limit: number): Promise<Buffer | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit || response.body === null) {
    await response.body?.cancel();
    return declared > limit ? undefined : Buffer.alloc(0);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    // Leaving the loop cancels the rest of the stream.
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
