/**
 * lfcs beside the servers a user would otherwise run for the same protocol,
 * in one run: the container-credentials hit path (wrk, 16 connections,
 * alternating rounds), p99, start to ready, idle RSS and RSS under load; and
 * the cost curve of lfcs with 1, 1k, 10k and 100k cached leases (RSS, heap per
 * lease, p99 on the dynamic and profile routes).
 *
 * Peers, built at bench time into .tools/bin (ignored by git), never vendored:
 * - a bare Go net/http server doing the same SHA-256 token check
 *   (bench/servers/bare-go, our own code);
 * - aws-vault v7.2.0's `exec --ecs-server`, from the Go module proxy
 *   (`go mod download` + `go build`: `go install ...@v7.2.0` fails because the
 *   proxy refuses the module's version list, which go install reads for its
 *   deprecation notice). aws-vault's server gets its credentials from STS
 *   GetSessionToken once; STS is answered by a stand-in on 127.0.0.1 reached
 *   through HTTPS_PROXY with a throw-away CA (SSL_CERT_FILE), so nothing
 *   leaves this machine;
 * - the EKS Pod Identity Agent, when the Go module proxy serves it (it did
 *   not when this was written: see bench/RESULTS.md for how to obtain it).
 * Bare node:http (bench/servers/bare-http.mjs) is the Node ceiling.
 *
 * Everything listens on 127.0.0.1; every loop is bounded; every process is
 * stopped by its PID. `node bench/peers.mjs` runs this part alone (after
 * `npm run build`); run.mjs includes it in `npm run bench`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import {
  MiB,
  ORDERS_ARN,
  ROOT,
  fillDynamicLeases,
  get,
  machine,
  round,
  rssOf,
  sleep,
  spawnScript,
  spawnServe,
  startBenchEmulator,
} from './lib.mjs';
import { wrk } from './wrk.mjs';

const TOOLS = join(ROOT, '.tools/bin');
const AWS_VAULT = { module: 'github.com/99designs/aws-vault/v7', version: 'v7.2.0' };
const EKS_AGENT = { module: 'github.com/aws/eks-pod-identity-agent', version: 'v0.1.37' };
const HIGH_RATE_LIMIT = { rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } };
const log = (...args) => console.error('[peers]', ...args);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// ---------------------------------------------------------------- building the peers

function go(args, options = {}) {
  return execFileSync('go', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 900_000, ...options });
}

/** A Go module's source directory in the module cache, downloaded from the module proxy. */
function downloadModule({ module, version }) {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-peer-mod-'));
  try {
    const info = JSON.parse(go(['mod', 'download', '-json', `${module}@${version}`], { cwd: dir }));
    if (info.Error) throw new Error(info.Error);
    return info.Dir;
  } catch (err) {
    const text = String(err.stdout ?? '') || err.message;
    let reason = text;
    try {
      reason = JSON.parse(text).Error ?? text;
    } catch {}
    throw new Error(reason.split('\n')[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds (once) every peer; a peer that cannot be obtained is reported with the reason. */
export function ensurePeers() {
  mkdirSync(TOOLS, { recursive: true });
  const peers = {};
  const bareGo = join(TOOLS, 'bare-go-http');
  if (!existsSync(bareGo)) go(['build', '-trimpath', '-o', bareGo, '.'], { cwd: join(ROOT, 'bench/servers/bare-go') });
  peers.bareGo = { bin: bareGo };
  for (const [name, spec] of [
    ['awsVault', AWS_VAULT],
    ['eksAgent', EKS_AGENT],
  ]) {
    const bin = join(
      TOOLS,
      `${spec.module
        .split('/')
        .filter((p) => !/^v\d+$/.test(p))
        .at(-1)}-${spec.version}`,
    );
    if (existsSync(bin)) {
      peers[name] = { bin, ...spec };
      continue;
    }
    try {
      log(`building ${spec.module}@${spec.version} from the Go module proxy`);
      const dir = downloadModule(spec);
      go(['build', '-trimpath', '-o', bin, '.'], { cwd: dir });
      peers[name] = { bin, ...spec };
    } catch (err) {
      // The proxy's own words name its host: keep only the status.
      const status = /\b(\d{3} [A-Z][A-Za-z ]+)/.exec(err.message)?.[1];
      peers[name] = {
        missing: `${spec.module}@${spec.version}: ${status ? `not served by the Go module proxy (${status.trim()})` : err.message}`,
        ...spec,
      };
      log(`  not measured: ${peers[name].missing}`);
    }
  }
  return peers;
}

// ---------------------------------------------------------------- STS stand-in for aws-vault

/**
 * An HTTPS proxy on 127.0.0.1 that answers STS itself: CONNECT to an STS
 * host is accepted and its TLS terminated with a certificate from a CA made
 * here (openssl), whose file the client trusts through SSL_CERT_FILE; every
 * other host is refused. GetSessionToken answers a fixed session.
 */
async function startStsStandIn(dir) {
  const openssl = (args) => execFileSync('openssl', args, { stdio: 'ignore', cwd: dir });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=lfcs bench STS stand-in CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'sts.key', '-out', 'sts.csr', '-subj', '/CN=sts.amazonaws.com']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:sts.amazonaws.com,DNS:sts.us-east-1.amazonaws.com\n');
  openssl([
    'x509',
    '-req',
    '-in',
    'sts.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'sts.crt',
    '-days',
    '1',
    '-extfile',
    'san.ext',
  ]);
  const key = readFileSync(join(dir, 'sts.key'));
  const cert = readFileSync(join(dir, 'sts.crt'));
  let calls = 0;
  const sts = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls += 1;
      const action = new URLSearchParams(body).get('Action');
      if (action !== 'GetSessionToken') {
        res
          .writeHead(400, { 'Content-Type': 'text/xml' })
          .end(`<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`);
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      res
        .writeHead(200, { 'Content-Type': 'text/xml' })
        .end(
          '<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>' +
            `<AccessKeyId>ASIALFCSBENCH0000001</AccessKeyId><SecretAccessKey>${'s'.repeat(40)}</SecretAccessKey>` +
            `<SessionToken>IQoJb3JpZ2luX2Vj${'t'.repeat(480)}</SessionToken><Expiration>${expiration}</Expiration>` +
            '</Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>lfcs-bench</RequestId></ResponseMetadata></GetSessionTokenResponse>',
        );
    });
  });
  const proxy = http.createServer((_req, res) => res.writeHead(403).end());
  proxy.on('connect', (req, socket) => {
    if (!/^sts(\.[a-z0-9-]+)?\.amazonaws\.com:443$/.test(req.url ?? '')) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    sts.emit('connection', new TLSSocket(socket, { isServer: true, key, cert }));
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    proxyUrl: `http://127.0.0.1:${proxy.address().port}`,
    caFile: join(dir, 'ca.crt'),
    calls: () => calls,
    close: () => new Promise((resolve) => proxy.close(resolve)),
  };
}

// ---------------------------------------------------------------- starting each server

/** A child that prints its listening line on stdout; resolves at the first line matching `pattern`. */
function spawnUntil(bin, args, env, pattern, what) {
  const started = performance.now();
  const child = spawn(bin, args, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.setEncoding('utf8');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let out = '';
  let err = '';
  child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: not ready after 30 s\n${out}\n${err}`));
    }, 30_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = pattern.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, pid: child.pid, match, readyMs: performance.now() - started, exited });
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${what} exited before it was ready\n${out}\n${err}`));
    });
  });
}

