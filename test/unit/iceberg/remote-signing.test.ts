import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { parseSignRequest, signAnswer, signS3Request, type RemoteSignRequest } from '../../../src/iceberg/remote-signing.js';
import { fixedClock, LOCATION, lease, REGION, SECRET } from './support.js';

const scope = { region: REGION, allowedPaths: [LOCATION] };
const OBJECT = 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/data/part%20one.parquet';

function signRequest(overrides: Partial<RemoteSignRequest> = {}): RemoteSignRequest {
  return {
    region: REGION,
    method: 'GET',
    uri: OBJECT,
    headers: { 'amz-sdk-invocation-id': ['abc'], Range: ['bytes=0-99'], 'User-Agent': ['java'] },
    ...overrides,
  };
}

async function refusal(request: RemoteSignRequest, signingScope = scope): Promise<IcebergError> {
  try {
    await signS3Request(request, lease(), signingScope, fixedClock);
  } catch (err) {
    return err as IcebergError;
  }
  throw new Error('signed');
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * SigV4 for S3 computed here from the published algorithm (node:crypto, not
 * the library lfcs signs with): the request the client sends after merging
 * the answer's headers must carry a valid signature by the lease's secret.
 */
function verifyS3Signature(uri: string, method: string, headers: Record<string, string>, secret: string): boolean {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      headers.authorization!,
    );
  if (!auth) return false;
  const [, , day, region, signedHeaders, signature] = auth;
  const afterHost = uri.slice(uri.indexOf('/', uri.indexOf('//') + 2));
  const [path, query = ''] = afterHost.split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((part) => rfc3986(decodeURIComponent(part ?? ''))))
    .sort(([a, x], [b, y]) => (a! < b! ? -1 : a! > b! ? 1 : x! < y! ? -1 : 1))
    .map(([k, v = '']) => `${k}=${v}`)
    .join('&');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((name) => `${name}:${headers[name]!.trim()}\n`).join('');
  const canonical = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, headers['x-amz-content-sha256']].join('\n');
  const credentialScope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', headers['x-amz-date'], credentialScope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day!), region!), 's3'), 'aws4_request');
  return hmac(key, toSign).toString('hex') === signature;
}

function clientHeaders(uri: string, answered: Record<string, string[]>, extra: Record<string, string> = {}): Record<string, string> {
  const merged: Record<string, string> = { host: new URL(uri).host, ...extra };
  for (const [name, values] of Object.entries(answered)) merged[name.toLowerCase()] = values.join(', ');
  return merged;
}

