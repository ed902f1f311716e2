import { describe, expect, it } from 'vitest';
import type { SigningPrincipal } from '../../../src/emulator/catalog.js';
import { verifySignature } from '../../../src/emulator/sigv4.js';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { createUpstreamCatalog, type CatalogCall } from '../../../src/iceberg/upstream-catalog.js';
import { fixedClock, REGION } from './support.js';

const IDENTITY = { accessKeyId: 'AKIALFCSIDENTITY0001', secretAccessKey: 'lfcs-own-secret', sessionToken: 'lfcs-session' };

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** The upstream as a function: records what was sent, answers `reply`. */
function fakeFetch(reply: () => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method!,
      headers: init.headers as Record<string, string>,
      body: init.body === undefined ? undefined : Buffer.from(init.body as Buffer),
    });
    return reply();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

function catalog(fetch: typeof globalThis.fetch, timeoutMs = 5000, maxResponseBytes = 2 ** 20) {
  return createUpstreamCatalog({
    uri: 'https://glue.us-east-1.amazonaws.com/iceberg',
    region: REGION,
    credentials: IDENTITY,
    timeoutMs,
    maxResponseBytes,
    fetch,
    clock: fixedClock,
  });
}

const call: CatalogCall = {
  method: 'GET',
  path: 'v1/catalogs/123456789012/namespaces/sales/tables/orders',
  query: 'snapshots=all',
  headers: {
    authorization: 'Bearer the-callers-lfcs-token',
    'x-iceberg-access-delegation': 'vended-credentials',
    accept: 'application/json',
    'x-client-version': 'Apache Iceberg 1.12.0',
    cookie: 'a=b',
  },
};