async function stopPid(pid, exited, extraPids = []) {
  for (const p of [pid, ...extraPids]) {
    try {
      process.kill(p, 'SIGTERM');
    } catch {}
  }
  const timer = setTimeout(() => {
    for (const p of [pid, ...extraPids]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {}
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

const starters = {
  async lfcs(emu) {
    const s = await spawnServe({ endpoint: emu.url, config: HIGH_RATE_LIMIT });
    return { pid: s.pid, url: `${s.credentialsUrl}/v1/credentials/orders`, token: s.token, readyMs: s.readyMs, stop: () => s.stop() };
  },
  async nodeHttp() {
    const started = performance.now();
    const s = await spawnScript('servers/bare-http.mjs');
    return {
      pid: s.pid,
      url: `${s.url}/v1/credentials/orders`,
      token: s.token,
      readyMs: performance.now() - started,
      stop: () => s.stop(),
    };
  },
  async bareGo(_emu, peers) {
    const s = await spawnUntil(peers.bareGo.bin, [], {}, /^(\{.*\})\n/m, 'bare Go');
    const { url, token } = JSON.parse(s.match[1]);
    return { pid: s.pid, url: `${url}/v1/credentials/orders`, token, readyMs: s.readyMs, stop: () => stopPid(s.pid, s.exited) };
  },
  async awsVault(_emu, peers, ctx) {
    const env = ctx.awsVaultEnv;
    // The subprocess prints the server's URL and token, then waits (bounded) until stopped.
    const s = await spawnUntil(
      peers.awsVault.bin,
      [
        'exec',
        '--ecs-server',
        '--lazy',
        'bench',
        '--',
        'sh',
        '-c',
        'echo "READY $$ $AWS_CONTAINER_CREDENTIALS_FULL_URI $AWS_CONTAINER_AUTHORIZATION_TOKEN"; exec sleep 900',
      ],
      env,
      /^READY (\d+) (\S+) (\S+)$/m,
      'aws-vault',
    );
    const [, shellPid, url, token] = s.match;
    return {
      pid: s.pid,
      url: url.replace(/\/$/, '') + '/',
      token,
      readyMs: s.readyMs,
      stop: () => stopPid(s.pid, s.exited, [Number(shellPid)]),
    };
  },
};

// ---------------------------------------------------------------- the comparison

/** Samples the RSS of pid every 100 ms while `work` runs; resolves with the work's result and the largest RSS. */
async function withRssSampling(pid, work) {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssOf(pid));
    } catch {}
  }, 100);
  try {
    const result = await work();
    return { result, maxRss: max };
  } finally {
    clearInterval(timer);
  }
}

