import { GetTemporaryGlueTableCredentialsCommand, type Permission } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_ARN, lakeFormationClient, type Keys } from '../../support/emulator.js';
import { RETURNS_ARN } from '../../support/demo.js';
import { presignS3, send, signedCall, useIcebergEmulator, warehouseFile } from '../../support/iceberg-emulator.js';
import type { LakeFormationClient } from '@aws-sdk/client-lakeformation';

const START_MS = Math.floor(Date.now() / 1000) * 1000;
const ORDERS_FILE = 'sales/orders/data/dt=2024-01-01/00000-0-22d3eb29-9b03-4cfb-8d70-500b99e30619.parquet';
const RETURNS_FILE = 'sales/returns/data/00000-0-62b049ad-04f0-4e4a-87cb-0fc9e887099e.parquet';
/** The path as an S3 client sends it: each key segment percent-encoded (`=` becomes `%3D`). */
const pathOf = (key: string) => `/demo-lake/${key.split('/').map(encodeURIComponent).join('/')}`;

/** S3's XML error body, checked for its code. */
function expectS3Error(response: { status: number; text: string; headers: Record<string, unknown> }, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/xml');
  expect(response.text).toMatch(new RegExp(`^<\\?xml[^>]*>\\s*<Error><Code>${code}</Code><Message>[^<]+</Message>`));
}

