import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMinted, sha256, startStack, type Stack } from '../../support/stack.js';
import { credentialOf, startRecorder, type RecordedRequest, type Recorder } from './recorder.js';

/**
 * The conformance matrix: each real client (a small program under test/conformance/<language>/)
 * runs against a live emulator + sidecar, with nothing but the two container-credentials
 * variables to find its credentials, and signs S3 requests to a local recorder.
 *
 * Every client program follows one contract: it reads RECORDER_URL, S3_BUCKET and S3_KEY, makes
 * two S3 requests for that object through its own default credential chain (so it resolves
 * credentials twice), and prints one JSON line: `{sdk, contentLength, body}` on success, or
 * `{error, message}` with exit code 3 when the client raised (the client's own error types).
 */
export const BUCKET = 'lfcs-conformance';
export const KEY = 'sales/orders/part-0.txt';
export const BODY = 'order_id,amount\n1,9.99\n';
/** The object's path-style request path. */
export const OBJECT_PATH = `/${BUCKET}/${KEY}`;

/** Far beyond any expected run; a hung client fails the test instead of stalling CI. */
export const CLIENT_TIMEOUT_MS = 120_000;
/** Builds run in beforeAll on first use (a fresh clone needs nothing by hand). */
export const BUILD_TIMEOUT_MS = 20 * 60_000;

export interface ClientCommand {
  command: string;
  args: string[];
  cwd?: string;
  /** Extra environment the runtime itself needs (never credentials). */
  env?: Record<string, string>;
}

export interface ClientSpec {
  /** Shown in the test names, e.g. `AWS SDK for Java v2 2.57.8`. */
  name: string;
  /** Builds the program if needed (idempotent). Runs in beforeAll. */
  build?: () => Promise<void>;
  command: () => ClientCommand;
  /** The `sdk` field the program must print (proves which version really ran). */
  sdk: RegExp;
  /**
   * `true` if this version reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. For a version that
   * ignores it, what it does instead: it calls the sidecar with no token and fails like this.
   */
  tokenFile: true | { ignored: true; error: RegExp; sidecarCalls: number };
  /**
   * The S3 requests (method and path, query left out: Go and Rust add `?x-id=GetObject`) the
   * program's two reads make, in order; defaults to
   * HeadObject then GetObject. A client may add its own (S3A's open probes the object again).
   */
  requests?: string[];
  wrongToken: {
    /** The client's own error, as the program reports it (error type chain and message). */
    error: RegExp;
    /** How many times the client calls the sidecar before it gives up (its retry policy). */
    sidecarCalls: number;
    /**
     * Requests the client sends to S3 anyway, unsigned, after its credentials failed (the
     * recorder refuses them with 403 as S3 would). Default: none.
     */
    unsignedRequests?: string[];
  };
}

export interface ClientRun {
  code: number | null;
  report: Record<string, unknown>;
  stderr: string;
}

/** Runs a program with exactly this environment; resolves with its exit code and JSON report. */
export function runProgram(cmd: ClientCommand, env: NodeJS.ProcessEnv, timeoutMs = CLIENT_TIMEOUT_MS): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      let report: Record<string, unknown> = {};
      try {
        report = line ? (JSON.parse(line) as Record<string, unknown>) : {};
      } catch {
        report = { unparsed: line };
      }
      resolve({ code, report, stderr: stderr.slice(-4000) });
    });
  });
}

/**
 * An environment with no credential source but what the caller adds (no config or credentials
 * files, no instance metadata), so a default chain can only find the sidecar.
 */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
  };
}

