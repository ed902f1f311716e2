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
 * - the EKS Pod Identity Agent v0.1.37 (`server`). The Go module proxy does
 *   not serve it (403 under both its module path, go.amzn.com/eks/..., and
 *   its repository's); the bench asks once and uses the proxy if it ever
 *   does, and otherwise exports the release commit with `git archive` from a
 *   git clone or snapshot of github.com/aws/eks-pod-identity-agent named by
 *   LFCS_BENCH_EKS_AGENT_GIT (default /work/.mirror/aws+eks-pod-identity-agent/repo
 *   when that exists) into .tools/src, and builds it there with its
 *   dependencies from the Go module proxy. Two changes are made to the
 *   exported tree, never to the agent's code paths on a hit: its listener
 *   rate limit (a constant, 1,000 requests/s with bursts of 500; anything
 *   over answers 429) is raised as lfcs's is, and, while the proxy refuses
 *   the AWS SDK's EKS Auth client module, that module is replaced by
 *   bench/servers/eks-auth-client (SigV4 by the SDK's signer, same wire
 *   shape), which only a cache miss calls. Its upstream, EKS Auth, is a
 *   stand-in on 127.0.0.1 (bench/servers/eks-auth.mjs). Without a source
 *   the agent is reported as not measured, with how to obtain it.
 * Bare node:http (bench/servers/bare-http.mjs) is the Node ceiling.
 *
 * Everything listens on 127.0.0.1; every loop is bounded; every process is
 * stopped by its PID. `node bench/peers.mjs` runs this part alone (after
 * `npm run build`), the cost curve included unless BENCH_COST_CURVE=0;
 * run.mjs includes it in `npm run bench`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
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
import { serviceAccountToken, startEksAuthStandIn } from './servers/eks-auth.mjs';
import { wrk } from './wrk.mjs';

const TOOLS = join(ROOT, '.tools/bin');
const AWS_VAULT = { module: 'github.com/99designs/aws-vault/v7', version: 'v7.2.0' };
const EKS_AGENT = {
  // The module path its go.mod declares, then the repository's path: the proxy refuses both (403).
  modules: ['go.amzn.com/eks/eks-pod-identity-agent', 'github.com/aws/eks-pod-identity-agent'],
  repository: 'github.com/aws/eks-pod-identity-agent',
  version: 'v0.1.37',
  // The commit the v0.1.37 tag names ("release 0.1.37"); a snapshot whose tag says otherwise is refused.
  commit: 'd4dc0f3fedd795b26ac88755238867a2110c7460',
};
const EKS_AGENT_GIT_DEFAULT = '/work/.mirror/aws+eks-pod-identity-agent/repo';
const EKS_AUTH_CLIENT_MODULE = 'github.com/aws/aws-sdk-go-v2/service/eksauth';
/** The Host a pod sends to the agent, which refuses any other (bench/servers/eks-agent-host.lua sends it under wrk). */
const EKS_AGENT_HOST = '169.254.170.23';
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
  const spec = AWS_VAULT;
  const bin = join(TOOLS, `aws-vault-${spec.version}`);
  if (existsSync(bin)) peers.awsVault = { bin, ...spec };
  else {
    try {
      log(`building ${spec.module}@${spec.version} from the Go module proxy`);
      const dir = downloadModule(spec);
      go(['build', '-trimpath', '-o', bin, '.'], { cwd: dir });
      peers.awsVault = { bin, ...spec };
    } catch (err) {
      peers.awsVault = { missing: `${spec.module}@${spec.version}: ${proxyRefusal(err)}`, ...spec };
      log(`  not measured: ${peers.awsVault.missing}`);
    }
  }
  peers.eksAgent = ensureEksAgent();
  peers.imageNode = ensureImageNode();
  return peers;
}

