import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';
import { ensurePythonTools, type PythonTools } from '../../support/python-tools.js';
import { serveLfcs, type ServedLfcs } from '../../support/spawn-lfcs.js';

/**
 * The built `lfcs serve` with its Lake Formation API listener, called by the
 * AWS CLI and boto3 (pinned, installed from PyPI into .tools/ on first use)
 * exactly as a user would: `--endpoint-url` or `endpoint_url`, and the
 * caller's own keys, which lfcs never sees the secret of.
 */
const run = promisify(execFile);
const CALLER = { AWS_ACCESS_KEY_ID: 'AKIACALLERE2E000001', AWS_SECRET_ACCESS_KEY: 'caller-e2e-secret-key-never-sent-0000000' };

let tools: PythonTools;
let emulator: RunningEmulator;
let lfcs: ServedLfcs | undefined;
let endpoint: string;

beforeAll(async () => {
  tools = await ensurePythonTools();
  emulator = await startTestEmulator();
  lfcs = await serveLfcs({
    upstream: { endpoint: emulator.url, maxAttempts: 1 },
    lakeformationApi: { enabled: true, port: 0 },
    dynamic: { enabled: true, allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`] },
  });
  endpoint = lfcs.listening['lakeformationApi'] as string;
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
}, 660_000);

afterAll(async () => {
  await lfcs?.close();
  await emulator?.close();
});

beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
});

/** An environment with only the caller's keys: no config file, no instance metadata. */
function callerEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: lfcs!.dir,
    AWS_CONFIG_FILE: join(lfcs!.dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(lfcs!.dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...CALLER,
  };
}

async function tableSuccesses(): Promise<number> {
  const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as {
    calls: Record<string, Record<string, number> | undefined>;
  };
  return stats.calls['GetTemporaryGlueTableCredentials']?.['success'] ?? 0;
}

async function setFaults(faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${emulator.url}/_emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.status).toBe(200);
}

describe('the AWS CLI against the Lake Formation API listener', () => {
  it('get-temporary-glue-table-credentials twice: credentials both times, one call at the emulator', async () => {
    const before = await tableSuccesses();
    const cli = () =>
      run(
        tools.aws,
        [
          'lakeformation',
          'get-temporary-glue-table-credentials',
          '--endpoint-url',
          endpoint,
          '--region',
          'us-east-1',
          '--table-arn',
          ORDERS_ARN,
          '--supported-permission-types',
          'COLUMN_PERMISSION',
          '--output',
          'json',
        ],
        { env: callerEnv(), timeout: 60_000 },
      ).then(({ stdout }) => JSON.parse(stdout) as Record<string, unknown>);
    const first = await cli();
    const second = await cli();
    for (const answer of [first, second]) {
      expect(answer['AccessKeyId']).toMatch(/^ASIA/);
      expect(typeof answer['SecretAccessKey']).toBe('string');
      expect(typeof answer['SessionToken']).toBe('string');
      expect(answer['VendedS3Path']).toEqual(['s3://demo-lake/sales/orders/']);
    }
    expect(second['AccessKeyId']).toBe(first['AccessKeyId']);
    expect(await tableSuccesses()).toBe(before + 1);
  }, 120_000);

  it('reports a refusal as the service error, with a non-zero exit', async () => {
    const failed = await run(
      tools.aws,
      [
        'lakeformation',
        'get-temporary-glue-table-credentials',
        '--endpoint-url',
        endpoint,
        '--region',
        'us-east-1',
        '--table-arn',
        PAYMENTS_ARN,
      ],
      { env: callerEnv(), timeout: 60_000 },
    ).then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toMatch(/AccessDeniedException/);
  }, 120_000);
});

describe('boto3 against the Lake Formation API listener', () => {
  async function boto3(request: Record<string, unknown>, expected?: string) {
    const { stdout } = await run(
      tools.python,
      [join(import.meta.dirname, 'boto3_case.py'), endpoint, JSON.stringify(request), ...(expected ? [expected] : [])],
      { env: callerEnv(), timeout: 60_000 },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('gets credentials, with Expiration parsed as a datetime', async () => {
    const answer = await boto3({ TableArn: ORDERS_ARN, SupportedPermissionTypes: ['COLUMN_PERMISSION'] });
    expect(answer).toMatchObject({ ok: true, expirationType: 'datetime', hasSecret: true });
    expect(answer['accessKeyId']).toMatch(/^ASIA/);
    const partition = await boto3({
      _operation: 'get_temporary_glue_partition_credentials',
      TableArn: ORDERS_ARN,
      Partition: { Values: ['2024-01-03'] },
    });
    expect(partition).toMatchObject({ ok: true, expirationType: 'datetime' });
  }, 60_000);

  it("raises each modeled error as the client's typed exception", async () => {
    const cases: Array<[string, Record<string, unknown>, number, Record<string, unknown>?]> = [
      ['AccessDeniedException', { TableArn: `arn:aws:glue:us-east-1:${ACCOUNT}:table/hr/salaries` }, 403],
      ['AccessDeniedException', { TableArn: PAYMENTS_ARN }, 403],
      ['EntityNotFoundException', { TableArn: `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/missing` }, 400],
      ['InvalidInputException', { TableArn: ORDERS_ARN, S3Path: 'not-an-s3-uri' }, 400],
      ['PermissionTypeMismatchException', { TableArn: CUSTOMERS_ARN, SupportedPermissionTypes: ['CELL_FILTER_PERMISSION'] }, 400],
      [
        'InternalServiceException',
        { TableArn: ORDERS_ARN, DurationSeconds: 1000 },
        500,
        { errorRate: 1, errorCode: 'InternalServiceException' },
      ],
      [
        'OperationTimeoutException',
        { TableArn: ORDERS_ARN, DurationSeconds: 1001 },
        400,
        { errorRate: 1, errorCode: 'OperationTimeoutException' },
      ],
    ];
    for (const [name, request, status, faults] of cases) {
      if (faults) await setFaults(faults);
      const answer = await boto3(request, name);
      expect(answer, `${name} for ${JSON.stringify(request)}`).toMatchObject({ ok: false, code: name, status, raised: name, typed: true });
      if (faults) await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
    }
    // Throttling is not modeled for these operations: botocore raises a ClientError named by its code.
    // Every call throttled (not throttleNext: a retry of an earlier failed lease could consume it).
    await setFaults({ errorRate: 1, errorCode: 'ThrottlingException' });
    expect(await boto3({ TableArn: ORDERS_ARN, DurationSeconds: 1002 })).toMatchObject({ ok: false, code: 'ThrottlingException' });
  }, 120_000);

  it('gets a clear error for any other operation', async () => {
    const answer = await boto3({ _operation: 'get_data_lake_settings' });
    expect(answer).toMatchObject({ ok: false, code: 'UnknownOperationException', status: 404 });
    expect(answer['message']).toMatch(/serves only credential vending/);
  }, 60_000);

  it("logged the callers' access key id and none of their secrets or the vended ones", () => {
    const log = lfcs!.stdout() + lfcs!.stderr();
    expect(log).toContain(`"callerAccessKeyId":"${CALLER.AWS_ACCESS_KEY_ID}"`);
    expect(log).not.toContain(CALLER.AWS_SECRET_ACCESS_KEY);
    expect(log).not.toMatch(/"SecretAccessKey"|"SessionToken"/);
  });
});