/** `lfcs_http_requests_total` from the sidecar's admin listener, summed by status code. */
export async function sidecarRequests(stack: Stack): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.sidecar.adminUrl}/metrics`)).text();
  const byCode: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^lfcs_http_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const code = /code="(\d+)"/.exec(m[1]!)?.[1] ?? '?';
    byCode[code] = (byCode[code] ?? 0) + Number(m[2]);
  }
  return byCode;
}

export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, n] of Object.entries(after)) {
    const d = n - (before[code] ?? 0);
    if (d !== 0) out[code] = d;
  }
  return out;
}

function requestLine(r: RecordedRequest): string {
  return `${r.method} ${r.url.split('?')[0]}`;
}

interface Served {
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}

/** Defines the standard conformance tests for one client. */
export function describeClient(spec: ClientSpec): void {
  describe(spec.name, () => {
    let stack: Stack;
    let recorder: Recorder;
    let home: string;

    beforeAll(async () => {
      await spec.build?.();
      stack = await startStack();
      recorder = await startRecorder({ [BUCKET]: { [KEY]: BODY } });
      home = mkdtempSync(join(tmpdir(), 'lfcs-conformance-home-'));
    }, BUILD_TIMEOUT_MS);
    afterAll(async () => {
      await recorder?.close();
      await stack?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    function clientEnv(profile: string, extra: Record<string, string>): NodeJS.ProcessEnv {
      const cmd = spec.command();
      return {
        ...isolatedEnv(home),
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/${profile}`,
        RECORDER_URL: recorder.url,
        S3_BUCKET: BUCKET,
        S3_KEY: KEY,
        ...cmd.env,
        ...extra,
      };
    }

    async function exercise(profile: string, token: Record<string, string>) {
      recorder.clear();
      const before = await sidecarRequests(stack);
      const run = await runProgram(spec.command(), clientEnv(profile, token));
      const calls = delta(before, await sidecarRequests(stack));
      return { run, calls, signed: recorder.signed() };
    }

    async function expectSignedWithVended(profile: string, run: ClientRun, signed: ReturnType<Recorder['signed']>) {
      expect(run.code, `client failed: ${JSON.stringify(run.report)}\n${run.stderr}`).toBe(0);
      expect(run.report['sdk']).toMatch(spec.sdk);
      expect(run.report['body']).toBe(BODY);
      expect(run.report['contentLength']).toBe(Buffer.byteLength(BODY));
      // The lease the sidecar serves for this profile (a cache hit, after the counting).
      const served = (await (await stack.get(`/v1/credentials/${profile}`)).json()) as Served;
      expect(
        await findMinted(stack, { accessKeyId: served.AccessKeyId, secretAccessKey: served.SecretAccessKey, sessionToken: served.Token }),
      ).toBeDefined();
      expect(signed.map(requestLine)).toEqual(spec.requests ?? [`HEAD ${OBJECT_PATH}`, `GET ${OBJECT_PATH}`]);
      for (const request of signed) {
        expect(credentialOf(String(request.headers.authorization))).toBe(served.AccessKeyId);
        // Compared as hashes so that a mismatch never prints a session token.
        expect(sha256(String(request.headers['x-amz-security-token']))).toBe(sha256(served.Token));
      }
    }

    const tokenFile = spec.tokenFile;
    if (tokenFile === true) {
      it(
        'token file: resolves through the default chain, signs S3 with the vended keys, calls the sidecar once',
        async () => {
          const { run, calls, signed } = await exercise('orders', { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.tokenFile });
          await expectSignedWithVended('orders', run, signed);
          // Two S3 requests, two resolutions, one fetch: the second is served from the client's cache.
          expect(calls).toEqual({ '200': 1 });
        },
        CLIENT_TIMEOUT_MS,
      );
    } else {
      it(
        'token file: this version ignores it, calls the sidecar without a token and fails',
        async () => {
          const { run, calls, signed } = await exercise('orders', { AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.tokenFile });
          expect(run.code, `expected the client to fail: ${JSON.stringify(run.report)}\n${run.stderr}`).toBe(3);
          const error = `${String(run.report['error'])}: ${String(run.report['message'])}`;
          console.log(`[conformance] ${spec.name}, token file only -> ${error.slice(0, 400)}`);
          expect(error).toMatch(tokenFile.error);
          expect(signed).toHaveLength(0);
          expect(calls).toEqual({ '401': tokenFile.sidecarCalls });
        },
        CLIENT_TIMEOUT_MS,
      );
    }

    it(
      'env token: resolves through the default chain, signs S3 with the vended keys, calls the sidecar once',
      async () => {
        const { run, calls, signed } = await exercise('orders-2024-01-01', { AWS_CONTAINER_AUTHORIZATION_TOKEN: stack.token });
        await expectSignedWithVended('orders-2024-01-01', run, signed);
        expect(calls).toEqual({ '200': 1 });
      },
      CLIENT_TIMEOUT_MS,
    );

    it(
      'wrong token: fails with the client’s own error, signs nothing, and the sidecar keeps serving',
      async () => {
        const wrong = 'wrong-token-0123456789abcdef';
        const { run, calls, signed } = await exercise('orders', { AWS_CONTAINER_AUTHORIZATION_TOKEN: wrong });
        expect(run.code, `expected the client to fail: ${JSON.stringify(run.report)}\n${run.stderr}`).toBe(3);
        const error = `${String(run.report['error'])}: ${String(run.report['message'])}`;
        console.log(`[conformance] ${spec.name}, wrong token -> ${error.slice(0, 400)}`);
        expect(error).toMatch(spec.wrongToken.error);
        expect(signed).toHaveLength(0);
        expect(recorder.requests.map(requestLine)).toEqual(spec.wrongToken.unsignedRequests ?? []);
        expect(calls).toEqual({ '401': spec.wrongToken.sidecarCalls });
        const after = await stack.get('/v1/credentials/orders');
        expect(after.status).toBe(200);
        expect((await fetch(`${stack.sidecar.adminUrl}/readyz`)).status).toBe(200);
        expect(stack.logs()).not.toContain(wrong);
        expect(stack.logs()).not.toContain(stack.token);
      },
      CLIENT_TIMEOUT_MS,
    );
  });
}
