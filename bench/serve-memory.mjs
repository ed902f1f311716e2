/**
 * RSS of a real `lfcs serve` holding N cache entries, with the V8 options the
 * Helm chart gives it for that N (`lfcs.memory` in _helpers.tpl, mirrored by
 * chartMemory() below from the same values.yaml figures). Entries are filled
 * through the dynamic route (distinct queryIds, one Lake Formation call each,
 * upstream limits raised), then RSS is read after the process idles.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MiB, ORDERS_ARN, ROOT, get, rssOf, sleep, spawnServe } from './lib.mjs';

/** The chart's memory figures for `maxEntries` (the formula documented in values.yaml, sidecar.memory). */
export function chartMemory(maxEntries) {
  const values = parse(readFileSync(join(ROOT, 'helm/lakeformation-credential-sidecar/values.yaml'), 'utf8'));
  const m = values.sidecar.memory;
  const entriesMi = Math.ceil((maxEntries * m.perEntryKi) / 1024);
  const requestMi = m.baseMi + entriesMi;
  const limitMi = requestMi + entriesMi + m.headroomMi;
  return { requestMi, limitMi, oldSpaceMi: Math.floor((limitMi * m.oldSpacePercent) / 100) };
}

export async function serveMemory(emu, entries, { log = () => {} } = {}) {
  const chart = chartMemory(Math.max(entries, 10_000));
  const sidecar = await spawnServe({
    endpoint: emu.url,
    nodeArgs: [`--max-old-space-size=${chart.oldSpaceMi}`, '--max-semi-space-size=1'],
    config: {
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      upstream: { ratePerSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 64, maxQueuedCalls: 1_000_000 },
      cache: { maxEntries: Math.max(entries, 10_000) },
    },
  });
  try {
    await sleep(1000);
    const idleRss = rssOf(sidecar.pid);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const started = performance.now();
    let next = 0;
    const failures = { count: 0 };
    const worker = async () => {
      while (next < entries) {
        const i = next++;
        const url = `${sidecar.credentialsUrl}/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=mem-${i}`;
        const res = await get(agent, url, { authorization: sidecar.token });
        if (res.status !== 200) failures.count += 1;
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const fillSeconds = (performance.now() - started) / 1000;
    agent.destroy();
    const peakAfterFill = rssOf(sidecar.pid);
    await sleep(3000);
    const settled = rssOf(sidecar.pid);
    const result = {
      entries,
      chart,
      idleRssMiB: MiB(idleRss),
      rssAfterFillMiB: MiB(peakAfterFill),
      rssSettledMiB: MiB(settled),
      rssBytesPerEntry: Math.round((settled - idleRss) / entries),
      fillSeconds: Math.round(fillSeconds * 10) / 10,
      failedRequests: failures.count,
      withinChartLimit: MiB(Math.max(peakAfterFill, settled)) <= chart.limitMi,
    };
    log(`  serve with ${entries} entries:`, result);
    return result;
  } finally {
    await sidecar.stop();
  }
}
