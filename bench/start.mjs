/**
 * Start to ready and idle RSS of `lfcs serve` (no prewarm).
 *
 * `node bench/start.mjs [runs]`: median of `runs` starts of this build, each
 * stopped by its PID; prints JSON. run.mjs and peers.mjs call startFootprint().
 *
 * `node bench/start.mjs --ab <name>=<dist>[:VAR=value,...] ... [--pairs N]`:
 * builds side by side in one run (each `dist` a built dist/ folder inside this
 * repository, e.g. a copy of main's under bench/results/<name>/dist beside a
 * copy of package.json, so that node_modules resolves), started the way a
 * user starts lfcs: no V8 flags given, so lfcs re-executes itself with the
 * ones it derives (in place with process.execve on Node >= 22.15, as a child
 * on older Node). N rounds (default 8) after one warm-up round, the builds
 * alternating and their order rotating each round. Per start: CPU seconds of
 * the whole process tree from spawn to the first 200 on /readyz (the figure
 * the other load on a shared machine disturbs least), wall time to the same
 * point, and, 2 s after ready, the RSS of the serving process and of the
 * whole tree (on older Node the parent stays beside its child). Prints
 * medians and each build's paired ratio to the first one, per round.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

/** `pid` and every process below it, parents first. */
function processTree(pid) {
  const tree = [pid];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return tree;
  }
  for (const task of tasks) {
    let children = '';
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8');
    } catch {}
    for (const child of children.split(' ').filter(Boolean)) tree.push(...processTree(Number(child)));
  }
  return tree;
}

/** CPU seconds (user + system) `pid` has used: kept across execve, so a re-execution in place counts whole. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function startOnce(emu, { dist, env }) {
  const s = await spawnServe({ endpoint: emu.url, bin: join(dist, 'cli/main.js'), nodeArgs: [], env });
  try {
    const cpuS = processTree(s.pid).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    await sleep(2000);
    const tree = processTree(s.pid);
    return {
      cpuS: round(cpuS, 2),
      wallMs: round(s.readyMs, 0),
      idleRssMiB: MiB(rssOf(tree.at(-1))),
      idleTreeRssMiB: MiB(tree.reduce((sum, pid) => sum + rssOf(pid), 0)),
      processes: tree.length,
    };
  } finally {
    await s.stop();
  }
}

function parseBuild(spec) {
  const [name, rest] = spec.split(/=(.*)/s);
  const [dist, envText = ''] = rest.split(/:(.*)/s);
  const env = Object.fromEntries(
    envText
      .split(',')
      .filter(Boolean)
      .map((pair) => pair.split(/=(.*)/s)),
  );
  return { name, dist: resolve(dist), env };
}

async function startAB(args) {
  const pairsAt = args.indexOf('--pairs');
  const rounds = pairsAt >= 0 ? Number(args[pairsAt + 1]) : 8;
  const builds = args.filter((arg, i) => arg !== '--pairs' && i !== pairsAt + 1).map(parseBuild);
  if (builds.length < 2) throw new Error('usage: node bench/start.mjs --ab <name>=<dist>[:VAR=value,...] <name>=<dist> ... [--pairs N]');
  const emu = await startBenchEmulator();
  const samples = Object.fromEntries(builds.map((b) => [b.name, []]));
  try {
    for (let round = -1; round < rounds; round++) {
      const order = builds.map((_, i) => builds[(i + Math.max(round, 0)) % builds.length]);
      for (const build of order) {
        const sample = await startOnce(emu, build);
        if (round >= 0) samples[build.name].push(sample);
        console.error('[start]', round < 0 ? 'warm-up' : `round ${round + 1}`, build.name, JSON.stringify(sample));
      }
    }
  } finally {
    await emu.close();
  }
  const [first] = builds;
  const result = { node: process.version, rounds, builds: {} };
  for (const build of builds) {
    const list = samples[build.name];
    result.builds[build.name] = {
      dist: build.dist,
      env: build.env,
      cpuToReadyS: median(list.map((x) => x.cpuS)),
      wallToReadyMs: median(list.map((x) => x.wallMs)),
      idleRssMiB: median(list.map((x) => x.idleRssMiB)),
      idleTreeRssMiB: median(list.map((x) => x.idleTreeRssMiB)),
      processes: median(list.map((x) => x.processes)),
      ...(build !== first && {
        cpuRatioToFirst: round(median(list.map((x, i) => x.cpuS / samples[first.name][i].cpuS)), 2),
        wallRatioToFirst: round(median(list.map((x, i) => x.wallMs / samples[first.name][i].wallMs)), 2),
      }),
    };
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--ab') {
    console.log(JSON.stringify(await startAB(process.argv.slice(3)), null, 2));
  } else {
    const emu = await startBenchEmulator();
    try {
      console.log(JSON.stringify({ node: process.version, ...(await startFootprint(emu, { runs: Number(process.argv[2] ?? 5) })) }));
    } finally {
      await emu.close();
    }
  }
}
