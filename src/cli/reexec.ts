import { spawn } from 'node:child_process';
import { getHeapStatistics } from 'node:v8';
import { planV8Options, readMemoryLimit, REEXEC_MARKER, userHeapFlags, type V8Plan } from './v8-options.js';

/** Signals a parent waiting on a re-executed lfcs passes on to it. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/**
 * Runs this same command again with `flags` before the script, once (the
 * marker in the environment stops a second time). Heap bounds can only be set
 * when V8 starts, so this is the one way to apply them from the configuration.
 *
 * Where Node has `process.execve` (>= 22.15, the image's Node 24), the process
 * image is replaced: same PID (PID 1 in a container keeps receiving SIGTERM),
 * no second process. On older Node a child runs with the flags and this
 * process stays as its parent: it forwards SIGTERM/SIGINT/SIGHUP and exits
 * as the child did (its idle RSS adds to the container's), and the child
 * ends when the parent is killed.
 */
export async function reexec(flags: readonly string[]): Promise<never> {
  const args = [...process.execArgv, ...flags, ...process.argv.slice(1)];
  const env = { ...process.env, [REEXEC_MARKER]: flags.join(' ') };
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve === 'function') execve.call(process, process.execPath, [process.execPath, ...args], env);
  // The IPC channel is how the child learns that this parent died without
  // passing a signal on (SIGKILL): the channel closes, and the child ends too.
  // Its own process group: a terminal's Ctrl-C reaches the child once, through
  // this parent, not twice (a second signal means "exit now" to lfcs).
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (signal) {
    // End the way the child ended, so the parent's own caller sees the signal.
    for (const forwarded of FORWARDED_SIGNALS) process.removeAllListeners(forwarded);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

/**
 * Before commander and the configuration schema load: when `args` run
 * `serve` or `demo` and early-config.ts can read `cache.maxEntries`,
 * re-executes with the heap options now (never returning), so that the
 * process replaced has loaded little. Otherwise returns, and applyV8Options,
 * after the full load, decides as it always did; in the re-executed process
 * it finds the marker and keeps the options.
 */
export async function applyV8OptionsEarly(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env[REEXEC_MARKER] !== undefined) return;
  const { earlyCacheMaxEntries } = await import('./early-config.js');
  const maxEntries = await earlyCacheMaxEntries(args, env);
  if (maxEntries === undefined) return;
  const plan = planV8Options({
    maxEntries,
    memoryLimitBytes: readMemoryLimit(),
    nodeOptions: env['NODE_OPTIONS'],
    execArgv: process.execArgv,
  });
  if (plan.flags.length) await reexec(plan.flags);
}

/** The plan this process runs with, once applyV8Options has run. */
let running: V8Plan | undefined;

/**
 * Gives this process the V8 heap options of a cache of `maxEntries` under the
 * container's memory limit: re-executes with them (never returning) unless it
 * already runs with them or the user set their own in NODE_OPTIONS or on
 * node's command line.
 */
export async function applyV8Options(maxEntries: number, env: NodeJS.ProcessEnv = process.env): Promise<V8Plan> {
  const marker = env[REEXEC_MARKER];
  delete env[REEXEC_MARKER];
  const reexecutedWith = marker === undefined ? undefined : marker.split(' ').filter(Boolean);
  if (reexecutedWith && process.channel) {
    // A child of a parent waiting on it (older Node, see reexec): end with the parent.
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  }
  const plan = planV8Options({
    maxEntries,
    memoryLimitBytes: readMemoryLimit(),
    nodeOptions: env['NODE_OPTIONS'],
    execArgv: process.execArgv,
    reexecutedWith,
  });
  if (plan.flags.length) await reexec(plan.flags);
  running = plan;
  return plan;
}

/**
 * What the start log says of the heap: the bound V8 really has, the flags it
 * came from and, when lfcs derived them, the memory limit and the old space a
 * full cache needs. `warning` when the memory limit is too small for the cache.
 */
export function heapReport(): { report: Record<string, unknown>; warning?: string } {
  const heapSizeLimitMi = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20);
  if (!running) return { report: { heapSizeLimitMi } };
  const { options, source } = running;
  const flags = process.execArgv.filter((arg) => userHeapFlags(arg, []).length > 0);
  const report = {
    heapSizeLimitMi,
    flags,
    source,
    neededOldSpaceMi: options.neededOldSpaceMi,
    ...(options.memoryLimitMi !== undefined && { memoryLimitMi: options.memoryLimitMi }),
  };
  const short = source === 'lfcs' && options.maxOldSpaceSizeMi < options.neededOldSpaceMi;
  return {
    report,
    ...(short && {
      warning:
        `memory limit ${options.memoryLimitMi} MiB is too small for cache.maxEntries: a full cache needs ` +
        `${options.neededOldSpaceMi} MiB of old space, bounded at ${options.maxOldSpaceSizeMi} MiB; raise the limit or lower cache.maxEntries`,
    }),
  };
}
