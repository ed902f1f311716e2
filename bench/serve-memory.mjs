/**
 * RSS of a real `lfcs serve` holding N cache entries, with the V8 options lfcs
 * derives for that N under the memory limit the Helm chart sets for it (both
 * from src/cli/v8-options.ts). Entries are filled through the dynamic route
 * (distinct queryIds, one Lake Formation call each, upstream limits raised),
 * then RSS is read after the process idles.
 */
import http from 'node:http';
import { chartMemory, deriveV8Options, v8Flags } from '../dist/cli/v8-options.js';
import { MiB, ORDERS_ARN, get, rssOf, sleep, spawnServe } from './lib.mjs';

/** The chart's memory request and limit for `maxEntries`, and the old space lfcs derives under that limit. */
export function chartAndHeap(maxEntries) {
  const chart = chartMemory(maxEntries);
  const v8 = deriveV8Options({ maxEntries, memoryLimitBytes: chart.limitMi * 2 ** 20 });
  return { ...chart, oldSpaceMi: v8.maxOldSpaceSizeMi, nodeArgs: v8Flags(v8) };
}

export async function serveMemory(emu, entries, { log = () => {} } = {}) {
  const { nodeArgs, ...chart } = chartAndHeap(Math.max(entries, 10_000));
  const sidecar = await spawnServe({
    endpoint: emu.url,
    // The flags lfcs derives in the chart's container, given up front (no cgroup limit here).
    nodeArgs,
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
