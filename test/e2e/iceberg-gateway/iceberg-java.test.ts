/**
 * Iceberg Java 1.12.0 (RESTCatalog, S3FileIO; the reader of
 * test/e2e/iceberg-rest/java) reads the demo warehouse through lfcs's Iceberg
 * REST gateway with only the catalog `token`: with vended credentials (no
 * delegation header, as Java sends by default) and with remote signing,
 * where the client never holds a key and every S3 request is signed by the
 * gateway.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../../src/core/clock.js';
import { startGatewayStack, type GatewayStack } from '../../integration/iceberg/support.js';
import { DEMO_ROWS_AS_TEXT } from '../../support/iceberg-emulator.js';
import { ensureJavaReader } from '../iceberg-rest/java-reader.js';

const run = promisify(execFile);
const ROWS = DEMO_ROWS_AS_TEXT;

describe('Iceberg Java reads through the Iceberg REST gateway', () => {
  let stack: GatewayStack;
  let javaArgs: string[];
  beforeAll(async () => {
    javaArgs = await ensureJavaReader();
    stack = await startGatewayStack();
  }, 900_000);
  afterAll(() => stack?.close());

  async function read(delegation?: string, on = stack): Promise<unknown> {
    const { stdout } = await run('java', [...javaArgs, 'gateway', on.emulator.url, '123456789012', 'sales.orders', 'sales.returns'], {
      timeout: 120_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        AWS_REGION: 'us-east-1',
        LFCS_GATEWAY_URL: on.sidecar.icebergUrl!,
        LFCS_TOKEN: on.token,
        ...(delegation && { LFCS_DELEGATION: delegation }),
      },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  it('vended credentials (no header: the gateway default): the rows, one Lake Formation call per table', { timeout: 180_000 }, async () => {
    const before = (await stack.stats()).GetTemporaryGlueTableCredentials?.success ?? 0;
    expect(await read()).toEqual(ROWS);
    expect(await read()).toEqual(ROWS);
    expect(((await stack.stats()).GetTemporaryGlueTableCredentials?.success ?? 0) - before).toBe(2);
  });

  it('remote signing: the rows, every S3 request signed by the gateway', { timeout: 180_000 }, async () => {
    expect(await read('remote-signing')).toEqual(ROWS);
    const signed = await fetch(`${stack.sidecar.adminUrl}/metrics`).then((r) => r.text());
    expect(signed).toMatch(/lfcs_http_requests_total\{route="iceberg-sign",code="200"\} [1-9]/);
  });

  it("refreshes through the table's /credentials route when the lease nears its end", { timeout: 180_000 }, async () => {
    // The emulator runs 12 minutes behind, so a 15-minute lease ends 3 real minutes from now:
    // inside Iceberg Java's 5-minute refresh window (within SigV4's 15-minute skew), yet above
    // this cache's minServeSeconds, so the gateway serves it.
    const behind: Clock = { ...systemClock, now: () => Date.now() - 12 * 60_000 };
    const short = await startGatewayStack(
      {
        defaults: { durationSeconds: 900 },
        cache: { minServeSeconds: 30, hardMinimumSeconds: 10, refreshBeforeExpirySeconds: 60, refreshJitterSeconds: 0 },
      },
      behind,
    );
    try {
      expect(await read(undefined, short)).toEqual(ROWS);
      const metrics = await fetch(`${short.sidecar.adminUrl}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/lfcs_http_requests_total\{route="iceberg-credentials",code="200"\} [1-9]/);
      // Every refresh was answered from the cache: one Lake Formation call per table.
      expect((await short.stats()).GetTemporaryGlueTableCredentials).toEqual({ success: 2 });
    } finally {
      await short.close();
    }
  });
});