export async function comparePeers(emu, peers, { seconds = 5, rounds = 3, starts = 3 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-peers-'));
  const ctx = {};
  let stsStandIn;
  const names = ['lfcs', 'nodeHttp', 'bareGo'];
  try {
    if (peers.awsVault.bin) {
      stsStandIn = await startStsStandIn(dir);
      writeFileSync(join(dir, 'config'), '[profile bench]\nregion = us-east-1\n');
      // aws-vault refuses --ecs-server with its terminal MFA prompt, and offers another prompt
      // only when its program is on PATH: a stub that always fails (no MFA is configured, so
      // it is never asked).
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin/zenity'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      ctx.awsVaultEnv = {
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, 'config'),
        AWS_VAULT_BACKEND: 'file',
        AWS_VAULT_FILE_DIR: join(dir, 'keyring'),
        AWS_VAULT_FILE_PASSPHRASE: 'lfcs-bench',
        AWS_VAULT_PROMPT: 'zenity', // never asked (no MFA); "terminal" is refused with --ecs-server
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        HTTPS_PROXY: stsStandIn.proxyUrl,
        SSL_CERT_FILE: stsStandIn.caFile,
      };
      execFileSync(peers.awsVault.bin, ['add', '--env', 'bench'], {
        env: { ...ctx.awsVaultEnv, AWS_ACCESS_KEY_ID: 'AKIALFCSBENCH0000001', AWS_SECRET_ACCESS_KEY: 'b'.repeat(40) },
        stdio: 'ignore',
      });
      names.push('awsVault');
    }
    if (peers.eksAgent.bin) log('EKS Pod Identity Agent built, but its upstream (EKS Auth) has no stand-in here: not measured');

    const figures = {};
    for (const name of names) {
      log(`${name}: ${starts} starts, idle RSS`);
      const samples = [];
      for (let i = 0; i < starts; i++) {
        const s = await starters[name](emu, peers, ctx);
        await sleep(2000);
        samples.push({ readyMs: s.readyMs, idleRss: rssOf(s.pid) });
        await s.stop();
      }
      figures[name] = {
        startToReadyMs: round(median(samples.map((s) => s.readyMs)), 0),
        idleRssMiB: MiB(median(samples.map((s) => s.idleRss))),
      };
    }

    log(`hit path: wrk 16 connections, ${rounds} alternating rounds of ${seconds} s`);
    const running = {};
    for (const name of names) running[name] = await starters[name](emu, peers, ctx);
    try {
      const agent = new http.Agent({ keepAlive: true });
      for (const [name, s] of Object.entries(running)) {
        const primed = await get(agent, s.url, { authorization: s.token });
        if (primed.status !== 200) throw new Error(`${name}: priming request answered ${primed.status} ${primed.body.slice(0, 200)}`);
        await wrk(s.url, { token: s.token, seconds: 1 }); // warm-up
      }
      agent.destroy();
      const runs = Object.fromEntries(names.map((n) => [n, []]));
      for (let i = 0; i < rounds; i++) {
        for (const name of names) {
          const s = running[name];
          const { result, maxRss } = await withRssSampling(s.pid, () => wrk(s.url, { token: s.token, seconds, connections: 16 }));
          runs[name].push({ ...result, maxRss });
        }
        log(
          `  round ${i + 1}: ` +
            names.map((n) => `${n} ${round(runs[n].at(-1).reqPerSec, 0)}/s p99 ${round(runs[n].at(-1).p99Ms)} ms`).join('; '),
        );
      }
      for (const name of names) {
        const list = runs[name];
        Object.assign(figures[name], {
          reqPerSec: round(list.reduce((s, r) => s + r.reqPerSec, 0) / list.length, 0),
          p99Ms: round(list.reduce((s, r) => s + r.p99Ms, 0) / list.length, 2),
          non2xx: list.reduce((s, r) => s + r.non2xx, 0),
          rssUnderLoadMiB: MiB(Math.max(...list.map((r) => r.maxRss))),
        });
      }
    } finally {
      for (const s of Object.values(running)) await s.stop();
    }
    for (const name of names) figures[name].lfcsThroughputRatio = round(figures.lfcs.reqPerSec / figures[name].reqPerSec, 2);
    return {
      method: `wrk -t1 -c16, ${rounds} alternating rounds of ${seconds} s each after a 1 s warm-up; RSS sampled every 100 ms during the rounds; start to ready and idle RSS (2 s after ready) are medians of ${starts} starts`,
      ...(stsStandIn && { stsCallsForAwsVault: stsStandIn.calls() }),
      notMeasured: Object.values(peers)
        .filter((p) => p.missing)
        .map((p) => p.missing),
      servers: figures,
    };
  } finally {
    await stsStandIn?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the cost curve

async function metric(adminUrl, name) {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text)?.[1]);
}

