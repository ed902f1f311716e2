/**
 * Hit path, side by side in one run: `lfcs serve` (profile route, cache hit)
 * against bare node:http and bare Express 5 serving the same body with the
 * same token check, driven by wrk at 1 and 16 connections in alternating
 * rounds. Every figure is reported as measured and as a ratio to node:http.
 */
import http from 'node:http';
import { get, round, spawnScript, spawnServe } from './lib.mjs';
import { wrk } from './wrk.mjs';

const HIGH_RATE_LIMIT = { rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 } };

export async function hitPathWrk(emu, { seconds = 5, rounds = 3, log = () => {} } = {}) {
  const sidecar = await spawnServe({ endpoint: emu.url, config: HIGH_RATE_LIMIT });
  const bareHttp = await spawnScript('servers/bare-http.mjs');
  const bareExpress = await spawnScript('servers/bare-express.mjs');
  const targets = {
    lfcs: { url: `${sidecar.credentialsUrl}/v1/credentials/orders`, token: sidecar.token },
    nodeHttp: { url: `${bareHttp.url}/v1/credentials/orders`, token: bareHttp.token },
    express: { url: `${bareExpress.url}/v1/credentials/orders`, token: bareExpress.token },
  };
  try {
    const agent = new http.Agent({ keepAlive: true });
    const primed = await get(agent, targets.lfcs.url, { authorization: sidecar.token });
    agent.destroy();
    if (primed.status !== 200) throw new Error(`prime failed: ${primed.status} ${primed.body}`);
    for (const t of Object.values(targets)) await wrk(t.url, { token: t.token, seconds: 1 }); // warm-up
    const result = {};
    for (const connections of [1, 16]) {
      const samples = { lfcs: [], nodeHttp: [], express: [] };
      for (let i = 0; i < rounds; i++) {
        for (const [name, t] of Object.entries(targets)) {
          samples[name].push(await wrk(t.url, { token: t.token, seconds, connections }));
        }
        log(
          `  ${connections} conn round ${i + 1}: ${Object.entries(samples)
            .map(([n, s]) => `${n} ${round(s.at(-1).reqPerSec, 0)}/s p99 ${round(s.at(-1).p99Ms)} ms`)
            .join('; ')}`,
        );
      }
      const mean = (list, key) => list.reduce((sum, s) => sum + s[key], 0) / list.length;
      const summary = {};
      for (const [name, list] of Object.entries(samples)) {
        summary[name] = {
          reqPerSec: round(mean(list, 'reqPerSec'), 0),
          p50Ms: round(mean(list, 'p50Ms'), 3),
          p99Ms: round(mean(list, 'p99Ms'), 3),
          non2xx: list.reduce((sum, s) => sum + s.non2xx, 0),
        };
      }
      summary.ratioToNodeHttp = round(summary.lfcs.reqPerSec / summary.nodeHttp.reqPerSec, 3);
      summary.ratioToExpress = round(summary.lfcs.reqPerSec / summary.express.reqPerSec, 3);
      summary.p99VsNodeHttp = round(summary.lfcs.p99Ms / summary.nodeHttp.p99Ms, 2);
      result[`c${connections}`] = summary;
    }
    return { sidecar, result: { seconds, rounds, loadGenerator: 'wrk -t1', ...result } };
  } finally {
    await bareHttp.stop();
    await bareExpress.stop();
  }
}
