/**
 * Start to ready and idle RSS of `lfcs serve` (no prewarm), median of `runs`
 * starts, each stopped by its PID. `node bench/start.mjs [runs]` prints JSON;
 * run.mjs and peers.mjs call startFootprint().
 */
import { MiB, round, rssOf, sleep, spawnServe, startBenchEmulator } from './lib.mjs';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function startFootprint(emu, { runs = 5, idleMs = 2000, config = {} } = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const s = await spawnServe({ endpoint: emu.url, config });
    await sleep(idleMs);
    samples.push({
      listeningMs: round(s.listeningMs, 0),
      readyMs: round(s.readyMs, 0),
      idleRssMiB: MiB(rssOf(s.pid)),
      line: s.listeningLine,
    });
    await s.stop();
  }
  return {
    runs: samples.map(({ line, ...rest }) => rest),
    readyMsMedian: median(samples.map((s) => s.readyMs)),
    idleRssMiBMedian: median(samples.map((s) => s.idleRssMiB)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const emu = await startBenchEmulator();
  try {
    console.log(JSON.stringify({ node: process.version, ...(await startFootprint(emu, { runs: Number(process.argv[2] ?? 5) })) }));
  } finally {
    await emu.close();
  }
}
