import { connect } from 'node:net';
import { GetTemporaryGlueTableCredentialsCommand, LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAmzDate } from '../../../src/lakeformation/sigv4-header.js';
import { ACCOUNT, ORDERS_ARN, startStack, type Stack } from '../../support/stack.js';
import { FakeClock } from '../../support/fake-clock.mjs';

/**
 * The Lake Formation API listener's admission, as a local attacker meets it:
 * the target, the budget of unsigned requests, the audit log's volume and
 * the metric series. The sidecar runs on a fake clock that never moves, so
 * no token bucket refills while a test floods it.
 */
let stack: Stack | undefined;
let client: LakeFormationClient | undefined;
afterEach(async () => {
  client?.destroy();
  client = undefined;
  await stack?.close();
  stack = undefined;
});

const CALLER_KEYS = { accessKeyId: 'ASIACALLEROWNKEY0001', secretAccessKey: 'caller-secret-never-seen-by-lfcs-000000' };

async function start(config: Record<string, unknown> = {}): Promise<Stack> {
  stack = await startStack({
    config: {
      lakeformationApi: { enabled: true, port: 0 },
      dynamic: { allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`] },
      ...config,
    },
    sidecar: { clock: new FakeClock(Date.now()) },
  });
  client = new LakeFormationClient({
    endpoint: stack.sidecar.lakeformationApiUrl!,
    region: 'us-east-1',
    credentials: CALLER_KEYS,
    maxAttempts: 1,
  });
  return stack;
}

/** An Authorization header of the right shape (lfcs cannot check the signature itself). */
function signedHeaders(nowMs: number): string {
  const amzDate = formatAmzDate(nowMs);
  const scope = `${CALLER_KEYS.accessKeyId}/${amzDate.slice(0, 8)}/us-east-1/lakeformation/aws4_request`;
  return `X-Amz-Date: ${amzDate}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=content-type;host;x-amz-date, Signature=${'a'.repeat(64)}\r\n`;
}

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write(text);
  });
}

const unsigned = (s: Stack) =>
  fetch(`${s.sidecar.lakeformationApiUrl}/GetTemporaryGlueTableCredentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ TableArn: ORDERS_ARN }),
  }).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

async function metric(s: Stack, pattern: RegExp): Promise<string[]> {
  const text = await (await fetch(`${s.sidecar.adminUrl}/metrics`)).text();
  return text.split('\n').filter((line) => pattern.test(line));
}

describe('Lake Formation API listener admission', () => {
  it('refuses an absolute-form target naming a foreign host, as the credentials listener does', async () => {
    const s = await start();
    const port = Number(new URL(s.sidecar.lakeformationApiUrl!).port);
    const body = JSON.stringify({ TableArn: ORDERS_ARN });
    const answer = await raw(
      port,
      `POST http://evil.example/GetTemporaryGlueTableCredentials HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `${signedHeaders(Date.now())}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1.1 403/);
    expect(answer).toContain('x-amzn-errortype: AccessDeniedException');
    expect(answer).not.toContain('AccessKeyId');
    // The same request in origin form is served.
    const served = await client!.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(served.AccessKeyId).toBeDefined();
  });

  it('gives unsigned requests their own bucket: a flood of them never throttles signed callers', async () => {
    const s = await start({ rateLimit: { requestsPerSecond: 100, burst: 50, refusedPerSecond: 5, refusedBurst: 10 } });
    const statuses = [];
    for (let i = 0; i < 80; i++) statuses.push(await unsigned(s));
    // The first ten are refused for what they are (no signature), the rest throttled.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    expect(new Set(statuses.slice(10))).toEqual(new Set([400]));
    let throttled = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await client!.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
      } catch (err) {
        if ((err as Error).name === 'ThrottlingException') throttled++;
        else throw err;
      }
    }
    expect(throttled).toBe(0);
    expect(await metric(s, /^lfcs_rate_limited_total\{limit="refused"\} 70$/)).toHaveLength(1);
  });

  it('samples its refusal audit lines, counting the dropped ones', async () => {
    const s = await start();
    for (let i = 0; i < 60; i++) await unsigned(s);
    const lines = s
      .logs()
      .split('\n')
      .filter((line) => line.includes('"request denied"'));
    // rateLimit.deniedLogLinesPerSecond's burst is 20; the clock does not move.
    expect(lines.length).toBe(20);
    expect(await metric(s, /^lfcs_log_lines_dropped_total\{kind="denied"\} 40$/)).toHaveLength(1);
  });

  it("has every lakeformation-* route's series at 0 from the start", async () => {
    const s = await start();
    for (const route of ['lakeformation-table', 'lakeformation-partition', 'lakeformation-data-location', 'lakeformation-unmatched']) {
      expect(await metric(s, new RegExp(`^lfcs_http_requests_total\\{route="${route}",code="200"\\} 0$`))).toHaveLength(1);
      expect(await metric(s, new RegExp(`^lfcs_http_requests_total\\{route="${route}",code="403"\\} 0$`))).toHaveLength(1);
    }
  });
});
