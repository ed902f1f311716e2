/**
 * `node bench/admin-flood.mjs` (after `npm run build`): with 10,000 cached
 * entries, a 16-connection flood on the admin port (unauthenticated, reachable
 * from the pod network) must leave a cached credentials hit fast: goal p99
 * under 50 ms. Also measured: the same flood from a token holder on the
 * bounded cache listing (`GET /v1/cache?limit=1000`, credentials listener).
 *
 * Loopback only; bounded: ADMIN_FLOOD_SECONDS (default 10) per phase, and
 * the sidecar is stopped by its own PID. Prints one JSON document.
 */
import http from 'node:http';
import { ORDERS_ARN, get, machine, round, spawnServe, startBenchEmulator, summarize } from './lib.mjs';
import { wrk } from './wrk.mjs';

const SECONDS = Number(process.env.ADMIN_FLOOD_SECONDS ?? 10);
const ENTRIES = Number(process.env.ADMIN_FLOOD_ENTRIES ?? 10_000);
const log = (...args) => console.error('[admin-flood]', ...args);

/** 16 connections from wrk (a C load generator, not on a Node event loop): 4 per path, all at once. */
async function flood(base, paths, { seconds, token = 'none' }) {
  const perPath = Math.max(1, Math.floor(16 / paths.length));
  const runs = await Promise.all(paths.map((path) => wrk(`${base}${path}`, { token, seconds, connections: perPath })));
  return {
    connections: perPath * paths.length,
    reqPerSec: round(
      runs.reduce((sum, r) => sum + r.reqPerSec, 0),
      0,
    ),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    byPath: Object.fromEntries(paths.map((path, i) => [path, { reqPerSec: round(runs[i].reqPerSec, 0), p99Ms: runs[i].p99Ms }])),
  };
}

/** Sequential cached hits for `seconds`, one keep-alive connection: latency of each. */
async function hits(sidecar, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = `${sidecar.credentialsUrl}/v1/credentials/orders`;
  const latencies = [];
  const statuses = {};
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end && latencies.length < 1_000_000) {
    const answer = await get(agent, url, { authorization: sidecar.token }, 10_000);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    latencies.push(answer.ms);
  }
  agent.destroy();
  const s = summarize(latencies);
  return { ...Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 2)])), statuses };
}

async function fill(sidecar) {
  log(`filling the cache with ${ENTRIES} dynamic entries`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < ENTRIES) {
      const n = next++;
      const url = `${sidecar.credentialsUrl}/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=fill-${n}`;
      const answer = await get(agent, url, { authorization: sidecar.token }, 30_000);
      if (answer.status !== 200) failed += 1;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 64 }, worker));
  agent.destroy();
  return { failed, seconds: round((performance.now() - started) / 1000, 1) };
}

const emu = await startBenchEmulator();
const sidecar = await spawnServe({
  endpoint: emu.url,
  config: {
    rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
    upstream: { ratePerSecond: 1000, burst: 1000, maxConcurrency: 32, maxQueuedCalls: 100_000 },
    cache: { maxEntries: ENTRIES + 100 },
  },
});
try {
  const filled = await fill(sidecar);
  const listing = await (
    await fetch(`${sidecar.credentialsUrl}/v1/cache?limit=1000`, { headers: { authorization: sidecar.token } })
  ).json();
  log(`cached: ${listing.count} entries (fill took ${filled.seconds} s, ${filled.failed} failed)`);
  await get(new http.Agent(), `${sidecar.credentialsUrl}/v1/credentials/orders`, { authorization: sidecar.token });

  log(`baseline: cached hits, no flood, ${SECONDS} s`);
  const baseline = await hits(sidecar, SECONDS);

  log(`admin flood: 16 connections (4 each on /v1/cache, /metrics, /readyz, /healthz), ${SECONDS} s`);
  const [adminFlood, underAdminFlood] = await Promise.all([
    flood(sidecar.adminUrl, ['/v1/cache', '/metrics', '/readyz', '/healthz'], { seconds: SECONDS }),
    hits(sidecar, SECONDS),
  ]);

  log(`token-holder flood: 16 connections on GET /v1/cache?limit=1000 (credentials listener), ${SECONDS} s`);
  const [listingFlood, underListingFlood] = await Promise.all([
    flood(sidecar.credentialsUrl, ['/v1/cache?limit=1000'], { seconds: SECONDS, token: sidecar.token }),
    hits(sidecar, SECONDS),
  ]);

  const result = {
    machine: machine(),
    entries: listing.count,
    fill: filled,
    phaseSeconds: SECONDS,
    baselineHitMs: baseline,
    adminFlood: {
      ...adminFlood,
      hitMs: underAdminFlood,
      goalP99UnderMs: 50,
      met: underAdminFlood.p99 < 50,
    },
    tokenHolderListingFlood: { ...listingFlood, hitMs: underListingFlood },
  };
  console.log(JSON.stringify(result, null, 2));
} finally {
  await sidecar.stop();
  await emu.close();
}