/**
 * lfcs serve holding N dynamic leases (filled through the dynamic route,
 * distinct queryIds, one Lake Formation call each), with the V8 options it
 * derives for maxEntries = max(N, 10k) and no memory limit: RSS and heap after
 * the fill, heap per lease against the 1-lease run, and p99 on the profile
 * route and on the dynamic route spread over the N cached keys.
 */
export async function costCurve(emu, { sizes = [1, 1_000, 10_000, 100_000], seconds = 5 } = {}) {
  const rows = [];
  for (const entries of sizes) {
    const maxEntries = Math.max(entries, 10_000);
    const s = await spawnServe({
      endpoint: emu.url,
      config: {
        ...HIGH_RATE_LIMIT,
        upstream: { ratePerSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 64, maxQueuedCalls: 1_000_000 },
        cache: { maxEntries },
      },
    });
    try {
      const started = performance.now();
      const { failed, primedStatus } = await fillDynamicLeases(s, entries);
      const fillSeconds = (performance.now() - started) / 1000;
      await sleep(3000);
      const rss = rssOf(s.pid);
      const heapUsed = await metric(s.adminUrl, 'lfcs_nodejs_heap_size_used_bytes');
      const profile = await wrk(`${s.credentialsUrl}/v1/credentials/orders`, { token: s.token, seconds, connections: 16 });
      const dynamic = await wrk(s.credentialsUrl, {
        token: s.token,
        seconds,
        connections: 16,
        script: join(ROOT, 'bench/dynamic-keys.lua'),
        env: { KEYS: String(entries), TABLE: ORDERS_ARN },
      });
      const row = {
        leases: entries,
        maxEntries,
        fillSeconds: round(fillSeconds, 1),
        failedFills: failed + (primedStatus === 200 ? 0 : 1),
        rssMiB: MiB(rss),
        heapUsedMiB: MiB(heapUsed),
        profileP99Ms: profile.p99Ms,
        profileReqPerSec: round(profile.reqPerSec, 0),
        dynamicP99Ms: dynamic.p99Ms,
        dynamicReqPerSec: round(dynamic.reqPerSec, 0),
        dynamicNon2xx: dynamic.non2xx,
      };
      rows.push(row);
      log('  cost curve:', row);
    } finally {
      await s.stop();
    }
  }
  const base = rows[0];
  for (const row of rows.slice(1)) {
    row.heapBytesPerLease = Math.round(((row.heapUsedMiB - base.heapUsedMiB) * 2 ** 20) / row.leases);
    row.rssBytesPerLease = Math.round(((row.rssMiB - base.rssMiB) * 2 ** 20) / row.leases);
  }
  return {
    method:
      'fill through the dynamic route with 32 clients, 3 s idle, then RSS and heap used (lfcs_nodejs_heap_size_used_bytes); wrk -c16 on the profile route, then on the dynamic route over every cached key (bench/dynamic-keys.lua)',
    rows,
  };
}

