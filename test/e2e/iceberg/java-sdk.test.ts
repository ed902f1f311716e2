import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';
import { ensureIcebergProof, type IcebergProof } from '../../support/iceberg-proof.js';
import { serveLfcs, type ServedLfcs } from '../../support/spawn-lfcs.js';

/**
 * The AWS SDK for Java v2's own LakeFormationClient against the built
 * `lfcs serve`'s Lake Formation API listener: a success, and each modeled
 * error raised as the SDK's typed exception class.
 */
const run = promisify(execFile);

let program: IcebergProof;
let emulator: RunningEmulator;
let lfcs: ServedLfcs | undefined;
let endpoint: string;

beforeAll(async () => {
  program = await ensureIcebergProof();
  emulator = await startTestEmulator();
  lfcs = await serveLfcs({
    upstream: { endpoint: emulator.url, maxAttempts: 1 },
    lakeformationApi: { enabled: true, port: 0 },
    dynamic: { enabled: true, allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`] },
  });
  endpoint = lfcs.listening['lakeformationApi'] as string;
}, 900_000);

afterAll(async () => {
  await lfcs?.close();
  await emulator?.close();
});

async function calls(specs: string[]): Promise<Array<Record<string, unknown>>> {
  const { stdout } = await run('java', [...program.javaArgs.slice(0, 2), 'lfcs.iceberg.LakeFormationCalls', ...specs], {
    timeout: 120_000,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: lfcs!.dir,
      AWS_CONFIG_FILE: join(lfcs!.dir, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_LAKEFORMATION: endpoint,
    },
  });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function setFaults(faults: Record<string, unknown> | undefined): Promise<void> {
  await fetch(
    `${emulator.url}/_emulator/faults`,
    faults ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) } : { method: 'DELETE' },
  );
}

describe('AWS SDK for Java v2 LakeFormationClient against the Lake Formation API listener', () => {
  it('gets credentials, and each modeled error as its typed exception', async () => {
    const results = await calls([
      ORDERS_ARN,
      `arn:aws:glue:us-east-1:${ACCOUNT}:table/hr/salaries`,
      PAYMENTS_ARN,
      `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/missing`,
      `${ORDERS_ARN}||not-an-s3-uri`,
      `${CUSTOMERS_ARN}|CELL_FILTER_PERMISSION`,
    ]);
    expect(results[0]).toMatchObject({ ok: true, hasExpiration: true });
    expect(results[0]!['accessKeyId']).toMatch(/^ASIA/);
    expect(results.slice(1)).toEqual([
      { ok: false, exception: 'AccessDeniedException', status: 403, code: 'AccessDeniedException' },
      { ok: false, exception: 'AccessDeniedException', status: 403, code: 'AccessDeniedException' },
      { ok: false, exception: 'EntityNotFoundException', status: 400, code: 'EntityNotFoundException' },
      { ok: false, exception: 'InvalidInputException', status: 400, code: 'InvalidInputException' },
      { ok: false, exception: 'PermissionTypeMismatchException', status: 400, code: 'PermissionTypeMismatchException' },
    ]);
  }, 120_000);

  it('raises InternalServiceException and OperationTimeoutException from Lake Formation as typed exceptions', async () => {
    try {
      await setFaults({ errorRate: 1, errorCode: 'InternalServiceException' });
      // A path of its own per case: a distinct request, so no cached lease answers it.
      expect(await calls([`${ORDERS_ARN}||s3://demo-lake/sales/orders/a/`])).toEqual([
        { ok: false, exception: 'InternalServiceException', status: 500, code: 'InternalServiceException' },
      ]);
      await setFaults(undefined);
      await setFaults({ errorRate: 1, errorCode: 'OperationTimeoutException' });
      expect(await calls([`${ORDERS_ARN}||s3://demo-lake/sales/orders/b/`])).toEqual([
        { ok: false, exception: 'OperationTimeoutException', status: 400, code: 'OperationTimeoutException' },
      ]);
    } finally {
      await setFaults(undefined);
    }
  }, 120_000);
});
