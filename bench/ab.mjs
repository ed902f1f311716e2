/**
 * Two builds of lfcs side by side in one run: `node bench/ab.mjs <dist-a> <dist-b> [leases]`
 * (each a built `dist/` folder, e.g. a copy of main's under bench/results/<name>/dist beside a copy of package.json).
 * Both serve at once against one emulator, each filled with `leases` dynamic
 * leases through the dynamic route; then wrk -c16 in alternating rounds on the
 * profile route (the hit path) and the dynamic route over every cached key
 * (bench/dynamic-keys.lua), and RSS and heap used after the fill;
 * each wrk run also reports the CPU time lfcs spent per request. Prints one
 * JSON document. BENCH_ROUND_SECONDS (default 5) and BENCH_ROUNDS (default 3).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiB, ORDERS_ARN, ROOT, fillDynamicLeases, round, rssOf, sleep, spawnServe, startBenchEmulator } from './lib.mjs';
import { wrk } from './wrk.mjs';

const [distA, distB] = process.argv.slice(2, 4);
if (!distA || !distB) throw new Error('usage: node bench/ab.mjs <dist-a> <dist-b> [leases]');
const leases = Number(process.argv[4] ?? 1000);
const seconds = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const log = (...args) => console.error('[ab]', ...args);

/** CPU time (user + system) `pid` has used, in ms: per request, a figure the other load on a shared machine disturbs less than req/s. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** wrk against `s`, with the CPU time lfcs spent per request (µs). */
async function measured(s, run) {
  const before = cpuMs(s.pid);
  const result = await run();
  return { ...result, cpuMicrosPerRequest: Math.round(((cpuMs(s.pid) - before) * 1000) / (result.reqPerSec * seconds)) };
}

async function metric(adminUrl, name) {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text)?.[1]);
}

async function start(emu, dist) {
  const maxEntries = Math.max(leases, 10_000);
  const s = await spawnServe({
    endpoint: emu.url,
    bin: join(resolve(dist), 'cli/main.js'),
    config: {
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      upstream: { ratePerSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 64, maxQueuedCalls: 1_000_000 },
      cache: { maxEntries },
    },
  });
  const idleRss = rssOf(s.pid);
  const { failed, primedStatus } = await fillDynamicLeases(s, leases);
  if (failed > 0 || primedStatus !== 200) throw new Error(`${dist}: ${failed} fills failed, profile answered ${primedStatus}`);
  return { s, idleRss };
}

const emu = await startBenchEmulator();
const servers = {};
try {
  for (const [name, dist] of [
    ['a', distA],
    ['b', distB],
  ])
    servers[name] = { dist, ...(await start(emu, dist)) };
  await sleep(3000);
  const result = { leases, seconds, rounds, connections: 16 };
  for (const [name, { dist, s, idleRss }] of Object.entries(servers)) {
    const rss = rssOf(s.pid);
    result[name] = {
      dist,
      idleRssMiB: MiB(idleRss),
      rssMiB: MiB(rss),
      heapUsedMiB: MiB(await metric(s.adminUrl, 'lfcs_nodejs_heap_size_used_bytes')),
      rssBytesPerLease: Math.round((rss - idleRss) / leases),
      profile: [],
      dynamic: [],
    };
  }
  const dynamic = (s) =>
    wrk(s.credentialsUrl, {
      token: s.token,
      seconds,
      connections: 16,
      script: join(ROOT, 'bench/dynamic-keys.lua'),
      env: { KEYS: String(leases), TABLE: ORDERS_ARN },
    });
  for (const { s } of Object.values(servers)) await wrk(`${s.credentialsUrl}/v1/credentials/orders`, { token: s.token, seconds: 1 }); // warm-up
  for (let i = 0; i < rounds; i++) {
    for (const [name, { s }] of Object.entries(servers)) {
      result[name].profile.push(
        await measured(s, () => wrk(`${s.credentialsUrl}/v1/credentials/orders`, { token: s.token, seconds, connections: 16 })),
      );
    }
    for (const [name, { s }] of Object.entries(servers)) result[name].dynamic.push(await measured(s, () => dynamic(s)));
    log(
      `round ${i + 1}:`,
      Object.entries(servers)
        .map(
          ([n]) =>
            `${n} profile ${round(result[n].profile.at(-1).reqPerSec, 0)}/s p99 ${result[n].profile.at(-1).p99Ms} ms ${result[n].profile.at(-1).cpuMicrosPerRequest} µs CPU/req, dynamic ${round(result[n].dynamic.at(-1).reqPerSec, 0)}/s p99 ${result[n].dynamic.at(-1).p99Ms} ms ${result[n].dynamic.at(-1).cpuMicrosPerRequest} µs CPU/req`,
        )
        .join('; '),
    );
  }
  const range = (list, key) => [Math.min(...list.map((x) => x[key])), Math.max(...list.map((x) => x[key]))].map((x) => round(x, 2));
  for (const name of ['a', 'b']) {
    const r = result[name];
    r.profileReqPerSec = range(r.profile, 'reqPerSec');
    r.profileP99Ms = range(r.profile, 'p99Ms');
    r.dynamicReqPerSec = range(r.dynamic, 'reqPerSec');
    r.dynamicP99Ms = range(r.dynamic, 'p99Ms');
    r.profileCpuMicrosPerRequest = range(r.profile, 'cpuMicrosPerRequest');
    r.dynamicCpuMicrosPerRequest = range(r.dynamic, 'cpuMicrosPerRequest');
    r.dynamicNon2xx = r.dynamic.reduce((sum, x) => sum + x.non2xx, 0);
  }
  result.profileRatioBtoA = result.b.profile.map((x, i) => round(x.reqPerSec / result.a.profile[i].reqPerSec, 3));
  result.dynamicRatioBtoA = result.b.dynamic.map((x, i) => round(x.reqPerSec / result.a.dynamic[i].reqPerSec, 3));
  console.log(JSON.stringify(result, null, 2));
} finally {
  for (const { s } of Object.values(servers)) await s.stop();
  await emu.close();
}