describe('S3 stand-in: vended credentials, scope and reads', () => {
  const clock = new FakeClock(START_MS);
  const lf = useIcebergEmulator({ clock });
  let client: LakeFormationClient;
  beforeAll(() => {
    client = lakeFormationClient(lf.emulator, { maxAttempts: 1 });
  });
  afterAll(() => client.destroy());

  async function lease(tableArn: string, permissions?: Permission[], durationSeconds?: number): Promise<Keys & { expiration: Date }> {
    const out = await client.send(
      new GetTemporaryGlueTableCredentialsCommand({
        TableArn: tableArn,
        ...(permissions ? { Permissions: permissions } : {}),
        ...(durationSeconds ? { DurationSeconds: durationSeconds } : {}),
      }),
    );
    return {
      accessKeyId: out.AccessKeyId!,
      secretAccessKey: out.SecretAccessKey!,
      sessionToken: out.SessionToken!,
      expiration: out.Expiration!,
    };
  }
  const s3 = (keys: Keys, options: Omit<Parameters<typeof signedCall>[1], 'service' | 'keys'>) =>
    signedCall(lf.emulator, { service: 's3', keys, signingDate: new Date(clock.now()), ...options });

  it("reads a table's data file with the table's vended credentials", async () => {
    const orders = await lease(ORDERS_ARN);
    const response = await s3(orders, { path: pathOf(ORDERS_FILE) });
    expect(response.status).toBe(200);
    expect(response.body.equals(warehouseFile('demo-lake', ORDERS_FILE))).toBe(true);
    expect(response.headers['etag']).toMatch(/^"[0-9a-f]{32}"$/);
    expect(response.headers['accept-ranges']).toBe('bytes');
  });

  it("refuses table A's credentials for table B's file: 403 AccessDenied, S3's XML error", async () => {
    const orders = await lease(ORDERS_ARN);
    expectS3Error(await s3(orders, { path: pathOf(RETURNS_FILE) }), 403, 'AccessDenied');
    const head = await s3(orders, { method: 'HEAD', path: pathOf(RETURNS_FILE) });
    expect([head.status, head.body.length]).toEqual([403, 0]);
    // A sibling prefix that merely starts with the same characters is outside too.
    expectS3Error(await s3(orders, { path: '/demo-lake/sales/orders_old/x.parquet' }), 403, 'AccessDenied');
    // Table B's own credentials read it.
    expect((await s3(await lease(RETURNS_ARN), { path: pathOf(RETURNS_FILE) })).status).toBe(200);
  });

  it('serves byte ranges as table readers ask for them (Parquet footers)', async () => {
    const orders = await lease(ORDERS_ARN);
    const file = warehouseFile('demo-lake', ORDERS_FILE);
    const first = await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: 'bytes=0-3' } });
    expect(first.status).toBe(206);
    expect(first.body.toString('latin1')).toBe('PAR1');
    expect(first.headers['content-range']).toBe(`bytes 0-3/${file.length}`);
    const suffix = await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: 'bytes=-8' } });
    expect(suffix.status).toBe(206);
    expect(suffix.body.equals(file.subarray(file.length - 8))).toBe(true);
    const open = await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: `bytes=${file.length - 2}-` } });
    expect(open.body.equals(file.subarray(file.length - 2))).toBe(true);
    const clipped = await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: `bytes=4-${file.length + 100}` } });
    expect(clipped.body.equals(file.subarray(4))).toBe(true);
    expectS3Error(await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: `bytes=${file.length}-` } }), 416, 'InvalidRange');
    // A header S3 cannot read is ignored: the whole object.
    const ignored = await s3(orders, { path: pathOf(ORDERS_FILE), headers: { range: 'bytes=0-1,4-5' } });
    expect(ignored.status).toBe(200);
    expect(ignored.body.length).toBe(file.length);
  });

  it('answers HEAD with the size and no body, and 404 NoSuchKey for a missing key in scope', async () => {
    const orders = await lease(ORDERS_ARN);
    const head = await s3(orders, { method: 'HEAD', path: pathOf(ORDERS_FILE) });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(warehouseFile('demo-lake', ORDERS_FILE).length);
    expect(head.body.length).toBe(0);
    expectS3Error(await s3(orders, { path: '/demo-lake/sales/orders/data/missing.parquet' }), 404, 'NoSuchKey');
    const headMissing = await s3(orders, { method: 'HEAD', path: '/demo-lake/sales/orders/data/missing.parquet' });
    expect(headMissing.status).toBe(404);
    expect(headMissing.body.length).toBe(0);
  });

  it('lists with ListObjectsV2 under the scope, pages with continuation tokens, and refuses a prefix outside it', async () => {
    const orders = await lease(ORDERS_ARN);
    const all = await s3(orders, { path: '/demo-lake', query: 'list-type=2&prefix=sales%2Forders%2F' });
    expect(all.status).toBe(200);
    const keys = [...all.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    expect(keys).toHaveLength(6);
    expect(keys).toContain(ORDERS_FILE);
    expect(all.text).toContain('<IsTruncated>false</IsTruncated>');

    const first = await s3(orders, { path: '/demo-lake', query: 'list-type=2&max-keys=4&prefix=sales%2Forders%2F' });
    expect(first.text).toContain('<KeyCount>4</KeyCount>');
    expect(first.text).toContain('<IsTruncated>true</IsTruncated>');
    const token = /<NextContinuationToken>([^<]+)</.exec(first.text)![1]!;
    const second = await s3(orders, {
      path: '/demo-lake',
      query: `continuation-token=${encodeURIComponent(token)}&list-type=2&max-keys=4&prefix=sales%2Forders%2F`,
    });
    const paged = [...first.text.matchAll(/<Key>([^<]+)<\/Key>/g), ...second.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    expect(paged).toEqual(keys);

    const folders = await s3(orders, { path: '/demo-lake', query: 'delimiter=%2F&list-type=2&prefix=sales%2Forders%2Fdata%2F' });
    expect([...folders.text.matchAll(/<CommonPrefixes><Prefix>([^<]+)</g)].map((m) => m[1])).toEqual([
      'sales/orders/data/dt=2024-01-01/',
      'sales/orders/data/dt=2024-01-02/',
    ]);
    const encoded = await s3(orders, { path: '/demo-lake', query: 'encoding-type=url&list-type=2&prefix=sales%2Forders%2Fdata%2F' });
    expect(encoded.text).toContain('<Key>sales/orders/data/dt%3D2024-01-01/');

    expectS3Error(await s3(orders, { path: '/demo-lake', query: 'list-type=2&prefix=sales%2F' }), 403, 'AccessDenied');
    expectS3Error(await s3(orders, { path: '/demo-lake', query: 'list-type=2&prefix=sales%2Freturns%2F' }), 403, 'AccessDenied');
    expectS3Error(await s3(orders, { path: '/demo-lake', query: 'prefix=sales%2Forders%2F' }), 501, 'NotImplemented');
  });

  it('accepts PUT only from a lease that asked for a write permission, within its scope', async () => {
    const body = Buffer.from('a new data file');
    const key = '/demo-lake/sales/returns/data/new.parquet';
    expectS3Error(await s3(await lease(RETURNS_ARN, ['SELECT']), { method: 'PUT', path: key, body }), 403, 'AccessDenied');
    const writer = await lease(RETURNS_ARN, ['INSERT']);
    expectS3Error(await s3(writer, { method: 'PUT', path: '/demo-lake/sales/orders/data/new.parquet', body }), 403, 'AccessDenied');
    const put = await s3(writer, { method: 'PUT', path: key, body });
    expect(put.status).toBe(200);
    expect(put.headers['etag']).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await s3(writer, { path: key })).body.equals(body)).toBe(true);
    const unsigned = await s3(writer, { method: 'PUT', path: key, body: Buffer.from('again'), unsignedPayload: true });
    expect(unsigned.status).toBe(200);
  });

  it('serves presigned URLs of a lease within their validity and scope', async () => {
    const orders = await lease(ORDERS_ARN);
    const url = await presignS3(lf.emulator, {
      path: pathOf(ORDERS_FILE),
      keys: orders,
      signingDate: new Date(clock.now()),
      expiresIn: 60,
    });
    const response = await send(lf.emulator, { path: url, headers: { host: `127.0.0.1:${lf.emulator.port}` } });
    expect(response.status).toBe(200);
    expect(response.body.equals(warehouseFile('demo-lake', ORDERS_FILE))).toBe(true);

    const otherTable = await presignS3(lf.emulator, {
      path: pathOf(RETURNS_FILE),
      keys: orders,
      signingDate: new Date(clock.now()),
      expiresIn: 60,
    });
    expectS3Error(await send(lf.emulator, { path: otherTable }), 403, 'AccessDenied');
    const tampered = url.replace('dt%3D2024-01-01', 'dt%3D2024-01-02');
    expectS3Error(await send(lf.emulator, { path: tampered }), 403, 'SignatureDoesNotMatch');
    expectS3Error(
      await send(lf.emulator, { path: url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=999999') }),
      400,
      'AuthorizationQueryParametersError',
    );

    clock.set(START_MS + 61_000);
    const expired = await send(lf.emulator, { path: url });
    expectS3Error(expired, 403, 'AccessDenied');
    expect(expired.text).toContain('Request has expired');
    clock.set(START_MS);
  });

  it('refuses expired credentials with 400 ExpiredToken', async () => {
    const orders = await lease(ORDERS_ARN, undefined, 900);
    expect((await s3(orders, { path: pathOf(ORDERS_FILE) })).status).toBe(200);
    clock.set(orders.expiration.getTime());
    expectS3Error(await s3(orders, { path: pathOf(ORDERS_FILE) }), 400, 'ExpiredToken');
    clock.set(START_MS);
  });
});

