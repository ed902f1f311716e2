/**
 * Shared helpers for `npm run bench` and `npm run soak`: machine description,
 * percentiles, RSS of a process, an in-process emulator, and `lfcs serve`
 * spawned from dist/ and stopped by its own PID. Everything listens on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { DEMO_PRINCIPAL, loadCatalogFile, parseCatalog, startEmulator } from '../dist/emulator/index.js';
import { deriveV8Options, v8Flags } from '../dist/cli/v8-options.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LFCS_BIN = join(ROOT, 'dist/cli/main.js');
export const DEMO_CATALOG = join(ROOT, 'examples/demo-catalog.yaml');
export const ACCOUNT = '123456789012';
export const ORDERS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/orders`;
export const CUSTOMERS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/customers`;

export function machine() {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {}
  return {
    nproc: cpus().length,
    cpuModel: model,
    memoryTotalMiB: Math.round(totalmem() / 2 ** 20),
    memoryFreeMiB: Math.round(freemem() / 2 ** 20),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

export const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of `pid` in bytes, from /proc (Linux). */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb * 1024;
}

export const MiB = (bytes) => round(bytes / 2 ** 20, 1);

/** Emulator in this process on 127.0.0.1:0. `maxSessionSeconds` overrides the demo catalog's. */
export async function startBenchEmulator({ maxSessionSeconds } = {}) {
  let catalog = await loadCatalogFile(DEMO_CATALOG);
  if (maxSessionSeconds !== undefined) {
    const text = readFileSync(DEMO_CATALOG, 'utf8').replace(/^maxSessionSeconds: \d+$/m, `maxSessionSeconds: ${maxSessionSeconds}`);
    catalog = parseCatalog(text, DEMO_CATALOG);
  }
  const emulator = await startEmulator({ catalog, host: '127.0.0.1', port: 0 });
  const admin = async (path, method = 'GET', body) => {
    const res = await fetch(`${emulator.url}/_emulator/${path}`, {
      method,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return res.json();
  };
  return {
    emulator,
    url: emulator.url,
    stats: () => admin('stats'),
    setFaults: (faults) => admin('faults', 'POST', faults),
    clearFaults: () => admin('faults', 'DELETE'),
    close: () => emulator.close(),
  };
}

/**
 * The node arguments a bench gives `lfcs serve` so that the process it
 * measures is the one serving: none where Node has process.execve (lfcs
 * re-executes itself in place with its own V8 options, same PID, as in the
 * image), else the very flags lfcs derives (no memory limit here), given up
 * front, because lfcs on older Node would run them in a child process.
 */
export function lfcsNodeArgs(maxEntries = 10_000) {
  return typeof process.execve === 'function' ? [] : v8Flags(deriveV8Options({ maxEntries }));
}

/**
 * Spawns `node dist/cli/main.js serve --config <tmp>` (or another build's
 * `bin`) against `endpoint`, with `env` added to its (otherwise bare) environment.
 * Resolves once it logged "lfcs listening" and /readyz answers 200, with the
 * time each took from spawn. `stop()` sends SIGTERM to its PID (SIGKILL after 10 s).
 * `node` is the Node binary, default this one; another is the image's
 * (scripts/image-node.sh, which has process.execve), so it gets no flags.
 */
export async function spawnServe({
  endpoint,
  config = {},
  node = process.execPath,
  nodeArgs = node === process.execPath ? lfcsNodeArgs(config.cache?.maxEntries) : [],
  bin = LFCS_BIN,
  env = {},
}) {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-bench-'));
  const tokenFile = join(dir, 'token');
  const base = {
    region: 'us-east-1',
    upstream: { endpoint },
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    auth: { tokenFile },
    profiles: {
      orders: { tableArn: ORDERS_ARN },
      'orders-2024-01-01': { tableArn: ORDERS_ARN, partition: ['2024-01-01'] },
      customers: { tableArn: CUSTOMERS_ARN, supportedPermissionTypes: ['COLUMN_PERMISSION'] },
    },
    dynamic: { enabled: true, allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/*/*`] },
    prewarm: { enabled: false },
    shutdown: { drainSeconds: 0, graceSeconds: 10 },
    log: { level: 'info' },
  };
  const merged = deepMerge(base, config);
  const configFile = join(dir, 'config.json');
  // YAML is a superset of JSON, so the loader reads this file as is.
  writeFileSync(configFile, JSON.stringify(merged));
  const started = performance.now();
  const child = spawn(node, [...nodeArgs, bin, 'serve', '--config', configFile], {
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const listening = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lfcs serve not listening after 15 s: ${stdout} ${stderr}`)), 15_000);
    child.stdout.on('data', (chunk) => {
      const before = stdout.length;
      stdout += chunk;
      if (stdout.length > 1e6) stdout = stdout.slice(-1e5);
      for (const line of stdout.slice(Math.max(0, before - 2000)).split('\n')) {
        if (!line.includes('"lfcs listening"')) continue;
        try {
          clearTimeout(timer);
          resolve({ at: performance.now(), line: JSON.parse(line) });
        } catch {}
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', () => reject(new Error(`lfcs serve exited early: ${stdout} ${stderr}`)));
  }).catch(async (err) => {
    // Not listening: stop this child by its PID before reporting.
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  const adminUrl = listening.line.admin;
  let readyAt;
  for (let i = 0; i < 1000; i++) {
    const ok = await fetch(`${adminUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) {
      readyAt = performance.now();
      break;
    }
    await sleep(5);
  }
  // Agent mode writes no token file: each pod brings its own token.
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8') : undefined;
  return {
    child,
    pid: child.pid,
    credentialsUrl: listening.line.credentials,
    adminUrl,
    token,
    listeningMs: listening.at - started,
    readyMs: readyAt === undefined ? NaN : readyAt - started,
    stdout: () => stdout,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      }, 10_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Imports a TypeScript helper from test/support (e.g. the OIDC test issuer)
 * without a build step: the typescript package strips its types into
 * bench/results/ts/ (ignored), where its imports resolve from node_modules.
 */
export async function importTestSupport(name) {
  const { default: ts } = await import('typescript');
  const source = readFileSync(join(ROOT, 'test/support', `${name}.ts`), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: `${name}.ts`,
  });
  const dir = join(ROOT, 'bench/results/ts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, outputText);
  return import(file);
}

/** Spawns a bench server script (bench/servers/*.mjs) that prints one JSON line {url, token} when ready. */
export async function spawnScript(script, args = [], nodeArgs = [], node = process.execPath) {
  const child = spawn(node, [...nodeArgs, join(ROOT, 'bench', script), ...args], {
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const first = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return {
    ...first,
    pid: child.pid,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGTERM');
      return exited;
    },
  };
}

/** One GET with a keep-alive agent; resolves {status, ms, body}. */
export function get(agent, url, headers, timeoutMs = 10_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get(url, { agent, headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started, body: Buffer.concat(chunks).toString() }));
      res.on('error', () => resolve({ status: 0, ms: performance.now() - started, body: '' }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, body: String(err.code ?? err.message) }));
  });
}

export function deepMerge(a, b) {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value;
  }
  return out;
}
const isPlain = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

export function met(_value, ok) {
  return ok ? 'yes' : 'no';
}

/**
 * Fills `s` (a spawned `lfcs serve`) with `count` dynamic leases (distinct
 * queryIds for sales.orders, 32 requests at a time), then asks for the
 * `orders` profile once. Returns how many fills failed and the profile's status.
 */
export async function fillDynamicLeases(s, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await get(agent, `${s.credentialsUrl}/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=fill-${i}`, {
        authorization: s.token,
      });
      if (res.status !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const primed = await get(agent, `${s.credentialsUrl}/v1/credentials/orders`, { authorization: s.token });
  agent.destroy();
  return { failed, primedStatus: primed.status };
}