describe('remote signing', () => {
  it('signs a read with the lease, returning only the headers it adds, valid by an independent SigV4 check', async () => {
    const headers = await signS3Request(signRequest(), lease(), scope, fixedClock);
    expect(Object.keys(headers).sort()).toEqual(['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token', 'x-amz-content-sha256']);
    expect(headers['x-amz-content-sha256']).toEqual(['UNSIGNED-PAYLOAD']);
    expect(headers['X-Amz-Security-Token']).toEqual(['session-token-of-the-lease']);
    expect(headers['X-Amz-Date']).toEqual(['20261125T060000Z']);
    expect(headers.Authorization![0]).toMatch(
      /Credential=ASIAEXAMPLELEASE0001\/20261125\/us-east-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/,
    );
    expect(verifyS3Signature(OBJECT, 'GET', clientHeaders(OBJECT, headers), SECRET)).toBe(true);
    expect(verifyS3Signature(OBJECT, 'GET', clientHeaders(OBJECT, headers), 'another secret')).toBe(false);
  });

  it("signs the request's own x-amz-* headers and query, path-style on a custom endpoint", async () => {
    const uri = 'http://127.0.0.1:9000/demo-lake/warehouse/sales/orders/metadata/v1.json?versionId=a+b&partNumber=1';
    const request = signRequest({ uri, method: 'HEAD', headers: { 'x-amz-checksum-mode': ['ENABLED'] } });
    const headers = await signS3Request(request, lease(), { ...scope, s3Endpoint: 'http://127.0.0.1:9000' }, fixedClock);
    expect(headers.Authorization![0]).toContain(
      'SignedHeaders=host;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date;x-amz-security-token',
    );
    expect(verifyS3Signature(uri, 'HEAD', clientHeaders(uri, headers, { 'x-amz-checksum-mode': 'ENABLED' }), SECRET)).toBe(true);
  });

  it('answers {uri, headers} with Cache-Control private, and never the secret key', async () => {
    const answer = await signAnswer(signRequest(), lease(), scope, fixedClock);
    expect(answer.status).toBe(200);
    expect(answer.headers['Cache-Control']).toBe('private');
    const body = JSON.parse(answer.body!.toString());
    expect(body.uri).toBe(OBJECT);
    expect(answer.body!.toString()).not.toContain(SECRET);
  });

  it('accepts virtual-hosted and path-style AWS hosts of the region', async () => {
    for (const uri of [
      'https://s3.us-east-1.amazonaws.com/demo-lake/warehouse/sales/orders/a',
      'https://s3.amazonaws.com/demo-lake/warehouse/sales/orders/a',
      'https://demo-lake.s3.dualstack.us-east-1.amazonaws.com/warehouse/sales/orders/a',
    ]) {
      await expect(signS3Request(signRequest({ uri }), lease(), scope, fixedClock), uri).resolves.toBeDefined();
    }
  });

  it.each([
    ['a write', { method: 'PUT' }],
    ['a delete', { method: 'DELETE' }],
    ['an odd method', { method: 'PROPFIND' }],
    ['another bucket', { uri: 'https://other.s3.us-east-1.amazonaws.com/warehouse/sales/orders/a' }],
    ['a sibling table sharing a name prefix', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders_secret/a' }],
    ['another table', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/customers/a' }],
    ['a dot segment', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/../customers/a' }],
    ['an encoded dot segment', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/%2e%2E/customers/a' }],
    ['a single dot segment', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/./a' }],
    ['another host', { uri: 'https://demo-lake.s3.evil.example/warehouse/sales/orders/a' }],
    ['another region', { uri: 'https://demo-lake.s3.eu-west-1.amazonaws.com/warehouse/sales/orders/a' }],
    ['plain http to AWS', { uri: 'http://demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/a' }],
    ['credentials in the URI', { uri: 'https://u:p@demo-lake.s3.us-east-1.amazonaws.com/warehouse/sales/orders/a' }],
    ['a presigned query', { uri: `${OBJECT}?X-Amz-Signature=abc` }],
    ['the bucket alone', { uri: 'https://demo-lake.s3.us-east-1.amazonaws.com/' }],
  ])('refuses %s with 403 ForbiddenException', async (_what, overrides) => {
    const error = await refusal(signRequest(overrides));
    expect(error).toBeInstanceOf(IcebergError);
    expect([error.status, error.type]).toEqual([403, 'ForbiddenException']);
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses any host but the custom endpoint when one is set', async () => {
    const error = await refusal(signRequest(), { ...scope, s3Endpoint: 'http://127.0.0.1:9000' } as typeof scope);
    expect(error.status).toBe(403);
  });

  it('refuses another signing region, a URI that is no URL and a malformed escape with 400', async () => {
    expect((await refusal(signRequest({ region: 'eu-west-1' }))).status).toBe(400);
    expect((await refusal(signRequest({ uri: 'not a url' }))).status).toBe(400);
    expect((await refusal(signRequest({ uri: `${OBJECT}%zz` }))).status).toBe(400);
  });

  it('parses a RemoteSignRequest, and refuses other bodies with 400 BadRequestException', () => {
    const body = { region: REGION, method: 'GET', uri: OBJECT, headers: { a: ['b'] }, properties: { x: 'y' }, provider: 's3' };
    expect(parseSignRequest(Buffer.from(JSON.stringify(body)))).toEqual(body);
    for (const bad of ['', 'nope', '[]', '{}', JSON.stringify({ ...body, headers: { a: 'b' } }), JSON.stringify({ ...body, uri: 3 })]) {
      let error: unknown;
      try {
        parseSignRequest(Buffer.from(bad));
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(IcebergError);
      expect([(error as IcebergError).status, (error as IcebergError).type]).toEqual([400, 'BadRequestException']);
    }
  });
});