describe('upstream catalog client', () => {
  it("forwards to Glue's path, signed for glue with lfcs's own identity, without the caller's token or a vending request", async () => {
    const { fetch, sent } = fakeFetch(() => new Response('{"ok":true}', { status: 200, headers: { 'content-type': 'application/json' } }));
    const answer = await catalog(fetch).forward(call);
    expect(answer).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"ok":true}') });

    const [request] = sent;
    expect(request!.url).toBe(
      'https://glue.us-east-1.amazonaws.com/iceberg/v1/catalogs/123456789012/namespaces/sales/tables/orders?snapshots=all',
    );
    const names = Object.keys(request!.headers).map((name) => name.toLowerCase());
    expect(names).not.toContain('x-iceberg-access-delegation');
    expect(names).not.toContain('cookie');
    expect(names).not.toContain('host');
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIALFCSIDENTITY0001\/20261125\/us-east-1\/glue\/aws4_request/,
    );
    expect(JSON.stringify(request!.headers)).not.toContain('the-callers-lfcs-token');
    expect(request!.headers['x-client-version']).toBe('Apache Iceberg 1.12.0');

    // The emulator's SigV4 verifier accepts it, as Glue would.
    const principal = { ...IDENTITY, principalArn: 'arn:aws:iam::123456789012:role/lfcs' } as unknown as SigningPrincipal;
    const received = {
      method: 'GET',
      path: '/iceberg/v1/catalogs/123456789012/namespaces/sales/tables/orders',
      query: 'snapshots=all',
      headers: Object.fromEntries(
        Object.entries({ ...request!.headers, host: 'glue.us-east-1.amazonaws.com' }).map(([name, value]) => [name.toLowerCase(), [value]]),
      ),
      body: new Uint8Array(),
    };
    await expect(
      verifySignature(received, { findPrincipal: () => principal, region: REGION, nowMs: fixedClock.now(), service: 'glue' }),
    ).resolves.toBe(principal);
  });

  it('keeps the namespace separator encoded as the client sent it, and sends a body', async () => {
    const { fetch, sent } = fakeFetch(() => new Response(null, { status: 204 }));
    const answer = await catalog(fetch).forward({
      ...call,
      method: 'POST',
      path: 'v1/catalogs/1/namespaces/a%1Fb',
      query: '',
      body: Buffer.from('{"x":1}'),
    });
    expect(answer.status).toBe(204);
    expect(sent[0]!.url).toBe('https://glue.us-east-1.amazonaws.com/iceberg/v1/catalogs/1/namespaces/a%1Fb');
    expect(sent[0]!.body?.toString()).toBe('{"x":1}');
  });

  it('passes back no ETag, caching or other upstream headers', async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response('{}', {
          status: 200,
          headers: {
            'content-type': 'application/json',
            etag: '"v1"',
            'cache-control': 'max-age=60',
            'last-modified': 'x',
            'set-cookie': 'a=b',
            'x-amzn-requestid': 'r-1',
          },
        }),
    );
    const answer = await catalog(fetch).forward(call);
    expect(answer.headers).toEqual({ 'content-type': 'application/json', 'x-amzn-requestid': 'r-1' });
  });

  it('passes error answers through as they are', async () => {
    const body = '{"error":{"message":"Table does not exist","type":"NoSuchTableException","code":404}}';
    const { fetch } = fakeFetch(() => new Response(body, { status: 404 }));
    const answer = await catalog(fetch).forward(call);
    expect([answer.status, answer.body.toString()]).toEqual([404, body]);
  });

  it('answers 503 with Retry-After when the upstream cannot be reached', async () => {
    const { fetch } = fakeFetch(() => Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED, signed secret')));
    const error = await catalog(fetch)
      .forward(call)
      .catch((err: unknown) => err as IcebergError);
    expect(error).toBeInstanceOf(IcebergError);
    expect([(error as IcebergError).status, (error as IcebergError).retryAfterSeconds]).toEqual([503, 1]);
    expect((error as IcebergError).message).not.toContain('secret');
  });

  it('gives up after timeoutMs (the request is aborted)', async () => {
    let aborted = false;
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal!.addEventListener('abort', () => {
          aborted = true;
          reject(init.signal!.reason);
        });
      })) as unknown as typeof globalThis.fetch;
    const error = (await catalog(fetch, 100)
      .forward(call)
      .catch((err: unknown) => err)) as IcebergError;
    expect(aborted).toBe(true);
    expect([error.status, error.message]).toEqual([503, 'The upstream catalog did not answer within 100 ms']);
  });

  it("aborts when the caller's signal does", async () => {
    const controller = new AbortController();
    // As fetch does: an already aborted signal rejects at once, a later abort when it comes.
    const fetch = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        if (init.signal!.aborted) reject(init.signal!.reason);
        init.signal!.addEventListener('abort', () => reject(init.signal!.reason));
      })) as unknown as typeof globalThis.fetch;
    const pending = catalog(fetch).forward({ ...call, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ status: 503, message: 'The upstream catalog could not be reached' });
  });

  it('reads an answer up to the bound, and refuses a larger one with 500, by its length or as it streams', async () => {
    const limit = 1000;
    const atLimit = await catalog(fakeFetch(() => new Response('x'.repeat(limit))).fetch, 5000, limit).forward(call);
    expect(atLimit.body.length).toBe(limit);

    const declared = catalog(fakeFetch(() => new Response('x'.repeat(limit + 1))).fetch, 5000, limit).forward(call);
    await expect(declared).rejects.toMatchObject({ status: 500, type: 'InternalServerError' });

    // No Content-Length: chunks until one crosses the bound; the rest is never pulled.
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(400));
      },
    });
    const streamed = catalog(fakeFetch(() => new Response(endless)).fetch, 5000, limit).forward(call);
    await expect(streamed).rejects.toMatchObject({ status: 500, message: expect.stringContaining('iceberg.maxUpstreamResponseMiB') });
    expect(pulled).toBeLessThan(10);
  });

  it('refuses dot segments before signing anything', async () => {
    const { fetch, sent } = fakeFetch(() => new Response('{}'));
    await expect(catalog(fetch).forward({ ...call, path: 'v1/catalogs/1/../x' })).rejects.toMatchObject({ status: 400 });
    expect(sent).toHaveLength(0);
  });
});

describe('upstream catalog client without an identity', () => {
  it("answers 503 when lfcs's own credentials cannot be had, and sends nothing", async () => {
    const { fetch, sent } = fakeFetch(() => new Response('{}'));
    const upstream = createUpstreamCatalog({
      uri: 'https://glue.us-east-1.amazonaws.com/iceberg',
      region: REGION,
      credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
      timeoutMs: 5000,
      maxResponseBytes: 2 ** 20,
      fetch,
      clock: fixedClock,
    });
    await expect(upstream.forward(call)).rejects.toMatchObject({ status: 503, type: 'ServiceUnavailableException', retryAfterSeconds: 1 });
    expect(sent).toHaveLength(0);
  });
});