/** The Node the image ships (scripts/image-node.sh installs it into .tools/), for lfcs and bare node:http on it beside the machine's. */
function ensureImageNode() {
  try {
    const bin = execFileSync('bash', [join(ROOT, 'scripts/image-node.sh')], { encoding: 'utf8', timeout: 300_000 }).trim();
    const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
    return { bin, version };
  } catch (err) {
    const missing = `the image's Node: ${err.message.split('\n')[0]}`;
    log(`  not measured: ${missing}`);
    return { missing };
  }
}

/** A module proxy refusal in short: its own words name its host, so only the status is kept. */
function proxyRefusal(err) {
  const status = /\b(\d{3} [A-Z][A-Za-z ]+)/.exec(err.message)?.[1];
  return status ? `not served by the Go module proxy (${status.trim()})` : err.message;
}

/**
 * The EKS Pod Identity Agent's source tree for EKS_AGENT.version, writable,
 * in .tools/src: from the Go module proxy if it serves the module (asked
 * once per build), else exported with `git archive` from the git snapshot
 * LFCS_BENCH_EKS_AGENT_GIT names. Returns {dir, obtained} or {missing}.
 */
function eksAgentSource() {
  const dir = join(ROOT, '.tools/src', `eks-pod-identity-agent-${EKS_AGENT.version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(ROOT, '.tools/src'), { recursive: true });
  const refusals = [];
  for (const module of EKS_AGENT.modules) {
    try {
      const cached = downloadModule({ module, version: EKS_AGENT.version });
      // The module cache is read-only; the build edits its copy.
      cpSync(cached, dir, { recursive: true });
      execFileSync('chmod', ['-R', 'u+w', dir]);
      return { dir, obtained: `Go module proxy (${module}@${EKS_AGENT.version})` };
    } catch (err) {
      refusals.push(`${module}: ${proxyRefusal(err)}`);
    }
  }
  log(`  ${refusals.join('; ')}`);
  const gitDir = process.env.LFCS_BENCH_EKS_AGENT_GIT || (existsSync(EKS_AGENT_GIT_DEFAULT) ? EKS_AGENT_GIT_DEFAULT : undefined);
  const howTo = `set LFCS_BENCH_EKS_AGENT_GIT to a git clone of ${EKS_AGENT.repository} that has the tag ${EKS_AGENT.version}`;
  if (!gitDir) return { missing: `${refusals.join('; ')}; no git snapshot of ${EKS_AGENT.repository}: ${howTo}` };
  if (!existsSync(gitDir)) return { missing: `${refusals.join('; ')}; LFCS_BENCH_EKS_AGENT_GIT=${gitDir} does not exist: ${howTo}` };
  // A bare snapshot, or a clone with a work tree.
  const gitDirectory = existsSync(join(gitDir, '.git')) ? join(gitDir, '.git') : gitDir;
  const git = (args) => execFileSync('git', ['--git-dir', gitDirectory, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let commit;
  try {
    commit = git(['rev-parse', '--verify', `refs/tags/${EKS_AGENT.version}^{commit}`]).trim();
  } catch {
    return { missing: `${gitDir} has no tag ${EKS_AGENT.version}: ${howTo}` };
  }
  if (commit !== EKS_AGENT.commit) {
    return { missing: `tag ${EKS_AGENT.version} in ${gitDir} names ${commit}, not the release commit ${EKS_AGENT.commit}` };
  }
  const tar = join(ROOT, '.tools/src', `eks-pod-identity-agent-${EKS_AGENT.version}.tar`);
  git(['archive', '--format=tar', '-o', tar, commit]);
  mkdirSync(dir);
  execFileSync('tar', ['-xf', tar, '-C', dir]);
  rmSync(tar);
  return { dir, obtained: `git archive of tag ${EKS_AGENT.version} (commit ${commit.slice(0, 12)}) from the git snapshot ${gitDir}` };
}

/**
 * Builds (once) the EKS Pod Identity Agent into .tools/bin, with the two
 * edits the header describes, and writes how it was obtained beside it.
 */
function ensureEksAgent() {
  const spec = { version: EKS_AGENT.version, repository: EKS_AGENT.repository };
  const bin = join(TOOLS, `eks-pod-identity-agent-${EKS_AGENT.version}-bench`);
  const provenance = `${bin}.json`;
  if (existsSync(bin) && existsSync(provenance)) return { bin, ...spec, ...JSON.parse(readFileSync(provenance, 'utf8')) };
  log(`building the EKS Pod Identity Agent ${EKS_AGENT.version}`);
  let source;
  try {
    source = eksAgentSource();
  } catch (err) {
    source = {
      missing: String(err.stderr || err.message)
        .trim()
        .split('\n')[0],
    };
  }
  if (source.missing) {
    const missing = `EKS Pod Identity Agent ${EKS_AGENT.version}: ${source.missing}`;
    log(`  not measured: ${missing}`);
    return { missing, ...spec };
  }
  const { dir } = source;
  const changes = [];
  // Its credentials listener allows 1,000 requests/s (bursts of 500) and answers 429 past that; lfcs is
  // measured with its listener limit raised, and so is the agent, or wrk would count mostly 429s.
  const configGo = join(dir, 'configuration/config.go');
  const text = readFileSync(configGo, 'utf8');
  const limit = /const RequestRate = 1000\n/;
  if (!limit.test(text))
    return { missing: `EKS Pod Identity Agent ${EKS_AGENT.version}: configuration.RequestRate is not 1000 in this tree`, ...spec };
  writeFileSync(configGo, text.replace(limit, 'const RequestRate = 1000000\n'));
  changes.push('configuration.RequestRate raised from 1000 to 1000000 requests/s');
  const ldflags = `-X go.amzn.com/eks/eks-pod-identity-agent/configuration.AgentVersion=${EKS_AGENT.version}`;
  const build = () => go(['build', '-trimpath', '-ldflags', ldflags, '-o', bin, '.'], { cwd: dir });
  try {
    try {
      build();
    } catch (err) {
      const output = `${err.stderr ?? ''}${err.message}`;
      if (!output.includes(`${EKS_AUTH_CLIENT_MODULE}@`)) throw err;
      const refused = /\b(\d{3} [A-Z][A-Za-z ]+)/.exec(output)?.[1]?.trim() ?? 'not downloadable';
      log(`  ${EKS_AUTH_CLIENT_MODULE}: not served by the Go module proxy (${refused}); using bench/servers/eks-auth-client`);
      go(['mod', 'edit', '-replace', `${EKS_AUTH_CLIENT_MODULE}=${join(ROOT, 'bench/servers/eks-auth-client')}`], { cwd: dir });
      changes.push(
        `${EKS_AUTH_CLIENT_MODULE} (not served by the Go module proxy: ${refused}) replaced by bench/servers/eks-auth-client; called on a cache miss only`,
      );
      build();
    }
  } catch (err) {
    const missing = `EKS Pod Identity Agent ${EKS_AGENT.version}: go build failed: ${String(err.stderr ?? err.message)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' / ')}`;
    log(`  not measured: ${missing}`);
    return { missing, ...spec };
  }
  const record = { obtained: source.obtained, changes };
  writeFileSync(provenance, `${JSON.stringify(record, null, 2)}\n`);
  log(`  built ${bin}: ${record.obtained}; ${changes.join('; ')}`);
  return { bin, ...spec, ...record };
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

/** A free TCP port on 127.0.0.1, for a server that takes its port on the command line. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** GET url until it answers 200 (every 5 ms, at most 30 s); resolves the time from `started`, or rejects. */
async function pollReady(url, started, child, what) {
  for (let i = 0; i < 6000 && child.exitCode === null && child.signalCode === null; i++) {
    const status = await new Promise((resolve) => {
      const req = http.get(url, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(0));
    });
    if (status === 200) return performance.now() - started;
    await sleep(5);
  }
  throw new Error(`${what}: ${url} never answered 200`);
}

/** lfcs serve on `node` (default this Node), its profile route as the URL. */
async function startLfcs(emu, node) {
  const s = await spawnServe({ endpoint: emu.url, config: HIGH_RATE_LIMIT, ...(node && { node }) });
  return { pid: s.pid, url: `${s.credentialsUrl}/v1/credentials/orders`, token: s.token, readyMs: s.readyMs, stop: () => s.stop() };
}

/** Bare node:http on `node` (default this Node); ready when it printed its URL. */
async function startNodeHttp(node) {
  const started = performance.now();
  const s = await spawnScript('servers/bare-http.mjs', [], [], node);
  return { pid: s.pid, url: `${s.url}/v1/credentials/orders`, token: s.token, readyMs: performance.now() - started, stop: () => s.stop() };
}

const starters = {
  lfcs: (emu) => startLfcs(emu),
  lfcsImageNode: (emu, peers) => startLfcs(emu, peers.imageNode.bin),
  nodeHttp: () => startNodeHttp(),
  nodeHttpImageNode: (_emu, peers) => startNodeHttp(peers.imageNode.bin),
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
      url: `${url.replace(/\/$/, '')}/`,
      token,
      readyMs: s.readyMs,
      stop: () => stopPid(s.pid, s.exited, [Number(shellPid)]),
    };
  },
  async eksAgent(_emu, peers, ctx) {
    const [port, probePort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const started = performance.now();
    // Its defaults bind 169.254.170.23:80, [fd00:ec2::23]:80, the probes on localhost and the metrics on
    // 0.0.0.0: every listener is put on 127.0.0.1. Its log (one JSON line per request at its default
    // verbosity, on stdout) goes to /dev/null; stderr is kept for a failed start.
    const child = spawn(
      peers.eksAgent.bin,
      [
        'server',
        '--cluster-name',
        'bench',
        '--bind-hosts',
        '127.0.0.1',
        '--port',
        String(port),
        '--probe-port',
        String(probePort),
        '--metrics-address',
        '127.0.0.1',
        '--metrics-port',
        String(metricsPort),
        '--endpoint',
        ctx.eksAuth.url,
      ],
      { env: ctx.eksAgentEnv, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    let readyMs;
    try {
      // Its own readiness probe: /readyz answers 200 once the credentials listener answers.
      readyMs = await pollReady(`http://127.0.0.1:${probePort}/readyz`, started, child, 'EKS Pod Identity Agent');
    } catch (e) {
      await stopPid(child.pid, exited);
      throw new Error(`${e.message}\n${err}`);
    }
    return {
      pid: child.pid,
      url: `http://127.0.0.1:${port}/v1/credentials`,
      token: ctx.eksAgentToken,
      headers: { host: EKS_AGENT_HOST },
      wrkScript: join(ROOT, 'bench/servers/eks-agent-host.lua'),
      readyMs,
      stop: () => stopPid(child.pid, exited),
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
  let eksAuth;
  const names = ['lfcs', 'nodeHttp', 'bareGo'];
  if (peers.imageNode.bin) names.splice(2, 0, 'lfcsImageNode', 'nodeHttpImageNode');
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
    if (peers.eksAgent.bin) {
      eksAuth = await startEksAuthStandIn();
      ctx.eksAuth = eksAuth;
      ctx.eksAgentToken = serviceAccountToken();
      // Base credentials and region as a node role would give them, fake; no IMDS, no shared files (HOME is empty).
      ctx.eksAgentEnv = {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_ACCESS_KEY_ID: 'AKIALFCSBENCH0000002',
        AWS_SECRET_ACCESS_KEY: 'e'.repeat(40),
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      names.push('eksAgent');
    }

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
        // The first request fills a cache where the server has one (lfcs, the EKS Pod Identity Agent).
        const primed = await get(agent, s.url, { authorization: s.token, ...s.headers });
        let body;
        try {
          body = JSON.parse(primed.body);
        } catch {}
        if (primed.status !== 200 || typeof body?.AccessKeyId !== 'string' || typeof body?.Token !== 'string') {
          throw new Error(`${name}: priming request answered ${primed.status}, not credentials: ${primed.body.slice(0, 120)}`);
        }
        await wrk(s.url, { token: s.token, seconds: 1, script: s.wrkScript }); // warm-up
      }
      agent.destroy();
      const runs = Object.fromEntries(names.map((n) => [n, []]));
      for (let i = 0; i < rounds; i++) {
        for (const name of names) {
          const s = running[name];
          const { result, maxRss } = await withRssSampling(s.pid, () =>
            wrk(s.url, { token: s.token, seconds, connections: 16, script: s.wrkScript }),
          );
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
      ...(eksAuth && {
        eksAgent: { obtained: peers.eksAgent.obtained, changes: peers.eksAgent.changes },
        // One per priming request of the hit-path run: every other answer came from the agent's cache.
        eksAuthCallsForEksAgent: eksAuth.calls(),
      }),
      nodes: { machine: process.version, image: peers.imageNode.version },
      notMeasured: Object.values(peers)
        .filter((p) => p.missing)
        .map((p) => p.missing),
      servers: figures,
    };
  } finally {
    await stsStandIn?.close();
    await eksAuth?.close();
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
export async function costCurve(emu, { sizes = [1, 1_000, 10_000, 100_000], seconds = 5, node = process.execPath } = {}) {
  const rows = [];
  for (const entries of sizes) {
    const maxEntries = Math.max(entries, 10_000);
    const s = await spawnServe({
      node,
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
    node: node === process.execPath ? process.version : execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(),
    method:
      'fill through the dynamic route with 32 clients, 3 s idle, then RSS and heap used (lfcs_nodejs_heap_size_used_bytes); wrk -c16 on the profile route, then on the dynamic route over every cached key (bench/dynamic-keys.lua)',
    rows,
  };
}

export function peersSummary(p, ...curves) {
  const lines = [
    '',
    '| server | hit path, lfcs / it | req/s | p99 ms | non-2xx | start to ready ms | idle RSS MiB | RSS under load MiB |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const label = {
    lfcs: `\`lfcs serve\`, Node ${p.nodes.machine}`,
    nodeHttp: `bare \`node:http\`, same token check, Node ${p.nodes.machine}`,
    lfcsImageNode: `\`lfcs serve\`, Node ${p.nodes.image} (the image's)`,
    nodeHttpImageNode: `bare \`node:http\`, same token check, Node ${p.nodes.image}`,
    bareGo: 'bare Go `net/http`, same token check',
    awsVault: `aws-vault ${AWS_VAULT.version} \`exec --ecs-server\``,
    eksAgent: `EKS Pod Identity Agent ${EKS_AGENT.version} \`server\`, cache warm`,
  };
  for (const [name, f] of Object.entries(p.servers)) {
    lines.push(
      `| ${label[name]} | ${f.lfcsThroughputRatio} | ${f.reqPerSec} | ${f.p99Ms} | ${f.non2xx} | ${f.startToReadyMs} | ${f.idleRssMiB} | ${f.rssUnderLoadMiB} |`,
    );
  }
  for (const missing of p.notMeasured) lines.push(`| not measured: ${missing} | | | | | | | |`);
  if (p.eksAgent) {
    lines.push(
      '',
      `EKS Pod Identity Agent: ${p.eksAgent.obtained}; ${p.eksAgent.changes.join('; ')}. EKS Auth stand-in calls: ${p.eksAuthCallsForEksAgent}.`,
    );
  }
  for (const curve of curves.filter(Boolean)) {
    lines.push(
      '',
      `Cost curve, Node ${curve.node}:`,
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
    if (process.env.BENCH_COST_CURVE !== '0') {
      result.costCurve = await costCurve(emu, { seconds });
      if (peers.imageNode.bin) result.costCurveImageNode = await costCurve(emu, { seconds, node: peers.imageNode.bin });
    }
    console.log(peersSummary(result.peers, result.costCurve, result.costCurveImageNode));
    console.log('BEGIN_BENCH_JSON');
    console.log(JSON.stringify(result, null, 2));
    console.log('END_BENCH_JSON');
  } finally {
    await emu.close();
  }
}
