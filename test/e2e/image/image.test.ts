// The container image, built for real from the Dockerfile and run.
//
// No Docker engine and no registry here: scripts/build-image.sh builds the
// Dockerfile unchanged with `buildah bud --isolation chroot` (first making the
// offline stand-in base, Node 24 LTS, when the Dockerfile's pinned node base is
// not in local storage), and
// the image runs with `buildah from` + `buildah run --isolation chroot`, which
// shares the host's network and PID namespaces: the sidecar in the image reaches
// the emulator on the host's loopback and the test reaches the sidecar there.
//
// Set-up installs buildah and debootstrap with apt-get (as root) when missing.
// The base is built once and reused from local storage; buildah's layer cache
// makes a rebuild with unchanged sources take seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  chownSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnLfcs, spawnProcess, type Spawned } from '../../support/spawn-lfcs.js';
import { deriveV8Options, readMemoryLimit, v8Flags } from '../../../src/cli/v8-options.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const IMAGE = 'localhost/lakeformation-credential-sidecar:e2e';
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const ORDERS_ARN = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
/** The port the image's HEALTHCHECK probes (the admin listener's default). */
const HEALTHCHECK_PORT = 9181;
/** The Node the Dockerfile pins (FROM node:<version>-bookworm-slim): Node 24 LTS. */
const IMAGE_NODE = /^FROM node:(\d+\.\d+\.\d+)-bookworm-slim AS runtime$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'))?.[1];
/** World-writable directories of a Debian root filesystem; covered read-only when serving. */
const TEMP_DIRS = ['/tmp', '/var/tmp', '/run/lock'];

// ---------------------------------------------------------------- helpers

interface Result {
  code: number | string;
  stdout: string;
  stderr: string;
}

const started = new Set<ChildProcess>();

/** Runs a command to its end (killed by its PID after timeoutMs). */
function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => stop(child), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      started.delete(child);
      resolvePromise({ code: code ?? signal ?? -1, stdout, stderr });
    });
  });
}

/** Like run, but throws (with the output's tail) unless the command exits 0. */
async function must(command: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.slice(0, 3).join(' ')} ... exited ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`,
    );
  }
  return result.stdout;
}

function stop(child: ChildProcess): void {
  if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

async function onPath(tool: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${tool}`])).code === 0;
}

/** buildah and debootstrap from Debian, when missing (this machine kind is Debian, tests run as root). */
async function ensureTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of ['buildah', 'debootstrap']) if (!(await onPath(tool))) missing.push(tool);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(`the image tests need ${missing.join(' and ')}: apt-get install ${missing.join(' ')} (as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await must('apt-get', ['update', '-qq'], { env, timeoutMs: 300_000 });
  await must('apt-get', ['install', '-y', '-qq', ...missing], { env, timeoutMs: 600_000 });
}

interface ImageConfig {
  User: string;
  Env: string[];
  Entrypoint: string[];
  Cmd: string[];
  WorkingDir: string;
  Labels: Record<string, string>;
  Healthcheck?: { Test: string[] };
}
interface ImageInspect {
  Docker: { config: ImageConfig; history: Array<{ created_by?: string; empty_layer?: boolean }> };
}

const containers = new Set<string>();
let containerCount = 0;

async function newContainer(): Promise<string> {
  const name = `lfcs-e2e-${process.pid}-${++containerCount}`;
  containers.add(name);
  await must('buildah', ['from', '--pull=never', '--name', name, IMAGE]);
  return name;
}

async function removeContainer(name: string): Promise<void> {
  await run('buildah', ['umount', name]);
  await must('buildah', ['rm', name]);
  containers.delete(name);
}

interface RunOptions {
  user: string;
  /** host:container[:ro]. A container path must not go through a symlink in the image: buildah's chroot isolation would resolve it on the host. */
  volumes?: string[];
  env?: Record<string, string>;
}

function runArgs(container: string, argv: string[], options: RunOptions): string[] {
  return [
    'run',
    '--isolation',
    'chroot',
    '--user',
    options.user,
    ...(options.volumes ?? []).flatMap((v) => ['-v', v]),
    ...Object.entries(options.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    container,
    '--',
    ...argv,
  ];
}

/** Runs argv in the container to its end. */
function runIn(container: string, argv: string[], options: RunOptions): Promise<Result> {
  return run('buildah', runArgs(container, argv, options));
}

/** PIDs of every descendant of pid, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length)
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  return out;
}

/** Whether pid runs node: by its command line, since Node 24 names its main thread (comm) "MainThread". */
function isNode(pid: number): boolean {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0 === 'node' || argv0.endsWith('/node');
  } catch {
    return false; // the process ended while we looked
  }
}

async function pollUntil<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
  });
}

/** Every path under root (not following symlinks), relative to it, with its lstat. */
function walk(root: string, rel = ''): Array<[string, Stats]> {
  const out: Array<[string, Stats]> = [];
  for (const name of readdirSync(join(root, rel))) {
    const path = `${rel}/${name}`;
    const stats = lstatSync(join(root, path));
    out.push([path, stats]);
    if (stats.isDirectory()) out.push(...walk(root, path));
  }
  return out;
}

// ---------------------------------------------------------------- build

let config: ImageConfig;
let history: ImageInspect['Docker']['history'];
const scratch = mkdtempSync(join(tmpdir(), 'lfcs-image-'));

/** Containers an earlier run of this file left behind when it was killed (its PID is gone). */
async function removeStaleContainers(): Promise<void> {
  const names = (await must('buildah', ['containers', '--format', '{{.ContainerName}}'])).split('\n');
  for (const name of names) {
    const pid = name.match(/^lfcs-e2e-(\d+)-\d+$/)?.[1];
    if (pid && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`)) await must('buildah', ['rm', name]);
  }
}

