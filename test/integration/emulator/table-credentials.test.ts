import { createHash } from 'node:crypto';
import { GetTemporaryGlueTableCredentialsCommand, type LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { parseCatalog, type RunningEmulator } from '../../../src/emulator/index.js';
import {
  CUSTOMERS_ARN,
  DEMO_CATALOG_YAML,
  ORDERS_ARN,
  admin,
  lakeFormationClient,
  startTestEmulator,
  useEmulator,
} from '../../support/emulator.js';

// A whole second, so Expiration (epoch seconds on the wire) can be compared exactly.
const START_MS = Math.floor(Date.now() / 1000) * 1000;

describe('GetTemporaryGlueTableCredentials', () => {
  const clock = new FakeClock(START_MS);
  const lf = useEmulator({ clock });

  it('vends realistic session credentials for the table location', async () => {
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, Permissions: ['SELECT'] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(out.SessionToken!.length).toBeGreaterThanOrEqual(300);
    expect(out.SessionToken).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(out.VendedS3Path).toEqual(['s3://demo-lake/sales/orders/']);
  });

  it('sets Expiration to now + 3600 s when no DurationSeconds is sent', async () => {
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(out.Expiration).toBeInstanceOf(Date);
    expect(out.Expiration!.getTime()).toBe(START_MS + 3600 * 1000);
  });

  it('sets Expiration to now + DurationSeconds', async () => {
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, DurationSeconds: 900 }));
    expect(out.Expiration!.getTime()).toBe(START_MS + 900 * 1000);
  });

  it('vends S3Path when it lies under the table location', async () => {
    const s3Path = 's3://demo-lake/sales/orders/dt=2024-01-02/';
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, S3Path: s3Path }));
    expect(out.VendedS3Path).toEqual([s3Path]);
  });

  it('serves a table with a column policy to a caller that enforces column permissions', async () => {
    const out = await lf.client.send(
      new GetTemporaryGlueTableCredentialsCommand({
        TableArn: CUSTOMERS_ARN,
        SupportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      }),
    );
    expect(out.VendedS3Path).toEqual(['s3://demo-lake/sales/customers/']);
  });

  it('mints different credentials on every call and logs them only as hashes', async () => {
    const first = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    const second = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(second.SecretAccessKey).not.toBe(first.SecretAccessKey);

    const vended = await admin(lf.emulator).get('vended');
    expect(vended).toHaveLength(2);
    expect(vended[0]).toEqual({
      accessKeyId: first.AccessKeyId,
      secretAccessKeySha256: createHash('sha256').update(first.SecretAccessKey!).digest('hex'),
      sessionTokenSha256: createHash('sha256').update(first.SessionToken!).digest('hex'),
      expiration: first.Expiration!.toISOString(),
      issuedAt: new Date(START_MS).toISOString(),
      operation: 'GetTemporaryGlueTableCredentials',
      principalArn: 'arn:aws:iam::123456789012:role/lfcs-demo-sidecar',
      tableArn: ORDERS_ARN,
      vendedPaths: ['s3://demo-lake/sales/orders/'],
    });
    const logs = JSON.stringify([vended, await admin(lf.emulator).get('requests')]);
    expect(logs).not.toContain(first.SecretAccessKey);
    expect(logs).not.toContain(first.SessionToken);
  });
});

describe('GetTemporaryGlueTableCredentials with maxSessionSeconds', () => {
  const clock = new FakeClock(START_MS);
  let emulator: RunningEmulator;
  let client: LakeFormationClient;

  beforeAll(async () => {
    const catalog = parseCatalog(DEMO_CATALOG_YAML.replace('maxSessionSeconds: 43200', 'maxSessionSeconds: 1800'));
    emulator = await startTestEmulator({ catalog, clock });
    client = lakeFormationClient(emulator);
  });
  afterAll(async () => {
    client.destroy();
    await emulator.close();
  });

  it('grants less than the requested duration', async () => {
    const out = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, DurationSeconds: 43_200 }));
    expect(out.Expiration!.getTime()).toBe(START_MS + 1800 * 1000);
  });

  it('caps the default duration too', async () => {
    const out = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(out.Expiration!.getTime()).toBe(START_MS + 1800 * 1000);
  });

  it('follows the clock', async () => {
    await clock.advance(60_000);
    const out = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, DurationSeconds: 900 }));
    expect(out.Expiration!.getTime()).toBe(START_MS + 60_000 + 900 * 1000);
  });
});
