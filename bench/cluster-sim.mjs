/**
 * `npm run bench:cluster`: a simulated cluster of 50 pods on 5 nodes (10 per
 * node), each pod using 3 tables, in two deployments side by side:
 *
 * - sidecar mode: 50 lfcs instances, one per pod, each with its own cache;
 * - agent mode: 5 lfcs instances in agent mode, one per node, each serving
 *   its node's 10 pods, every pod with its own projected service-account
 *   token (test/support/oidc-issuer.ts), all bound to the 3 profiles.
 *
 * Part 1, Lake Formation calls (simulated time). The emulator, every lfcs
 * instance (started in this process with `startSidecar`, listening on
 * 127.0.0.1) and the clients share one FakeClock; real HTTP and the real SDK
 * client everywhere, calls counted at the emulator. The SDK signs requests
 * with `Date.now()`, so while the simulation runs `Date.now` returns the fake
 * clock's time (otherwise SigV4 timestamps would drift hours from the
 * emulator's clock), and `Math.random` is a seeded generator (the cache's
 * refresh jitter), so a run is deterministic. Time jumps from one event
 * (a timer of an lfcs instance, a client due, a pod start, a token rotation)
 * to the next; after each, the run waits in real time until no upstream call
 * is in flight.
 *
 * The model:
 * - Cold start: the whole cluster starts at t = 0. Sidecar mode: each pod
 *   starts at a seeded random time in [0, 5 s); its sidecar starts with it
 *   (native sidecar: it prewarms its 3 profiles, the chart's default), then
 *   the app's clients fetch. Agent mode: the 5 agents start at t = 0 and
 *   prewarm; the pods start in the same [0, 5 s) and fetch.
 * - Each pod has 3 clients (one per table) that behave like botocore's and
 *   the Java SDK's container providers: fetch at start, then re-fetch when
 *   the served credentials have 15 min (900 s) or less left. (If a fetch ever
 *   returned less than that, the client would fetch again 1 s later, as
 *   botocore does on each API call.) A failed fetch is retried 1 s later.
 * - Leases are 3600 s (defaults.durationSeconds); lfcs runs with its
 *   defaults (background refresh from 30 min left + up to 2 min jitter).
 * - Service-account tokens live 3600 s and are replaced at 80 % of that (the
 *   kubelet's rule); clients send the current one on every fetch.
 * - Cold-start figures cover the first 60 s; the peak is the most calls
 *   counted in one simulated second.
 *
 * Part 2, memory (real processes, real time). 50 `lfcs serve` sidecars and
 * then 5 `lfcs serve` agents are spawned from dist/ (the V8 options lfcs
 * derives under the chart's limit for the default 10,000 entries), against an emulator and an OIDC issuer in
 * this process on 127.0.0.1. Prewarm is off here, so the calls come from the
 * pods: all 50 pods ask for their 3 tables at the same moment (150
 * concurrent requests), which also gives a real-time cold-start count and
 * peak calls per second. After that the RSS of every process is read from
 * /proc; totals are sums over all processes. Each process is stopped by its
 * own PID.
 *
 * Prints a summary, writes bench/cluster.json (BENCH_JSON overrides).
 * BENCH_CLUSTER_HOURS (default 6) shortens or lengthens part 1;
 * BENCH_CLUSTER_MEMORY=0 skips part 2.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseConfig } from '../dist/config/index.js';
import { DEMO_PRINCIPAL, loadCatalogFile, startEmulator } from '../dist/emulator/index.js';
import { createLogger } from '../dist/observability/logger.js';
import { startSidecar } from '../dist/sidecar/sidecar.js';
import { FakeClock } from '../test/support/fake-clock.mjs';
import { chartAndHeap } from './serve-memory.mjs';
import {
  ACCOUNT,
  CUSTOMERS_ARN,
  DEMO_CATALOG,
  MiB,
  ORDERS_ARN,
  ROOT,
  get,
  importTestSupport,
  machine,
  round,
  sleep,
  spawnServe,
  startBenchEmulator,
} from './lib.mjs';

const NODES = 5;
const PODS_PER_NODE = 10;
const HOURS = Number(process.env.BENCH_CLUSTER_HOURS ?? 6);
const MEMORY = process.env.BENCH_CLUSTER_MEMORY !== '0';
if (!(HOURS > 0 && HOURS <= 48)) throw new Error('BENCH_CLUSTER_HOURS must be in (0, 48]');
const COLD_START_SPREAD_MS = 5_000;
const COLD_START_WINDOW_MS = 60_000;
const CLIENT_REFRESH_LEFT_S = 900;
const TOKEN_TTL_S = 3600;
const TOKEN_ROTATE_AT = 0.8;
const SEED = 14;
/** Bounds on the event loop of part 1 (events, and real time waiting for one event's calls). */
const MAX_EVENTS = 1_000_000;
const SETTLE_LIMIT_MS = 10_000;

