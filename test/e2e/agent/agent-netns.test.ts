/**
 * Agent mode over the real network stack: a network namespace made by the test (as root), the
 * agent's link-local address 169.254.170.2 in it, and in it the emulator, an OIDC issuer, the
 * built `lfcs serve` in agent mode on 169.254.170.2:80 (its defaults), and real SDK clients —
 * botocore, the JS SDK's fromHttp and the Java SDK v2's ContainerCredentialsProvider — each
 * given nothing but AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
 * (a projected-token-shaped JWT the test minted for its pod) and the region.
 *
 * The test process stays in its own namespace: it reaches the agent and the emulator only
 * through programs it runs inside the namespace (the clients, and clients/probe.mjs for status
 * codes and the emulator's /_emulator/ routes). Ports inside the namespace are fixed: it is the
 * test's own, nothing else listens there.
 */
import { mkdirSync, mkdtempSync, readlinkSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { NODE, PODS, SALES_TABLES } from '../../support/agent.js';
import { DEMO_CATALOG, ORDERS_ARN, PAYMENTS_ARN, RETURNS_ARN } from '../../support/demo.js';
import { TestIssuer, type MintOptions, type PodClaims } from '../../support/oidc-issuer.js';
import { LFCS_BIN, type Spawned } from '../../support/spawn-lfcs.js';
import { sha256, type VendedRecord } from '../../support/stack.js';
import { runProgram, type ClientCommand, type ClientRun } from '../conformance/harness.js';
import { buildJavaClient, CLIENTS_DIR as CLIENTS, ensureBotocore } from './build.js';
import { NetNamespace } from './netns.js';

const AGENT_HOST = '169.254.170.2';
const AGENT = `http://${AGENT_HOST}`;
const EMULATOR = 'http://127.0.0.1:4599';
const ISSUER_PORT = 8081;
const ISSUER = `http://127.0.0.1:${ISSUER_PORT}`;
/** lfcs's own service-account token (agent.discoveryTokenFile), sent to the issuer only. */
const OWN_TOKEN = 'lfcs-own-token-netns-0123456789';

/** First use builds the Java client and the botocore venv; later runs reuse them. */
const SETUP_TIMEOUT_MS = 10 * 60_000;
const CLIENT_TIMEOUT_MS = 120_000;

let netns: NetNamespace | undefined;
const processes: Spawned[] = [];
let emulator: Spawned;
let issuerProcess: Spawned;
let agent: Spawned;
let dir: string;
let home: string;
let python: string;
let javaArgs: string[];

const issuer = new TestIssuer(ISSUER);
let firstKid: string;
/** Every token the test minted, and every secret it was served: none may appear in the agent's logs. */
const minted: string[] = [];
const servedSecrets: string[] = [];

function writeJwks(): void {
  // Renamed into place, so the issuer never reads a half-written file.
  const file = join(dir, 'jwks.json');
  writeFileSync(`${file}.tmp`, JSON.stringify(issuer.jwks()));
  renameSync(`${file}.tmp`, file);
}

async function mint(pod: PodClaims, options: MintOptions = {}): Promise<string> {
  const token = await issuer.mint(pod, options);
  minted.push(token);
  return token;
}

/** Writes `token` as `name`'s projected token file (the kubelet rewrites it in place the same way). */
function tokenFile(name: string, token: string): string {
  const file = join(dir, `token-${name}`);
  writeFileSync(file, token);
  return file;
}

// ---- inside the namespace ---------------------------------------------------------------------

interface Answer {
  status: number;
  contentType: string | null;
  body: unknown;
}

async function probe(requests: Array<{ url: string; authorization?: string; method?: string }>): Promise<Answer[]> {
  const run = await runProgram(netns!.wrap(process.execPath, [join(CLIENTS, 'probe.mjs')]), {
    PATH: process.env['PATH'],
    PROBE_REQUESTS: JSON.stringify(requests),
  });
  expect(run.code, `probe failed: ${run.stderr}`).toBe(0);
  return run.report['answers'] as Answer[];
}

async function emulatorJson<T>(path: string, method = 'GET'): Promise<T> {
  const [answer] = await probe([{ url: EMULATOR + path, method }]);
  expect(answer!.status).toBe(200);
  return answer!.body as T;
}

const tableCalls = async () => {
  const stats = await emulatorJson<{ calls: Record<string, Record<string, number>>; total: number }>('/_emulator/stats');
  return { table: Object.values(stats.calls['GetTemporaryGlueTableCredentials'] ?? {}).reduce((a, b) => a + b, 0), total: stats.total };
};

interface Served {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
}

/** A good request: a fresh executor token for the orders profile, answered 200 with a lease. */
async function goodRequest(): Promise<{ url: string; authorization: string }> {
  return { url: `${AGENT}/v1/credentials/orders`, authorization: await mint(PODS.executor) };
}

function expectServed(answer: Answer): Served {
  expect(answer.status).toBe(200);
  const served = answer.body as Served;
  expect(served.AccessKeyId).toMatch(/^ASIA/);
  servedSecrets.push(served.SecretAccessKey, served.Token);
  return served;
}

// ---- the clients ------------------------------------------------------------------------------

interface Client {
  name: string;
  command: () => ClientCommand;
  sdk: RegExp;
  provider: string;
}

const BOTOCORE: Client = {
  name: 'botocore',
  command: () => netns!.wrap(python, [join(CLIENTS, 'botocore_client.py')]),
  sdk: /^botocore 1\.44\.8$/,
  // botocore's name for its ContainerProvider, reached through the default chain.
  provider: 'container-role',
};
const FROM_HTTP: Client = {
  name: 'fromHttp',
  command: () => netns!.wrap(process.execPath, [join(CLIENTS, 'fromhttp_client.mjs')]),
  sdk: /^@aws-sdk\/credential-providers \d+\.\d+\.\d+ \/ @aws-sdk\/credential-provider-http \d+\.\d+\.\d+$/,
  provider: 'fromHttp',
};
const JAVA_V2: Client = {
  name: 'Java v2',
  command: () => netns!.wrap('java', javaArgs),
  sdk: /^aws-sdk-java-v2 2\.57\.8$/,
  provider: 'ContainerCredentialsProvider',
};

/**
 * Runs `client` inside the namespace as a pod would: the two container-credentials variables and
 * the region are all it is given (HOME is an empty folder, so there is no ~/.aws to fall back on).
 */
function runClient(client: Client, path: string, token: string): Promise<ClientRun> {
  return runProgram(
    client.command(),
    {
      PATH: process.env['PATH'],
      HOME: home,
      AWS_REGION: 'us-east-1',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${AGENT}${path}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile(client.name.replace(/\W/g, '-'), token),
    },
    CLIENT_TIMEOUT_MS,
  );
}

function expectResolved(client: Client, run: ClientRun) {
  expect(run.code, `${client.name} failed: ${JSON.stringify(run.report)}\n${run.stderr}`).toBe(0);
  expect(run.report['sdk']).toMatch(client.sdk);
  expect(run.report['provider']).toBe(client.provider);
  return run.report as { sdk: string; accessKeyId: string; secretAccessKeySha256: string; sessionTokenSha256: string };
}

/** The emulator's record of these credentials (matched by key id and the hashes of both secrets). */
async function mintedRecord(creds: { accessKeyId: string; secretAccessKeySha256: string; sessionTokenSha256: string }) {
  const vended = await emulatorJson<VendedRecord[] | { vended: VendedRecord[] }>('/_emulator/vended');
  const list = Array.isArray(vended) ? vended : vended.vended;
  return list.find(
    (v) =>
      v.accessKeyId === creds.accessKeyId &&
      v.secretAccessKeySha256 === creds.secretAccessKeySha256 &&
      v.sessionTokenSha256 === creds.sessionTokenSha256,
  );
}

// ---- set-up -----------------------------------------------------------------------------------

function start(spawned: Spawned): Spawned {
  processes.push(spawned);
  return spawned;
}

beforeAll(async () => {
  netns = await NetNamespace.create(`lfcs-agent-${process.pid}`, AGENT_HOST);
  dir = mkdtempSync(join(tmpdir(), 'lfcs-agent-netns-'));
  home = join(dir, 'home');
  mkdirSync(home);
  const builds = Promise.all([ensureBotocore().then((path) => (python = path)), buildJavaClient().then((args) => (javaArgs = args))]);

  firstKid = await issuer.addKey();
  writeJwks();
  writeFileSync(join(dir, 'own-token'), OWN_TOKEN);
  emulator = start(netns.spawn(process.execPath, [LFCS_BIN, 'emulator', '--catalog', DEMO_CATALOG, '--port', '4599']));
  issuerProcess = start(netns.spawn(process.execPath, [join(CLIENTS, 'issuer.mjs'), String(ISSUER_PORT), join(dir, 'jwks.json')]));
  await Promise.all([emulator.waitForLine(/lfcs emulator listening/), issuerProcess.waitForLine(/issuer listening/)]);

  const config = {
    mode: 'agent',
    region: 'us-east-1',
    // agent.host and agent.port are left at their defaults: 169.254.170.2, port 80.
    agent: {
      nodeName: NODE,
      issuerUrl: ISSUER,
      discoveryTokenFile: join(dir, 'own-token'),
      keyStoreFile: join(dir, 'issuer-keys.json'),
      // An unknown kid re-reads the keys at once (default: at most every 30 s), so the rotation
      // below does not depend on how long ago the negative tests made the agent fetch them.
      jwksCooldownSeconds: 0,
      bindings: [
        { namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [SALES_TABLES] },
        { namespace: 'spark', serviceAccount: 'driver', profiles: ['orders'], tables: [SALES_TABLES] },
        { namespace: 'analytics', serviceAccount: 'reader', profiles: ['orders'], tables: [ORDERS_ARN, RETURNS_ARN] },
      ],
    },
    profiles: { orders: { tableArn: ORDERS_ARN } },
    dynamic: { enabled: true },
    upstream: { endpoint: EMULATOR, timeoutMs: 2000 },
    admin: { host: '127.0.0.1', port: 9181 },
    prewarm: { enabled: false },
    shutdown: { drainSeconds: 0 },
    log: { level: 'info' },
  };
  writeFileSync(join(dir, 'config.yaml'), stringify(config));
  agent = start(
    netns.spawn(process.execPath, [LFCS_BIN, 'serve', '--config', join(dir, 'config.yaml')], {
      // Signs as the emulator's demo principal, as the other e2e tests' `lfcs serve` does.
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
    }),
  );
  await agent.waitForLog((line) => line['msg'] === 'lfcs listening');
  await builds;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  // Every process by its own PID (ip netns exec execs, so the PID is the process's), then the namespace.
  for (const spawned of processes.reverse()) await spawned.kill();
  try {
    if (!netns) return;
    // Nothing else may be left in it: a client that outlived its run would be a leak. On Node
    // without execve, lfcs serves from a child that leaves when it sees its parent gone (the IPC
    // channel closes), a few milliseconds after the parent: it gets up to 3 s to do so.
    let left = await netns.pids();
    for (const deadline = Date.now() + 3000; left.length > 0 && Date.now() < deadline; left = await netns.pids()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const pid of left) process.kill(pid, 'SIGKILL');
    await netns.delete();
    expect(left, 'processes left in the namespace after the test stopped its own').toEqual([]);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the tests --------------------------------------------------------------------------------

describe('agent mode in a network namespace', () => {
  it('listens on 169.254.170.2:80 inside the namespace, its PID the process’s own', async () => {
    // A dummy interface's state reads UNKNOWN (it has no carrier to report); the veth end's, UP.
    const line =
      netns!.addressInterface === 'dummy' ? /^lfcs0\s+(UNKNOWN|UP)\s+169\.254\.170\.2\/32/m : /^lfcs0@lfcs1\s+UP\s+169\.254\.170\.2\/32/m;
    expect(await netns!.addresses()).toMatch(line);
    const listening = await agent.waitForLog((line) => line['msg'] === 'lfcs listening');
    expect(listening['credentials']).toBe(`${AGENT}:80`);
    for (const spawned of processes) expect(readlinkSync(`/proc/${spawned.child.pid}/exe`)).toBe(realpathSync(process.execPath));
  });

  const THREE_PODS = [
    [BOTOCORE, PODS.executor],
    [FROM_HTTP, PODS.driver],
    [JAVA_V2, PODS.reader],
  ] as const;

  /** The three pods, each through its own client and with its own fresh token, ask `path` at once. */
  async function threePods(path: string) {
    // Counted as a difference, not after a reset: a reset would also drop the emulator's record of
    // the leases the agent still caches, which the later tests compare clients' credentials with.
    const before = await tableCalls();
    const tokens = await Promise.all(THREE_PODS.map(([, pod]) => mint(pod)));
    expect(new Set(tokens).size).toBe(3);
    const runs = await Promise.all(THREE_PODS.map(([client], i) => runClient(client, path, tokens[i]!)));
    const reports = THREE_PODS.map(([client], i) => expectResolved(client, runs[i]!));
    // One lease for the node, whichever pod asked: the same credentials, minted by the emulator once.
    expect(new Set(reports.map((r) => r.accessKeyId)).size).toBe(1);
    expect(new Set(reports.map((r) => r.secretAccessKeySha256)).size).toBe(1);
    expect(new Set(reports.map((r) => r.sessionTokenSha256)).size).toBe(1);
    expect(await mintedRecord(reports[0]!)).toBeDefined();
    const after = await tableCalls();
    const calls = { table: after.table - before.table, total: after.total - before.total };
    console.log(
      `[agent-netns] three pods, ${path}: ${calls.table} GetTemporaryGlueTableCredentials call(s), ${calls.total} Lake Formation call(s) in all`,
    );
    expect(calls).toEqual({ table: 1, total: 1 });
    return reports;
  }

  it(
    'serves three pods with different tokens, through botocore, fromHttp and Java v2, one profile for one Lake Formation call',
    async () => {
      const reports = await threePods('/v1/credentials/orders');
      console.log(`[agent-netns] clients: ${reports.map((r) => r.sdk).join('; ')}`);
      // What the clients hold is what the agent serves (compared as hashes).
      const [served] = await probe([await goodRequest()]);
      const lease = expectServed(served!);
      expect(sha256(lease.SecretAccessKey)).toBe(reports[0]!.secretAccessKeySha256);
      expect(sha256(lease.Token)).toBe(reports[0]!.sessionTokenSha256);
    },
    CLIENT_TIMEOUT_MS,
  );

  it(
    'serves the same three pods one table on the dynamic route for one Lake Formation call',
    async () => {
      await threePods(`/v1/credentials?table=${encodeURIComponent(RETURNS_ARN)}`);
    },
    CLIENT_TIMEOUT_MS,
  );

  it(
    'refuses a pod whose binding does not allow the table (403 NoBinding), to a real client too',
    async () => {
      const token = await mint(PODS.reader);
      const path = `/v1/credentials?table=${encodeURIComponent(PAYMENTS_ARN)}`;
      const [refused, good] = await probe([{ url: AGENT + path, authorization: token }, await goodRequest()]);
      expect(refused!.status).toBe(403);
      expect(refused!.contentType).toBe('application/json');
      expect(refused!.body).toMatchObject({ code: 'NoBinding', Code: 'NoBinding' });
      expect((refused!.body as { message: string }).message).toContain('namespace "analytics" service account "reader"');
      expectServed(good!);
      // botocore, asking for the same table with that token, gets no credentials.
      const run = await runClient(BOTOCORE, path, token);
      expect(run.code, JSON.stringify(run.report)).toBe(3);
      const error = `${String(run.report['error'])}: ${String(run.report['message'])}`;
      console.log(`[agent-netns] botocore, table outside its binding -> ${error.slice(0, 300)}`);
      expect(error).toMatch(
        /^botocore\.exceptions\.CredentialRetrievalError\b.*Received non 200 response 403 from container metadata: \{"code":"NoBinding"/,
      );
    },
    CLIENT_TIMEOUT_MS,
  );

  const refusals: Array<[string, number, string, string, () => Promise<string>]> = [
    ['an expired token', 401, 'Unauthorized', 'expired', () => mint(PODS.executor, { expiresIn: -60 })],
    ['another node’s token', 403, 'NodeMismatch', NODE, () => mint(PODS.elsewhere)],
    ['a namespace without a binding', 403, 'NoBinding', 'namespace "sandbox" service account "default"', () => mint(PODS.unbound)],
    ['a wrong audience', 401, 'Unauthorized', 'audience', () => mint(PODS.executor, { audience: 'sts.amazonaws.com' })],
    ['a token not valid yet', 401, 'Unauthorized', 'not valid yet', () => mint(PODS.executor, { notBefore: 120 })],
    ['a wrong issuer', 401, 'Unauthorized', 'issuer', () => mint(PODS.executor, { issuer: 'https://evil.example' })],
    [
      'an unknown kid',
      401,
      'Unauthorized',
      'does not publish',
      async () => mint(PODS.executor, { kid: await issuer.addKey({ published: false }) }),
    ],
    ['alg: none', 401, 'Unauthorized', 'algorithm', async () => remember(issuer.unsigned(PODS.executor))],
    [
      'an HMAC token keyed with the public key',
      401,
      'Unauthorized',
      'algorithm',
      async () => remember(issuer.hmacWithPublicKey(PODS.executor)),
    ],
  ];
  it.each(refusals)('answers %s with %i JSON, leaking nothing, and keeps serving', async (_name, status, code, reason, make) => {
    const token = await make();
    const [refused, good] = await probe([{ url: `${AGENT}/v1/credentials/orders`, authorization: token }, await goodRequest()]);
    expect(refused!.status).toBe(status);
    expect(refused!.contentType).toBe('application/json');
    expect(refused!.body).toMatchObject({ code, Code: code });
    expect((refused!.body as { message: string }).message).toContain(reason);
    const text = JSON.stringify(refused!.body);
    for (const part of token.split('.').filter((p) => p.length > 8)) expect(text.includes(part)).toBe(false);
    expectServed(good!);
  });

  it(
    'refuses an expired token to a real client too (Java v2: 401), and keeps serving',
    async () => {
      const run = await runClient(JAVA_V2, '/v1/credentials/orders', await mint(PODS.reader, { expiresIn: -60 }));
      expect(run.code, JSON.stringify(run.report)).toBe(3);
      const error = `${String(run.report['error'])}: ${String(run.report['message'])}`;
      console.log(`[agent-netns] Java v2, expired token -> ${error.slice(0, 300)}`);
      expect(error).toMatch(
        /^software\.amazon\.awssdk\.core\.exception\.SdkClientException <- .*SdkServiceException: Failed to load credentials from metadata service/,
      );
      expect(run.report['status']).toBe(401);
      const [good] = await probe([await goodRequest()]);
      expectServed(good!);
    },
    CLIENT_TIMEOUT_MS,
  );

  it(
    'picks up a key rotation at the issuer for a client with a new token, and refuses the dropped key',
    async () => {
      const fetchesBefore = jwksFetches();
      const newKid = await issuer.addKey({ alg: 'ES256' });
      issuer.unpublish(firstKid);
      writeJwks();
      const run = await runClient(FROM_HTTP, '/v1/credentials/orders', await mint(PODS.driver, { kid: newKid }));
      const report = expectResolved(FROM_HTTP, run);
      expect(await mintedRecord(report)).toBeDefined();
      // The unknown kid made the agent re-read the keys, and the new key was there.
      expect(jwksFetches()).toBeGreaterThan(fetchesBefore);
      expect(lastJwks()).toEqual(issuer.jwks().keys.map((k) => k.kid));

      const [refused, good] = await probe([
        { url: `${AGENT}/v1/credentials/orders`, authorization: await mint(PODS.driver, { kid: firstKid }) },
        { url: `${AGENT}/v1/credentials/orders`, authorization: await mint(PODS.executor, { kid: newKid }) },
      ]);
      expect(refused!.status).toBe(401);
      expect(refused!.body).toMatchObject({ code: 'Unauthorized' });
      expect((refused!.body as { message: string }).message).toContain('does not publish');
      expectServed(good!);
    },
    CLIENT_TIMEOUT_MS,
  );

  it('is still ready after all the refusals (admin listener on 127.0.0.1 in the namespace)', async () => {
    const [ready] = await probe([{ url: 'http://127.0.0.1:9181/readyz' }]);
    expect(ready!.status).toBe(200);
  });

  it("sent lfcs's own token to the issuer for discovery", () => {
    // The issuer logs a hash of the Authorization header it got, never the header.
    const discovery = issuerProcess
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"msg":"discovery"'));
    expect(discovery.length).toBeGreaterThanOrEqual(1);
    for (const line of discovery)
      expect(JSON.parse(line)).toEqual({ msg: 'discovery', authorizationSha256: sha256(`Bearer ${OWN_TOKEN}`) });
  });

  it('never logs a token, a secret access key or a session token', () => {
    // All of it (Spawned.output() keeps only the tail).
    const logs = agent.stdout() + agent.stderr();
    expect(minted.length).toBeGreaterThan(10);
    expect(servedSecrets.length).toBeGreaterThan(10);
    // includes() rather than toContain(), so a failure never prints the secret it found.
    expect(minted.filter((token) => logs.includes(token))).toHaveLength(0);
    expect(servedSecrets.filter((secret) => logs.includes(secret))).toHaveLength(0);
    expect(logs.includes(OWN_TOKEN)).toBe(false);
    expect(logs.includes(DEMO_PRINCIPAL.secretAccessKey)).toBe(false);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    // It did log the refusals, naming the pods (the audit lines).
    expect(logs).toContain('"audit":"denied"');
    expect(logs).toContain('"pod":"sandbox-1"');
  });
});

function remember(token: string): string {
  minted.push(token);
  return token;
}

function jwksLines(): string[][] {
  return issuerProcess
    .stdout()
    .split('\n')
    .filter((line) => line.includes('"msg":"jwks"'))
    .map((line) => (JSON.parse(line) as { keys: string[] }).keys);
}

function jwksFetches(): number {
  return jwksLines().length;
}

function lastJwks(): string[] | undefined {
  return jwksLines().at(-1);
}