export function peersSummary(p, curve) {
  const lines = [
    '',
    '| server | hit path, lfcs / it | req/s | p99 ms | start to ready ms | idle RSS MiB | RSS under load MiB |',
    '|---|---|---|---|---|---|---|',
  ];
  const label = {
    lfcs: '`lfcs serve`',
    nodeHttp: 'bare `node:http`, same token check',
    bareGo: 'bare Go `net/http`, same token check',
    awsVault: `aws-vault ${AWS_VAULT.version} \`exec --ecs-server\``,
  };
  for (const [name, f] of Object.entries(p.servers)) {
    lines.push(
      `| ${label[name]} | ${f.lfcsThroughputRatio} | ${f.reqPerSec} | ${f.p99Ms} | ${f.startToReadyMs} | ${f.idleRssMiB} | ${f.rssUnderLoadMiB} |`,
    );
  }
  for (const missing of p.notMeasured) lines.push(`| not measured: ${missing} | | | | | | |`);
  if (curve) {
    lines.push(
      '',
      '| cached leases | RSS MiB | heap used MiB | heap B/lease | RSS B/lease | profile p99 ms | dynamic p99 ms |',
      '|---|---|---|---|---|---|---|',
    );
    for (const r of curve.rows) {
      lines.push(
        `| ${r.leases} | ${r.rssMiB} | ${r.heapUsedMiB} | ${r.heapBytesPerLease ?? '—'} | ${r.rssBytesPerLease ?? '—'} | ${r.profileP99Ms} | ${r.dynamicP99Ms} |`,
      );
    }
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const seconds = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
  const peers = ensurePeers();
  const emu = await startBenchEmulator();
  try {
    const result = { machine: machine(), peers: await comparePeers(emu, peers, { seconds }) };
    if (process.env.BENCH_COST_CURVE !== '0') result.costCurve = await costCurve(emu, { seconds });
    console.log(peersSummary(result.peers, result.costCurve));
    console.log('BEGIN_BENCH_JSON');
    console.log(JSON.stringify(result, null, 2));
    console.log('END_BENCH_JSON');
  } finally {
    await emu.close();
  }
}