const RETURNS_ARN = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/returns`;
/** The 3 tables, as profiles (the same in both modes). */
const PROFILES = {
  orders: { tableArn: ORDERS_ARN },
  customers: { tableArn: CUSTOMERS_ARN, supportedPermissionTypes: ['COLUMN_PERMISSION'] },
  returns: { tableArn: RETURNS_ARN },
};
const PROFILE_NAMES = Object.keys(PROFILES);
const BINDINGS = [{ namespace: 'spark', serviceAccount: 'executor', profiles: PROFILE_NAMES }];
const OWN_TOKEN = 'lfcs-own-service-account-token';

/** The `agent` section of node `node`'s lfcs, in both the simulated and the real-process run. */
const agentSection = (node, issuer, dir) => ({
  host: '127.0.0.1',
  port: 0,
  nodeName: `node-${node}`,
  issuerUrl: issuer.url,
  discoveryTokenFile: join(dir, 'own-token'),
  bindings: BINDINGS,
});

const log = (...args) => console.error('[cluster]', ...args);

/** The 50 pods: pod i runs on node i mod 5. */
const PODS = Array.from({ length: NODES * PODS_PER_NODE }, (_, i) => ({
  index: i,
  node: i % NODES,
  claims: { namespace: 'spark', serviceAccount: 'executor', pod: `job-1-exec-${i + 1}`, node: `node-${i % NODES}` },
}));

/** mulberry32: a small seeded generator, so start times and refresh jitter repeat run to run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The FakeClock, with the due time of every pending timer visible, so the run can jump to the next one. */
function trackedClock(fake) {
  const pending = new Map();
  return {
    now: () => fake.now(),
    setTimeout(callback, ms) {
      const handle = fake.setTimeout(() => {
        pending.delete(handle.id);
        callback();
      }, ms);
      pending.set(handle.id, fake.now() + Math.max(0, ms));
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle.id);
      fake.clearTimeout(handle);
    },
    nextTimerAt() {
      let next = Infinity;
      for (const at of pending.values()) if (at < next) next = at;
      return next;
    },
  };
}

/** A log destination that keeps warnings and errors (lfcs logs no secrets) for the report. */
function logSink() {
  const lines = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(line);
      done();
    },
  });
  return { stream, lines };
}

const sumCalls = (stats) => {
  const out = { total: stats.total ?? 0, success: 0, other: {} };
  for (const outcomes of Object.values(stats.calls ?? {})) {
    for (const [outcome, n] of Object.entries(outcomes)) {
      if (outcome === 'success') out.success += n;
      else out.other[outcome] = (out.other[outcome] ?? 0) + n;
    }
  }
  return out;
};

// ---------------------------------------------------------------- part 1

async function simulate(mode, { TestIssuer, catalog }) {
  const startMs = Math.floor(Date.now() / 1000) * 1000;
  const fake = new FakeClock(startMs);
  const clock = trackedClock(fake);
  const realDateNow = Date.now;
  const realRandom = Math.random;
  const random = seeded(SEED);
  const startOffsets = PODS.map(() => Math.floor(random() * COLD_START_SPREAD_MS));
  const dir = mkdtempSync(join(tmpdir(), `lfcs-cluster-${mode}-`));
  const sink = logSink();
  const logger = createLogger({ level: 'warn', destination: sink.stream });
  const emulator = await startEmulator({ catalog, host: '127.0.0.1', port: 0, clock });
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let issuer;
  const instances = [];
  const statuses = {};
  let served = 0;
  let minServedSeconds = Infinity;
  let unsettled = 0;
  let events = 0;
  let tokensMinted = 0;
  const bySecond = new Map();
  const byHour = Array.from({ length: Math.ceil(HOURS) }, () => 0);
  let lastTotal = 0;
  const started = performance.now();

  const stats = async () => sumCalls(await (await fetch(`${emulator.url}/_emulator/stats`)).json());
  const count = async () => {
    const { total } = await stats();
    if (total === lastTotal) return;
    const t = fake.now() - startMs;
    const second = Math.floor(t / 1000);
    bySecond.set(second, (bySecond.get(second) ?? 0) + total - lastTotal);
    byHour[Math.min(byHour.length - 1, Math.floor(t / 3_600_000))] += total - lastTotal;
    lastTotal = total;
  };
  const anyRefreshing = () => instances.some((i) => i.sidecar.cache.entries().some((e) => e.refreshing));
  /** Waits (real time, bounded) until no instance has an upstream call queued or running. */
  const settle = async () => {
    const deadline = performance.now() + SETTLE_LIMIT_MS;
    await new Promise((resolve) => setImmediate(resolve));
    while (anyRefreshing()) {
      if (performance.now() > deadline) {
        unsettled += 1;
        return;
      }
      await sleep(1);
    }
  };

  const startInstance = async (name, extra) => {
    const instanceDir = join(dir, name);
    const config = parseConfig(
      {
        region: 'us-east-1',
        upstream: { endpoint: emulator.url },
        listen: { host: '127.0.0.1', port: 0 },
        admin: { host: '127.0.0.1', port: 0 },
        auth: { tokenFile: join(instanceDir, 'token') },
        profiles: PROFILES,
        shutdown: { drainSeconds: 0 },
        log: { level: 'warn' },
        ...extra,
      },
      `cluster-sim ${name}`,
    );
    const sidecar = await startSidecar({
      config,
      logger: logger.child({ instance: name }),
      version: 'bench',
      clock,
      upstreamCredentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
    });
    const instance = { name, sidecar, token: sidecar.tokenFile ? readFileSync(sidecar.tokenFile, 'utf8') : undefined };
    instances.push(instance);
    // Readiness waits for the prewarm; in sidecar mode the app starts after it (native sidecar).
    // Bounded in real time: a prewarm retry would wait on the fake clock, which does not move here.
    let timer;
    await Promise.race([
      sidecar.prewarmed(),
      new Promise(
        (_, reject) =>
          (timer = setTimeout(() => reject(new Error(`${name}: prewarm not done after ${SETTLE_LIMIT_MS} ms`)), SETTLE_LIMIT_MS)),
      ),
    ]).finally(() => clearTimeout(timer));
    return instance;
  };

  // Per pod: its lfcs instance, its token (agent mode), and one client per table.
  const pods = PODS.map((pod, i) => ({
    ...pod,
    startAt: startMs + startOffsets[i],
    started: false,
    instance: undefined,
    token: undefined,
    tokenRotateAt: Infinity,
    clients: PROFILE_NAMES.map((profile) => ({ profile, nextFetchAt: Infinity })),
  }));
  const mintToken = async (pod) => {
    pod.token = await issuer.mint(pod.claims, { now: fake.now(), expiresIn: TOKEN_TTL_S });
    pod.tokenRotateAt = fake.now() + TOKEN_ROTATE_AT * TOKEN_TTL_S * 1000;
    tokensMinted += 1;
  };
  const fetchFor = async (pod, client) => {
    const now = fake.now();
    const authorization = mode === 'agent' ? pod.token : pod.instance.token;
    const res = await get(httpAgent, `${pod.instance.sidecar.credentialsUrl}/v1/credentials/${client.profile}`, { authorization });
    served += 1;
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status !== 200) {
      client.nextFetchAt = now + 1000;
      return;
    }
    const expiration = Date.parse(JSON.parse(res.body).Expiration);
    minServedSeconds = Math.min(minServedSeconds, (expiration - now) / 1000);
    client.nextFetchAt = Math.max(expiration - CLIENT_REFRESH_LEFT_S * 1000, now + 1000);
  };

  try {
    // Restored in `finally`: only this simulation sees the fake time and the seeded generator.
    Date.now = () => fake.now();
    Math.random = seeded(SEED + 1);
    if (mode === 'agent') {
      issuer = await new TestIssuer().serve();
      await issuer.addKey();
      writeFileSync(join(dir, 'own-token'), OWN_TOKEN);
      const agents = [];
      for (let node = 0; node < NODES; node++) {
        agents.push(
          startInstance(`agent-node-${node}`, {
            mode: 'agent',
            agent: agentSection(node, issuer, dir),
          }),
        );
      }
      const running = await Promise.all(agents);
      for (const pod of pods) pod.instance = running[pod.node];
      await settle();
      await count();
    }

    const endMs = startMs + HOURS * 3_600_000;
    for (;;) {
      let next = clock.nextTimerAt();
      for (const pod of pods) {
        if (!pod.started) next = Math.min(next, pod.startAt);
        else {
          next = Math.min(next, pod.tokenRotateAt);
          for (const c of pod.clients) next = Math.min(next, c.nextFetchAt);
        }
      }
      if (next > endMs) break;
      if (++events > MAX_EVENTS) throw new Error(`more than ${MAX_EVENTS} events`);
      await fake.advance(Math.max(0, next - fake.now()));
      await settle();
      const now = fake.now();
      const work = [];
      for (const pod of pods) {
        if (!pod.started && pod.startAt <= now) {
          pod.started = true;
          work.push(
            (async () => {
              if (mode === 'agent') await mintToken(pod);
              else pod.instance = await startInstance(`sidecar-${pod.claims.pod}`, {});
              for (const c of pod.clients) await fetchFor(pod, c);
            })(),
          );
          continue;
        }
        if (!pod.started) continue;
        if (mode === 'agent' && pod.tokenRotateAt <= now) await mintToken(pod);
        for (const c of pod.clients) if (c.nextFetchAt <= now) work.push(fetchFor(pod, c));
      }
      await Promise.all(work);
      await settle();
      await count();
    }
    await fake.advance(Math.max(0, endMs - fake.now()));
    await settle();
    await count();

    const totals = await stats();
    const coldSeconds = [...bySecond].filter(([s]) => s * 1000 < COLD_START_WINDOW_MS);
    const coldStartCalls = coldSeconds.reduce((sum, [, n]) => sum + n, 0);
    const peak = coldSeconds.reduce((best, [s, n]) => (n > best.calls ? { second: s, calls: n } : best), { second: 0, calls: 0 });
    const warnings = sink.lines.filter((l) => /"level":"(warn|error|fatal)"/.test(l));
    return {
      mode,
      instances: instances.length,
      simulatedHours: HOURS,
      lakeFormation: {
        coldStartCalls,
        coldStartPeakCallsPerSecond: peak.calls,
        coldStartPeakSecond: peak.second,
        coldStartCallsBySecond: Object.fromEntries(coldSeconds),
        totalCalls: totals.total,
        successfulCalls: totals.success,
        otherOutcomes: totals.other,
        callsAfterColdStart: totals.total - coldStartCalls,
        callsPerHour: byHour,
      },
      clients: {
        fetches: served,
        statuses,
        minServedRemainingSeconds: round(minServedSeconds, 0),
        tokensMinted,
        jwksFetches: issuer?.jwksFetches ?? 0,
      },
      run: { events, unsettledEvents: unsettled, realSeconds: round((performance.now() - started) / 1000, 1) },
      warnings: { count: warnings.length, first: warnings.slice(0, 5) },
    };
  } finally {
    for (const instance of instances) await instance.sidecar.close();
    httpAgent.destroy();
    await issuer?.close();
    await emulator.close();
    Date.now = realDateNow;
    Math.random = realRandom;
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- part 2

/** Runs `task` over `items`, at most `limit` at a time; after a failure starts no new task, waits for those running, then throws. */
async function pooled(items, limit, task) {
  const out = new Array(items.length);
  let next = 0;
  let failure;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const i = next++;
      try {
        out[i] = await task(items[i], i);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (failure !== undefined) throw failure;
  return out;
}

/** Lake Formation attempts by outcome, summed over the processes' /metrics (lfcs_upstream_requests_total). */
async function upstreamOutcomes(processes) {
  const out = {};
  for (const p of processes) {
    const text = await (await fetch(`${p.adminUrl}/metrics`)).text();
    for (const [, outcome, n] of text.matchAll(/^lfcs_upstream_requests_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm)) {
      if (Number(n) > 0) out[outcome] = (out[outcome] ?? 0) + Number(n);
    }
  }
  return out;
}

/**
 * Samples the emulator's call total every 50 ms while `burst` runs; returns its
 * calls, the most in any 1 s, the emulator's outcomes and the attempts as the
 * lfcs processes counted them.
 */
async function measureBurst(emu, processes, burst) {
  const statsBefore = await emu.stats();
  const before = statsBefore.total;
  const samples = [{ at: performance.now(), total: before }];
  let done = false;
  const sampler = (async () => {
    while (!done) {
      await sleep(50);
      samples.push({ at: performance.now(), total: (await emu.stats()).total });
    }
  })();
  const started = performance.now();
  const results = await burst();
  const burstMs = performance.now() - started;
  await sleep(200);
  done = true;
  await sampler;
  samples.push({ at: performance.now(), total: (await emu.stats()).total });
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    let j = 0;
    while (j < i && samples[j + 1].at <= samples[i].at - 1000) j++;
    // samples[j] is the last one at least 1 s before samples[i] (or the first).
    const base = samples[i].at - samples[j].at >= 1000 ? samples[j].total : before;
    peak = Math.max(peak, samples[i].total - base);
  }
  const calls = samples[samples.length - 1].total - before;
  const statuses = {};
  for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const outcomesBefore = sumCalls(statsBefore);
  const outcomesAfter = sumCalls(await emu.stats());
  const emulatorOutcomes = { success: outcomesAfter.success - outcomesBefore.success };
  for (const [outcome, n] of Object.entries(outcomesAfter.other)) emulatorOutcomes[outcome] = n - (outcomesBefore.other[outcome] ?? 0);
  return {
    calls,
    peakCallsInOneSecond: peak,
    burstMs: round(burstMs, 0),
    requests: results.length,
    statuses,
    emulatorOutcomes,
    lfcsAttempts: await upstreamOutcomes(processes),
  };
}

/** Rss, Pss (shared pages split between the processes mapping them) and private bytes of `pid`, from /proc. */
function memoryOf(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), private: kb('Private_Clean') + kb('Private_Dirty') };
}

const memorySummary = (samples) => {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const rss = samples.map((m) => m.rss);
  return {
    processes: samples.length,
    rssMedianMiB: MiB(median(rss)),
    rssMinMiB: MiB(Math.min(...rss)),
    rssMaxMiB: MiB(Math.max(...rss)),
    rssTotalMiB: MiB(sum(rss)),
    pssTotalMiB: MiB(sum(samples.map((m) => m.pss))),
    privateTotalMiB: MiB(sum(samples.map((m) => m.private))),
  };
};

async function memory({ TestIssuer }) {
  // The V8 options lfcs derives in the chart's container for the default 10,000 entries.
  const { nodeArgs } = chartAndHeap(10_000);
  const emu = await startBenchEmulator();
  const issuer = await new TestIssuer().serve();
  await issuer.addKey();
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-cluster-mem-'));
  writeFileSync(join(dir, 'own-token'), OWN_TOKEN);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = {
    profiles: { ...PROFILES, 'orders-2024-01-01': undefined },
    dynamic: { enabled: false, allowedTables: [] },
    prewarm: { enabled: false },
  };
  const processes = [];
  const stopAll = async () => {
    for (const p of processes.splice(0)) await p.stop();
  };
  try {
    // Sidecar mode: 50 processes.
    let t = performance.now();
    const sidecars = await pooled(PODS, 2, async () => {
      const p = await spawnServe({ endpoint: emu.url, nodeArgs, config: base });
      processes.push(p);
      return p;
    });
    const sidecarSpawnSeconds = round((performance.now() - t) / 1000, 1);
    log(`${sidecars.length} sidecars up in ${sidecarSpawnSeconds} s`);
    await sleep(3000);
    const sidecarIdle = memorySummary(sidecars.map((p) => memoryOf(p.pid)));
    const sidecarBurst = await measureBurst(emu, sidecars, () =>
      Promise.all(
        PODS.flatMap((pod) =>
          PROFILE_NAMES.map((profile) =>
            get(httpAgent, `${sidecars[pod.index].credentialsUrl}/v1/credentials/${profile}`, { authorization: sidecars[pod.index].token }),
          ),
        ),
      ),
    );
    await sleep(3000);
    const sidecarRss = memorySummary(sidecars.map((p) => memoryOf(p.pid)));
    log('sidecars:', sidecarBurst, sidecarRss);
    await stopAll();

    // Agent mode: 5 processes, 10 pods each, every pod with its own token.
    t = performance.now();
    const agents = await pooled(
      Array.from({ length: NODES }, (_, node) => node),
      2,
      async (node) => {
        const p = await spawnServe({
          endpoint: emu.url,
          nodeArgs,
          config: {
            ...base,
            mode: 'agent',
            agent: agentSection(node, issuer, dir),
          },
        });
        processes.push(p);
        return p;
      },
    );
    const agentSpawnSeconds = round((performance.now() - t) / 1000, 1);
    await sleep(3000);
    const agentIdle = memorySummary(agents.map((p) => memoryOf(p.pid)));
    const tokens = await Promise.all(PODS.map((pod) => issuer.mint(pod.claims, { expiresIn: TOKEN_TTL_S })));
    const agentBurst = await measureBurst(emu, agents, () =>
      Promise.all(
        PODS.flatMap((pod) =>
          PROFILE_NAMES.map((profile) =>
            get(httpAgent, `${agents[pod.node].credentialsUrl}/v1/credentials/${profile}`, { authorization: tokens[pod.index] }),
          ),
        ),
      ),
    );
    await sleep(3000);
    const agentRss = memorySummary(agents.map((p) => memoryOf(p.pid)));
    log('agents:', agentBurst, agentRss);
    await stopAll();
    return {
      v8Options: nodeArgs,
      sidecar: { spawnSeconds: sidecarSpawnSeconds, coldStart: sidecarBurst, idle: sidecarIdle, served: sidecarRss },
      agent: { spawnSeconds: agentSpawnSeconds, coldStart: agentBurst, idle: agentIdle, served: agentRss, jwksFetches: issuer.jwksFetches },
    };
  } finally {
    await stopAll();
    httpAgent.destroy();
    await issuer.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

const ratio = (a, b) => (b === 0 ? null : round(a / b, 1));

async function main() {
  const runStarted = performance.now();
  const { TestIssuer } = await importTestSupport('oidc-issuer');
  const catalog = await loadCatalogFile(DEMO_CATALOG);
  log(`part 1: ${HOURS} simulated hours, sidecar mode`);
  const sidecar = await simulate('sidecar', { TestIssuer, catalog });
  log(`sidecar mode done in ${sidecar.run.realSeconds} s; agent mode`);
  const agent = await simulate('agent', { TestIssuer, catalog });
  log(`agent mode done in ${agent.run.realSeconds} s`);
  const mem = MEMORY ? await memory({ TestIssuer }) : undefined;

  const s = sidecar.lakeFormation;
  const a = agent.lakeFormation;
  const figures = [
    ['Lake Formation calls, cold start (first 60 s, simulated)', s.coldStartCalls, a.coldStartCalls],
    ['most Lake Formation calls in one second, cold start (simulated)', s.coldStartPeakCallsPerSecond, a.coldStartPeakCallsPerSecond],
    [`Lake Formation calls, ${HOURS} h in all (simulated)`, s.totalCalls, a.totalCalls],
    ['Lake Formation calls after the cold start (simulated)', s.callsAfterColdStart, a.callsAfterColdStart],
  ];
  if (mem) {
    figures.push(
      ['Lake Formation calls, 150 requests at once (real processes)', mem.sidecar.coldStart.calls, mem.agent.coldStart.calls],
      [
        'most Lake Formation calls in any 1 s, same burst (real processes)',
        mem.sidecar.coldStart.peakCallsInOneSecond,
        mem.agent.coldStart.peakCallsInOneSecond,
      ],
      ['RSS per process before any request, median (MiB)', mem.sidecar.idle.rssMedianMiB, mem.agent.idle.rssMedianMiB],
      ['RSS per process after serving, median (MiB)', mem.sidecar.served.rssMedianMiB, mem.agent.served.rssMedianMiB],
      ['RSS after serving, sum over all processes (MiB)', mem.sidecar.served.rssTotalMiB, mem.agent.served.rssTotalMiB],
      ['PSS after serving, sum over all processes (MiB)', mem.sidecar.served.pssTotalMiB, mem.agent.served.pssTotalMiB],
    );
  }
  const table = figures.map(([name, sv, av]) => ({ figure: name, sidecar: sv, agent: av, ratio: ratio(sv, av) }));
  const result = {
    measuredAt: new Date().toISOString(),
    note: 'written by npm run bench:cluster (bench/cluster-sim.mjs); the model is in the script header and the README',
    machine: machine(),
    cluster: { nodes: NODES, podsPerNode: PODS_PER_NODE, tables: PROFILE_NAMES.length, hours: HOURS, seed: SEED },
    model: {
      coldStartSpreadSeconds: COLD_START_SPREAD_MS / 1000,
      clientRefreshAtSecondsLeft: CLIENT_REFRESH_LEFT_S,
      leaseSeconds: 3600,
      tokenTtlSeconds: TOKEN_TTL_S,
      tokenReplacedAtFraction: TOKEN_ROTATE_AT,
    },
    figures: table,
    simulation: { sidecar, agent },
    ...(mem && { memory: mem }),
    runSeconds: round((performance.now() - runStarted) / 1000, 1),
  };
  console.log('');
  console.log(`cluster: ${NODES} nodes x ${PODS_PER_NODE} pods, ${PROFILE_NAMES.length} tables, ${HOURS} h`);
  for (const row of table) console.log(`${row.figure}: sidecar ${row.sidecar}, agent ${row.agent}, ratio ${row.ratio}`);
  console.log(
    `client fetches: sidecar ${sidecar.clients.fetches} ${JSON.stringify(sidecar.clients.statuses)}, agent ${agent.clients.fetches} ${JSON.stringify(agent.clients.statuses)}`,
  );
  console.log(
    `min remaining served: sidecar ${sidecar.clients.minServedRemainingSeconds} s, agent ${agent.clients.minServedRemainingSeconds} s; unsettled events ${sidecar.run.unsettledEvents}/${agent.run.unsettledEvents}; warnings ${sidecar.warnings.count}/${agent.warnings.count}`,
  );
  console.log(`run: ${result.runSeconds} s`);
  const out = process.env.BENCH_JSON ?? join(ROOT, 'bench/cluster.json');
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
