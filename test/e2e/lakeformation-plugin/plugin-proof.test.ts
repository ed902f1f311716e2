import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_GRANTS_PLUGIN_CACHE_SECONDS, UNDATED_LEASE_DURATION_SECONDS } from '../../../src/http/plugin-lease-floor.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ensurePluginProof, type PluginProof } from '../../support/lakeformation-plugin-proof.js';
import { spawnProcess, type Spawned } from '../../support/spawn-lfcs.js';
import type { Stack } from '../../support/stack.js';
import { pump, startFakeClockStack } from '../../integration/reliability/support.js';

/**
 * AWS's Lake Formation per-prefix plugin for the Java SDK v2, as published on
 * Maven Central, in front of lfcs's Lake Formation API listener, backed by
 * the emulator, over a simulated two-hour run.
 *
 * Real: the plugin jar and its code path (the prefix it asks for, its
 * GetTemporaryDataLocationCredentials call without DurationSeconds, its
 * cache's 3,240 s expireAfterWrite and prefix search, the credentials it
 * hands to the S3 signer); the AWS SDK's S3 and Lake Formation clients and
 * SigV4; lfcs's listener, cache and upstream client on real sockets; the
 * emulator's authorization and key minting.
 * Simulated: time. lfcs runs in-process on a fake clock (a spawned
 * `lfcs serve` could not be moved two hours on); the emulator's leases are
 * re-based onto that clock with their granted length. The Java side reads the
 * same time, set before each step: the plugin's cache ticks on it and both
 * clients sign at it (PluginTime.java, by reflection: the plugin exposes
 * neither). S3 is the test's stand-in that records each signed request.
 *
 * Two S3 clients (two plugins, two caches, like two executors) read one
 * object in each of two tables every simulated minute; the second starts 25
 * minutes later. No S3 request may be signed with a key whose Expiration (as
 * lfcs answered it) has passed at its X-Amz-Date.
 */
const BUCKET = 'demo-lake';
const OBJECTS = ['sales/orders/part-00000.parquet', 'sales/returns/part-00000.parquet'];
const RUN_SECONDS = 2 * 3600;
const STEP_SECONDS = 60;
const CLIENTS = [
  { client: 0, startSeconds: 0 },
  { client: 1, startSeconds: 1500 },
];
/** The plugin's Lake Formation client signs with these (lfcs checks the signature's form, not its secret). */
const CALLER_KEYS = { AWS_ACCESS_KEY_ID: 'ASIAPLUGINCALLER0001', AWS_SECRET_ACCESS_KEY: 'plugin-caller-secret-never-checked-0000' };

interface Step {
  atMs: number;
  client: number;
  key: string;
}

interface LakeFormationAnswer {
  accessKeyId: string;
  expiration: number;
  durationSeconds: number | null;
  dataLocations: string;
  at: number;
}

interface StepResult {
  ok: boolean;
  error?: string;
  lakeFormation: LakeFormationAnswer[];
}

interface SignedRequest {
  method: string;
  path: string;
  accessKeyId: string;
  signedAtMs: number;
}

let proof: PluginProof;
let clock: FakeClock;
let stack: Stack;
let harness: Server;
let java: Spawned | undefined;
let home: string;
let runStartMs: number;
const signed: SignedRequest[] = [];
const results: StepResult[] = [];

/** `20261125T060000Z` as epoch ms. */
function fromAmzDate(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) throw new Error(`not an X-Amz-Date: ${amzDate}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * The S3 stand-in (records every signed request and answers 200) and the
 * driver: `/_driver/next` moves lfcs's fake clock to the next step's time,
 * then names it; `/_driver/result` takes the step's outcome.
 */
function startHarness(schedule: Step[]): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const path = req.url ?? '/';
      if (path === '/_driver/next') {
        const step = schedule[next++];
        if (!step) return res.end('done');
        // In 5 s slices with real I/O between them, so background refreshes reach the emulator.
        await pump(clock, step.atMs - clock.now(), 5000);
        return res.end(`${step.atMs} ${step.client} ${BUCKET} ${step.key}`);
      }
      if (path === '/_driver/result') {
        results.push(JSON.parse(await readBody(req)) as StepResult);
        return res.end();
      }
      await readBody(req);
      const credential = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? '');
      signed.push({
        method: req.method ?? '',
        path,
        accessKeyId: credential?.[1] ?? '(unsigned)',
        signedAtMs: fromAmzDate(String(req.headers['x-amz-date'] ?? '')),
      });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-amz-bucket-region': 'us-east-1' });
      res.end('parquet bytes');
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function scheduleFrom(start: number): Step[] {
  const steps: Step[] = [];
  for (let t = 0; t <= RUN_SECONDS; t += STEP_SECONDS) {
    for (const { client, startSeconds } of CLIENTS) {
      if (t < startSeconds) continue;
      for (const key of OBJECTS) steps.push({ atMs: start + t * 1000, client, key });
    }
  }
  return steps;
}

beforeAll(async () => {
  proof = await ensurePluginProof();
  clock = new FakeClock();
  stack = await startFakeClockStack(clock, {
    config: {
      lakeformationApi: { enabled: true, port: 0 },
      dynamic: { allowedLocations: OBJECTS.map((key) => `s3://${BUCKET}/${key.slice(0, key.lastIndexOf('/'))}/*`) },
      log: { level: 'warn' },
    },
  });
  runStartMs = clock.now();
  harness = await startHarness(scheduleFrom(runStartMs));
  home = mkdtempSync(join(tmpdir(), 'lfcs-plugin-proof-'));
}, 900_000);