describe('S3 stand-in: signature refusals', () => {
  // Not reset between tests: the lease stays live.
  const lf = useIcebergEmulator({ reset: false });
  let orders: Keys;
  beforeAll(async () => {
    const client = lakeFormationClient(lf.emulator, { maxAttempts: 1 });
    const out = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    client.destroy();
    orders = { accessKeyId: out.AccessKeyId!, secretAccessKey: out.SecretAccessKey!, sessionToken: out.SessionToken! };
  });
  const s3 = (options: Omit<Parameters<typeof signedCall>[1], 'service'>) =>
    signedCall(lf.emulator, { service: 's3', keys: orders, ...options });
  const path = pathOf(ORDERS_FILE);

  it('accepts UNSIGNED-PAYLOAD, as S3 clients send it over plain HTTP', async () => {
    expect((await s3({ path, unsignedPayload: true })).status).toBe(200);
  });

  it('answers each broken signature with S3 code and status', async () => {
    expectS3Error(await send(lf.emulator, { path }), 403, 'AccessDenied');
    expectS3Error(await s3({ path, keys: { ...orders, accessKeyId: 'ASIAUNKNOWNKEY000000' } }), 403, 'InvalidAccessKeyId');
    expectS3Error(
      await s3({ path, keys: { ...orders, secretAccessKey: 'wrongSecretKey/wrongSecretKey/wrongSecret' } }),
      403,
      'SignatureDoesNotMatch',
    );
    const { sessionToken: _dropped, ...withoutToken } = orders;
    expectS3Error(await s3({ path, keys: withoutToken }), 400, 'InvalidToken');
    expectS3Error(await s3({ path, omitContentSha256: true }), 400, 'InvalidRequest');
    expectS3Error(await s3({ method: 'PUT', path, body: 'signed body', sendBody: 'other body!' }), 400, 'XAmzContentSHA256Mismatch');
    expectS3Error(await s3({ path, signingDate: new Date(Date.now() - 20 * 60 * 1000) }), 403, 'SignatureDoesNotMatch');
    // Keys of a catalog principal are not S3 credentials here: only vended leases are.
    expectS3Error(
      await s3({ path, keys: { accessKeyId: 'AKIALFCSDEMO00000001', secretAccessKey: 'lfcsDemoSecretKey/DoNotUseInProduction00' } }),
      403,
      'InvalidAccessKeyId',
    );
    expect((await s3({ path })).status).toBe(200);
  });

  it('refuses what the stand-in does not serve with 501 NotImplemented', async () => {
    expectS3Error(await s3({ method: 'DELETE', path }), 501, 'NotImplemented');
  });
});
