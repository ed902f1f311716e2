/**
 * `npm run soak`: a bounded run (BENCH_SOAK_SECONDS, default 600) at about
 * BENCH_SOAK_RATE req/s (default 500) against a real `lfcs serve`, while the
 * emulator cycles through faults every 60 s: a throttle burst, an outage
 * shorter than the lease, a latency spike and a high error rate. Leases are
 * 900 s (the catalog's maxSessionSeconds), so a 600 s run crosses the refresh
 * window (450 s left) once. Clients only ask for prewarmed keys, so a valid
 * lease always exists: the goal is zero 5xx, and RSS flat (within 10 % of
 * its value after warm-up). Prints a summary, then JSON between markers
 * (also written to BENCH_JSON when set).
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { MiB, get, machine, round, rssOf, sleep, spawnServe, startBenchEmulator, summarize } from './lib.mjs';

const seconds = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const rate = Number(process.env.BENCH_SOAK_RATE ?? 500);
if (!(seconds > 0 && seconds <= 24 * 3600) || !(rate > 0 && rate <= 5000)) throw new Error('bad BENCH_SOAK_SECONDS / BENCH_SOAK_RATE');
const log = (...args) => console.error('[soak]', ...args);

/** Offset within each 60 s cycle → faults to set (undefined: clear). */
const CYCLE = [
  [0, undefined, 'none'],
  [10, { throttleNext: 200 }, 'throttle burst (next 200 calls)'],
  [20, { outage: true }, 'outage 15 s'],
  [35, undefined, 'none'],
  [40, { latencyMs: 1500 }, 'latency 1.5 s'],
  [50, { errorRate: 0.5, errorCode: 'InternalServiceException' }, 'error rate 50 %'],
];

async function main() {
  const emu = await startBenchEmulator({ maxSessionSeconds: 900 });
  const sidecar = await spawnServe({
    endpoint: emu.url,
    config: { prewarm: { enabled: true }, shutdown: { drainSeconds: 0, graceSeconds: 10 } },
  });
  const paths = ['/v1/credentials/orders', '/v1/credentials/orders-2024-01-01', '/v1/credentials/customers'];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // Wait for the prewarm (readiness includes it).
  for (const path of paths) {
    const r = await get(agent, sidecar.credentialsUrl + path, { authorization: sidecar.token });
    if (r.status !== 200) throw new Error(`warm-up ${path}: ${r.status} ${r.body}`);
  }
  log(`running ${seconds} s at ${rate} req/s against pid ${sidecar.pid}`);

  const statuses = {};
  const fiveXx = [];
  const latencies = [];
  const rss = [];
  let sent = 0;
  let currentFault = 'none';
  const faultLog = [];
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  const faults = (async () => {
    let lastApplied = -1;
    while (elapsed() < seconds) {
      const t = elapsed();
      const cycleIndex = Math.floor(t / 60);
      const offset = t - cycleIndex * 60;
      const stepIndex = CYCLE.findLastIndex(([at]) => offset >= at);
      const key = cycleIndex * 100 + stepIndex;
      if (key !== lastApplied) {
        lastApplied = key;
        const [, patch, name] = CYCLE[stepIndex];
        await emu.clearFaults();
        if (patch) await emu.setFaults(patch);
        currentFault = name;
        faultLog.push({ at: round(t, 1), fault: name });
      }
      await sleep(200);
    }
    await emu.clearFaults();
  })();

  const sampler = (async () => {
    while (elapsed() < seconds) {
      rss.push({ at: round(elapsed(), 0), rssMiB: MiB(rssOf(sidecar.pid)) });
      await sleep(5000);
    }
  })();

  // Open-loop load: every 10 ms, send the requests due by now.
  const pending = new Set();
  while (elapsed() < seconds) {
    const due = Math.floor(elapsed() * rate) - sent;
    for (let i = 0; i < due; i++) {
      sent += 1;
      const fault = currentFault;
      const p = get(agent, sidecar.credentialsUrl + paths[sent % paths.length], { authorization: sidecar.token }).then((r) => {
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        latencies.push(r.ms);
        if (r.status >= 500 || r.status === 0)
          fiveXx.push({ at: round(elapsed(), 1), status: r.status, fault, body: r.body.slice(0, 200) });
        pending.delete(p);
      });
      pending.add(p);
    }
    await sleep(10);
  }
  await Promise.all(pending);
  await faults;
  await sampler;
  const runSeconds = elapsed();
  const stats = await emu.stats();
  const exitCode = await sidecar.stop();
  agent.destroy();
  await emu.close();

  const warmupSeconds = Math.min(60, seconds * 0.2);
  const afterWarmup = rss.filter((s) => s.at >= warmupSeconds);
  const reference = afterWarmup[0]?.rssMiB ?? NaN;
  const maxAfter = Math.max(...afterWarmup.map((s) => s.rssMiB));
  const growth = (maxAfter - reference) / reference;
  const lat = summarize(latencies);
  const result = {
    machine: machine(),
    seconds: round(runSeconds, 1),
    targetRate: rate,
    achievedRate: round(sent / runSeconds, 1),
    requests: sent,
    statuses,
    serverErrors: fiveXx.length,
    serverErrorSamples: fiveXx.slice(0, 20),
    latencyMs: { p50: round(lat.p50, 2), p90: round(lat.p90, 2), p99: round(lat.p99, 2), max: round(lat.max, 1) },
    rss: { warmupSeconds, referenceMiB: reference, maxAfterWarmupMiB: maxAfter, growth: round(growth, 3), samples: rss },
    upstream: stats,
    faults: faultLog,
    sidecarExitCode: exitCode,
  };
  const lines = [
    '',
    `soak: ${result.requests} requests in ${result.seconds} s (${result.achievedRate} req/s), statuses ${JSON.stringify(statuses)}`,
    `5xx / failed reaching clients: ${fiveXx.length} (target 0)`,
    `latency p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`,
    `RSS after ${warmupSeconds} s warm-up: ${reference} MiB → max ${maxAfter} MiB (${round(growth * 100, 1)} %, target within 10 %)`,
    `Lake Formation calls: ${stats.total} ${JSON.stringify(stats.calls)}`,
  ];
  console.log(lines.join('\n'));
  const json = JSON.stringify(result, null, 2);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${json}\n`);
  console.log('BEGIN_SOAK_JSON');
  console.log(json);
  console.log('END_SOAK_JSON');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
