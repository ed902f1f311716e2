import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL, type RunningEmulator } from '../../../src/emulator/index.js';
import { ACCOUNT } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';
import { ensureIcebergProof, type IcebergProof } from '../../support/iceberg-proof.js';
import { serveLfcs, type ServedLfcs } from '../../support/spawn-lfcs.js';

/**
 * The proof with Iceberg's own code: GlueCatalog with
 * glue.lakeformation-enabled=true and LakeFormationAwsClientFactory resolve S3
 * credentials for two tables 1,000 times each from 8 threads. STS and Glue
 * are the emulator's; Lake Formation is lfcs's listener, then (the uncached
 * baseline) the emulator itself. Only AWS_ENDPOINT_URL_* redirect them.
 */
const run = promisify(execFile);
const TABLES = ['sales.orders', 'sales.customers'];
const RESOLUTIONS_PER_TABLE = 1000;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/lfcs-demo-authorized`;

let proof: IcebergProof;
let emulator: RunningEmulator;
let lfcs: ServedLfcs | undefined;
let lakeformationApi: string;

beforeAll(async () => {
  proof = await ensureIcebergProof();
  emulator = await startTestEmulator();
  lfcs = await serveLfcs(
    {
      upstream: { endpoint: emulator.url },
      lakeformationApi: { enabled: true, port: 0 },
      dynamic: { enabled: true, allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`] },
      // 8 threads resolving as fast as they can go well past the default 1000/s listener limit.
      rateLimit: { requestsPerSecond: 100_000, burst: 100_000 },
      log: { level: 'warn' },
    },
    { LFCS_LOG_LEVEL: 'info' },
  );
  lakeformationApi = lfcs.listening['lakeformationApi'] as string;
}, 900_000);

afterAll(async () => {
  await lfcs?.close();
  await emulator?.close();
});

interface ProofResult {
  tables: number;
  threads: number;
  resolutionsPerTable: number;
  resolved: number;
  failed: number;
  elapsedMs: number;
  errors: string[];
}

async function lakeFormationCalls(): Promise<number> {
  const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as {
    calls: Record<string, Record<string, number> | undefined>;
  };
  return Object.values(stats.calls['GetTemporaryGlueTableCredentials'] ?? {}).reduce((sum, n) => sum + n, 0);
}

/** Runs the Java program with Lake Formation at `lakeformationEndpoint`; returns its result and the emulator's LF calls. */
async function runProof(lakeformationEndpoint: string): Promise<{ result: ProofResult; calls: number }> {
  const before = await lakeFormationCalls();
  const { stdout } = await run('java', [...proof.javaArgs, ACCOUNT, 'us-east-1', ROLE, 'lfcs-demo', ...TABLES], {
    timeout: 180_000,
    maxBuffer: 4 * 1024 * 1024,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: lfcs!.dir,
      // The default chain's identity assumes the role; its session signs Glue and Lake Formation.
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(lfcs!.dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(lfcs!.dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_STS: emulator.url,
      AWS_ENDPOINT_URL_GLUE: emulator.url,
      AWS_ENDPOINT_URL_LAKEFORMATION: lakeformationEndpoint,
    },
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ProofResult;
  return { result, calls: (await lakeFormationCalls()) - before };
}

describe('Iceberg LakeFormationAwsClientFactory through lfcs', () => {
  it('resolves 2 tables x 1,000 times from 8 threads with 2 Lake Formation calls at the emulator', async () => {
    const { result, calls } = await runProof(lakeformationApi);
    expect(result, JSON.stringify(result)).toMatchObject({ tables: 2, threads: 8, resolved: 2 * RESOLUTIONS_PER_TABLE, failed: 0 });
    expect(calls).toBe(2);
    process.stdout.write(
      `[iceberg proof] through lfcs: ${result.resolved} resolutions, ${calls} Lake Formation calls, ${result.elapsedMs} ms\n`,
    );
  }, 240_000);

  it('pointed straight at the emulator (the uncached baseline), makes one Lake Formation call per resolution', async () => {
    const { result, calls } = await runProof(emulator.url);
    expect(result, JSON.stringify(result)).toMatchObject({ resolved: 2 * RESOLUTIONS_PER_TABLE, failed: 0 });
    expect(calls).toBe(2 * RESOLUTIONS_PER_TABLE);
    process.stdout.write(
      `[iceberg proof] baseline: ${result.resolved} resolutions, ${calls} Lake Formation calls, ${result.elapsedMs} ms\n`,
    );
  }, 240_000);
});