afterAll(async () => {
  await java?.kill();
  await new Promise((resolve) => harness?.close(resolve));
  await stack?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('AWS Lake Formation per-prefix plugin behind lfcs', () => {
  it('signs no S3 request with an expired key over a simulated two-hour run', async () => {
    const url = `http://127.0.0.1:${(harness.address() as AddressInfo).port}`;
    java = spawnProcess('java', [...proof.javaArgs, url, String(CLIENTS.length)], {
      HOME: home,
      ...CALLER_KEYS,
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_LAKEFORMATION: stack.sidecar.lakeformationApiUrl!,
    });
    const ready = JSON.parse(await java.waitForLine(/"ready":true/, 120_000)) as { pluginCacheSeconds: number };
    expect(await java.exited, java.output()).toBe(0);

    // The fact lfcs's rule is built on, read from the plugin jar itself.
    expect(ready.pluginCacheSeconds).toBe(ACCESS_GRANTS_PLUGIN_CACHE_SECONDS);

    const schedule = scheduleFrom(0);
    expect(results).toHaveLength(schedule.length);
    expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);

    const answers = results.flatMap((r) => r.lakeFormation);
    // The plugin names no DurationSeconds.
    expect(answers.every((a) => a.durationSeconds === null)).toBe(true);

    // Every object read was signed with a key the plugin got from lfcs, before that key's Expiration.
    const expirationOf = new Map(answers.map((a) => [a.accessKeyId, a.expiration * 1000]));
    const reads = signed.filter((r) => r.method === 'GET');
    expect(reads).toHaveLength(schedule.length);
    const unknown = reads.filter((r) => !expirationOf.has(r.accessKeyId));
    expect(unknown).toEqual([]);
    const expired = reads
      .filter((r) => r.signedAtMs >= expirationOf.get(r.accessKeyId)!)
      .map((r) => ({
        path: r.path,
        signedAtSecond: (r.signedAtMs - runStartMs) / 1000,
        expiredFor: (r.signedAtMs - expirationOf.get(r.accessKeyId)!) / 1000,
      }));
    const worst = Math.max(0, ...expired.map((e) => e.expiredFor));
    expect(
      expired,
      `${expired.length} of ${reads.length} S3 requests signed with an expired key (up to ${worst} s after its Expiration), ` +
        `first: ${JSON.stringify(expired.slice(0, 3))}`,
    ).toEqual([]);

    // lfcs asked Lake Formation for the longer lease on the plugin's behalf.
    const upstream = await stack.emulatorJson<Array<{ operation: string; body: { DurationSeconds?: number } }>>('/_emulator/requests');
    const locationCalls = upstream.filter((r) => r.operation === 'GetTemporaryDataLocationCredentials');
    expect(locationCalls.length).toBeGreaterThan(0);
    expect(locationCalls.every((r) => r.body.DurationSeconds === UNDATED_LEASE_DURATION_SECONDS)).toBe(true);

    // The plugin's cache was in play: far fewer Lake Formation answers than S3 reads.
    expect(answers.length).toBeLessThan(reads.length / 10);
    // Each answer outlived the plugin's cache period (the listener's rule, seen from the plugin).
    const least = Math.min(...answers.map((a) => a.expiration - a.at / 1000));
    expect(least).toBeGreaterThan(ACCESS_GRANTS_PLUGIN_CACHE_SECONDS);
    process.stdout.write(
      `[plugin proof] ${reads.length} S3 reads by ${CLIENTS.length} plugin clients over ${RUN_SECONDS} simulated s; ` +
        `${answers.length} Lake Formation answers through lfcs (least life left when answered: ${least} s), ` +
        `${locationCalls.length} calls at the emulator; 0 signed with an expired key\n`,
    );
  }, 600_000);
});
