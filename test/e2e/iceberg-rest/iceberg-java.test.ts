/**
 * Iceberg Java (pinned, from Maven Central) reads the demo warehouse's rows
 * from the emulator two ways: RESTCatalog against Glue's Iceberg REST
 * endpoint (vended credentials in storage-credentials), and GlueCatalog,
 * whose loadTable needs GetTable's table_type and metadata_location, with
 * Lake Formation credentials from LakeFormationAwsClientFactory. Both read
 * the Parquet files through the emulator's S3 endpoint with S3FileIO.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, sidecarKeys } from '../../support/emulator.js';
import { DEMO_ROWS_AS_TEXT, useIcebergEmulator } from '../../support/iceberg-emulator.js';
import { ensureJavaReader } from './java-reader.js';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/lfcs-demo-authorized`;
const ROWS = DEMO_ROWS_AS_TEXT;

describe('Iceberg Java reads the demo warehouse from the emulator', () => {
  const lf = useIcebergEmulator();
  let javaArgs: string[];
  beforeAll(async () => {
    javaArgs = await ensureJavaReader();
  }, 900_000);

  async function read(mode: 'rest' | 'glue', ...extra: string[]): Promise<unknown> {
    const keys = sidecarKeys();
    const { stdout } = await run('java', [...javaArgs, mode, lf.emulator.url, ACCOUNT, ...extra, 'sales.orders', 'sales.returns'], {
      timeout: 120_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        AWS_ACCESS_KEY_ID: keys.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_STS: lf.emulator.url,
        AWS_ENDPOINT_URL_GLUE: lf.emulator.url,
        AWS_ENDPOINT_URL_LAKEFORMATION: lf.emulator.url,
      },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  it('RESTCatalog with vended credentials: the rows, one Lake Formation call per loadTable', { timeout: 180_000 }, async () => {
    expect(await read('rest')).toEqual(ROWS);
    const stats = await admin(lf.emulator).get('stats');
    expect(stats.calls['iceberg:loadTable']).toEqual({ success: 2 });
    expect(stats.calls.GetTemporaryGlueTableCredentials).toEqual({ success: 2 });
  });

  it('GlueCatalog.loadTable (table_type and metadata_location from GetTable), Lake Formation credentials: the rows', {
    timeout: 180_000,
  }, async () => {
    expect(await read('glue', ROLE)).toEqual(ROWS);
    const stats = await admin(lf.emulator).get('stats');
    expect(stats.calls.GetTable?.success).toBeGreaterThanOrEqual(2);
    expect(stats.calls.GetTemporaryGlueTableCredentials?.success).toBeGreaterThanOrEqual(2);
  });
});