beforeAll(async () => {
  await ensureTools();
  await removeStaleContainers();
  if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) await must('npm', ['run', 'build'], { timeoutMs: 300_000 });
  const startedAt = Date.now();
  await must('bash', ['scripts/build-image.sh', IMAGE], { timeoutMs: 20 * 60_000 });
  console.log(`image ${IMAGE} built in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  const inspect = JSON.parse(await must('buildah', ['inspect', '--type', 'image', IMAGE])) as ImageInspect;
  config = inspect.Docker.config;
  history = inspect.Docker.history;
}, 25 * 60_000);

afterAll(async () => {
  for (const child of started) stop(child);
  for (const name of [...containers]) await removeContainer(name).catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the built image', { timeout: 60_000 }, () => {
  it('carries the version and revision labels and keeps its HEALTHCHECK (Docker format)', async () => {
    expect(config.Labels['org.opencontainers.image.version']).toBe(pkg.version);
    const head = await run('git', ['rev-parse', 'HEAD']);
    const revision = config.Labels['org.opencontainers.image.revision'];
    if (head.code === 0) expect([head.stdout.trim(), `${head.stdout.trim()}-dirty`]).toContain(revision);
    else expect(revision).toBe('unknown');
    expect(config.Healthcheck?.Test[0]).toBe('CMD');
  });

  it('runs `lfcs --version` through its own entrypoint as its configured non-root UID 65532', async () => {
    expect(config.User).toBe('65532:65532');
    const ctr = await newContainer();
    try {
      const version = await runIn(ctr, [...config.Entrypoint, '--version'], { user: config.User });
      expect(version.code).toBe(0);
      expect(version.stdout.trim()).toBe(pkg.version);
      // The `lfcs` link on PATH works too (shebang, executable bit).
      const viaPath = await runIn(ctr, ['lfcs', '--version'], { user: config.User });
      expect(viaPath.stdout.trim()).toBe(pkg.version);
      const ids = await runIn(ctr, ['node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)'], {
        user: config.User,
      });
      expect(ids.stdout).toBe('65532:65532');
      // Node 24 LTS, the version the Dockerfile pins; it can re-execute in place.
      expect(IMAGE_NODE).toMatch(/^24\./);
      const node = await runIn(ctr, ['node', '-p', '`${process.version} ${typeof process.execve}`'], { user: config.User });
      expect(node.stdout.trim()).toBe(`v${IMAGE_NODE} function`);
    } finally {
      await removeContainer(ctr);
    }
  });
});

describe('the runtime stage', { timeout: 120_000 }, () => {
  let ctr: string;
  let root: string;
  let files: Array<[string, Stats]>;

  beforeAll(async () => {
    ctr = await newContainer();
    root = (await must('buildah', ['mount', ctr])).trim();
    files = walk(root).filter(([path]) => !/^\/(proc|sys|dev)\//.test(path));
  });
  afterAll(async () => {
    if (ctr) await removeContainer(ctr);
  });

  it('holds the compiled dist/, the manifests and production dependencies only: no TypeScript sources', () => {
    expect(readdirSync(join(root, 'app')).sort()).toEqual(['dist', 'node_modules', 'package-lock.json', 'package.json']);
    const ours = files.filter(([path]) => path.startsWith('/app/') && !path.startsWith('/app/node_modules/'));
    expect(ours.filter(([path]) => /\.(ts|mts|cts|tsx)$/.test(path) && !/\.d\.[mc]?ts$/.test(path))).toEqual([]);
    expect(ours.some(([path]) => path === '/app/dist/cli/main.js')).toBe(true);
    expect(lstatSync(join(root, 'app/dist/cli/main.js')).mode & 0o111).not.toBe(0);
    for (const name of Object.keys(pkg.dependencies)) {
      expect(existsSync(join(root, 'app/node_modules', name, 'package.json')), name).toBe(true);
    }
  });

  it('has none of the lock file’s dev-only packages', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith('node_modules/') && entry.dev === true)
      .map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/vitest']));
    const present = devOnly.filter((path) => existsSync(join(root, 'app', path)));
    expect(present).toEqual([]);
  });

  it('bakes in no secrets, no npm configuration, cache or logs, and nothing of the build-time CA mount', () => {
    const secretLike = /(TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|SESSION|CREDENTIAL|PRIVATE)/i;
    expect(config.Env.map((e) => e.split('=')[0]).filter((name) => secretLike.test(name!))).toEqual([]);
    const keyId = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;
    for (const step of history) expect(step.created_by ?? '', step.created_by).not.toMatch(keyId);
    const credentialFiles = files.filter(
      ([path]) =>
        !path.startsWith('/app/node_modules/') &&
        (/\/\.(npmrc|env(\..*)?|netrc|git-credentials|docker\/config\.json)$/.test(path) ||
          /\/\.aws(\/|$)|\/\.ssh(\/|$)/.test(path) ||
          /\/(token|id_rsa|id_ed25519)$/.test(path)),
    );
    expect(credentialFiles.map(([path]) => path)).toEqual([]);
    // npm's global config directory was the build-time mount point; it stays empty.
    expect(readdirSync(join(root, 'usr/local/etc'))).toEqual([]);
    expect(existsSync(join(root, 'root/.npm')), '/root/.npm: npm cache and debug logs').toBe(false);
    for (const dir of TEMP_DIRS) expect(readdirSync(join(root, dir)), dir).toEqual([]);
    expect(existsSync(join(root, 'etc/lfcs'))).toBe(false);
  });

  it('gives its user nothing writable but the world-writable temp directories (covered read-only when serving)', async () => {
    // Root-owned and read-only for UID 65532: /app and everything else.
    for (const [path, stats] of files.filter(([p, s]) => p.startsWith('/app') && !s.isSymbolicLink())) {
      expect(stats.uid, path).toBe(0);
      expect(stats.mode & 0o022, path).toBe(0);
    }
    const writable = await runIn(ctr, ['find', '/', '-xdev', '-writable', '-not', '-type', 'l'], { user: config.User });
    expect(writable.stdout.trim().split('\n').sort()).toEqual([...TEMP_DIRS].sort());
  });
});

describe('serving from the image against the emulator on the host loopback', { timeout: 60_000 }, () => {
  let emulator: Spawned;
  let sidecar: Spawned;
  let ctr: string;
  let tokenDir: string;
  let credentialsUrl: string;
  let adminUrl: string;
  let listening: Record<string, unknown>;
  const token = () => readFileSync(join(tokenDir, 'token'), 'utf8');

  beforeAll(async () => {
    expect(
      await portIsFree(HEALTHCHECK_PORT),
      `port ${HEALTHCHECK_PORT} (the image's HEALTHCHECK probes it) must be free on 127.0.0.1`,
    ).toBe(true);
    emulator = spawnLfcs(['emulator', '--catalog', join(repoRoot, 'examples/demo-catalog.yaml'), '--port', '0']);
    const emulatorLine = await emulator.waitForLine(/listening at http:\/\/127\.0\.0\.1:\d+/);
    const emulatorUrl = emulatorLine.match(/(http:\/\/127\.0\.0\.1:\d+)/)![1]!;

    const catalog = parse(readFileSync(join(repoRoot, 'examples/demo-catalog.yaml'), 'utf8')) as {
      principals: Array<{ name: string; accessKeyId: string; secretAccessKey: string }>;
    };
    const principal = catalog.principals.find((p) => p.name === 'sidecar')!;

    const configDir = join(scratch, 'etc-lfcs');
    tokenDir = join(scratch, 'token');
    const empty = join(scratch, 'empty');
    mkdirSync(configDir);
    mkdirSync(empty);
    mkdirSync(tokenDir, { mode: 0o700 });
    chownSync(tokenDir, 65532, 65532); // as the chart's fsGroup makes the emptyDir the sidecar's
    writeFileSync(
      join(configDir, 'config.yaml'),
      [
        'region: us-east-1',
        `upstream: { endpoint: "${emulatorUrl}" }`,
        'listen: { host: 127.0.0.1, port: 0 }',
        `admin: { host: 127.0.0.1, port: ${HEALTHCHECK_PORT} }`,
        'auth: { tokenFile: /var/run/lfcs/token }', // the chart's path
        `profiles: { orders: { tableArn: "${ORDERS_ARN}" } }`,
        'shutdown: { drainSeconds: 3, graceSeconds: 15 }',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );

    ctr = await newContainer();
    const args = runArgs(ctr, [...config.Entrypoint, ...config.Cmd], {
      user: config.User,
      volumes: [
        `${configDir}:/etc/lfcs:ro`,
        // /var/run is a symlink to /run in the image: mount at the target.
        `${tokenDir}:/run/lfcs`,
        ...TEMP_DIRS.map((dir) => `${empty}:${dir}:ro`),
      ],
      env: { AWS_ACCESS_KEY_ID: principal.accessKeyId, AWS_SECRET_ACCESS_KEY: principal.secretAccessKey },
    });
    sidecar = spawnProcess('buildah', args, process.env);
    listening = await sidecar.waitForLog((line) => line['msg'] === 'lfcs listening', 30_000);
    credentialsUrl = listening['credentials'] as string;
    adminUrl = listening['admin'] as string;
  }, 120_000);

  afterAll(async () => {
    await sidecar?.kill();
    await emulator?.kill();
    if (ctr) await removeContainer(ctr);
  });

  it('runs with the V8 heap options lfcs derives itself (no chart, no NODE_OPTIONS)', () => {
    // buildah's chroot isolation shares this machine's cgroup: the same limit lfcs read in the container.
    const expected = v8Flags(deriveV8Options({ maxEntries: 10_000, memoryLimitBytes: readMemoryLimit() }));
    expect(listening['v8']).toMatchObject({ source: 'lfcs', flags: expected });
  });

  it('writes the token file into the mounted directory only', () => {
    const stats = lstatSync(join(tokenDir, 'token'));
    expect(stats.uid).toBe(65532);
    expect(stats.mode & 0o777).toBe(0o440);
    expect(token().length).toBeGreaterThanOrEqual(32);
  });

  it('answers a credentials request with credentials vended by the emulator', async () => {
    const res = await fetch(`${credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: token() } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body['AccessKeyId']).toMatch(/^ASIA[A-Z0-9]{16}$/);
    // Lengths only: a failed assertion must not print key material.
    expect(body['SecretAccessKey']?.length).toBe(40);
    expect((body['Token']?.length ?? 0) > 0).toBe(true);
    expect(Date.parse(body['Expiration']!)).toBeGreaterThan(Date.now());
    expect(body['AccountId']).toBe('123456789012');
    expect((await fetch(`${credentialsUrl}/v1/credentials/orders`)).status).toBe(401);
  });

  it('answers /readyz and /metrics on the admin listener', async () => {
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(metrics).toContain(`lfcs_build_info{version="${pkg.version}"} 1`);
    expect(metrics).toMatch(/lfcs_http_requests_total\{[^}]*route="profile"[^}]*code="200"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/lfcs_upstream_requests_total\{[^}]*outcome="success"[^}]*\} [1-9]/);
  });

  it("passes the image's own HEALTHCHECK command", async () => {
    const check = await runIn(ctr, config.Healthcheck!.Test.slice(1), { user: config.User });
    expect(check.code).toBe(0);
  });

  it('drains on SIGTERM (not ready, still serving), then exits 0, after which the HEALTHCHECK fails', async () => {
    const node = await pollUntil('the containerised node process', () =>
      descendants(sidecar.child.pid!).find((pid) => {
        try {
          return isNode(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/app/dist/cli/main.js');
        } catch {
          return false;
        }
      }),
    );
    // Re-executed in place (same PID, PID 1 in a container), not a child: one node process, with the heap flags.
    expect(readFileSync(`/proc/${node}/cmdline`, 'utf8')).toContain('--max-old-space-size=');
    expect(descendants(sidecar.child.pid!).filter(isNode)).toEqual([node]);
    process.kill(node, 'SIGTERM');
    await pollUntil('readiness to turn 503', async () => ((await fetch(`${adminUrl}/readyz`)).status === 503 ? true : undefined), 5_000);
    // Within drainSeconds (3) the credentials listener still serves.
    expect((await fetch(`${credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: token() } })).status).toBe(200);
    expect(await sidecar.exited).toBe(0);
    expect(sidecar.stdout()).toContain('"msg":"shutting down"');
    expect(sidecar.stdout()).toContain('"msg":"stopped"');
    const check = await runIn(ctr, config.Healthcheck!.Test.slice(1), { user: config.User });
    expect(check.code).not.toBe(0);
  });
});
