/**
 * The V8 heap options lfcs gives itself, derived from `cache.maxEntries` and
 * the container's memory limit (cgroup), so that `lfcs serve` from a shell,
 * `npm start`, the image and the Helm chart all run with the same bounds.
 *
 * Why lfcs sets them at all: Node's defaults size the heap from the machine,
 * not the container, and collect late. Measured (bench/RESULTS.md), a cache
 * of 100k leases sat at 1,237 MiB of RSS with Node's defaults and 665 MiB with
 * an old-space bound and a 1 MiB semi-space.
 *
 * The Helm chart's memory request and limit come from MEMORY_MODEL too
 * (`npm run generate` writes it into values.yaml's `sidecar.memory`), and
 * the chart sets no V8 option: in the pod, lfcs reads the limit the chart set
 * from its cgroup and derives the same bound it would anywhere else.
 */
import { readFileSync } from 'node:fs';

/**
 * Measured figures behind every memory bound (bench/RESULTS.md, "Memory").
 * One definition: the chart's values.yaml `sidecar.memory` is generated from
 * the chart part, and the V8 bound from the heap part.
 */
export const MEMORY_MODEL = {
  chart: {
    /** `lfcs serve`'s RSS with an empty cache, MiB, rounded up (measured 85-89). */
    baseMi: 88,
    /** RSS budget per cached lease, KiB (measured 5.5 KB with the bound below): the request adds it once, the limit twice. */
    perEntryKi: 4,
    /** Above the entries' share in the limit: a burst of misses and the collector's slack, MiB. */
    headroomMi: 96,
  },
  heap: {
    /** Live heap of an idle `lfcs serve`, MiB, with headroom (measured 17 MiB after a full collection). */
    baseMi: 64,
    /**
     * Heap per cached lease measured in `lfcs serve` at 100k leases, bytes
     * (bench/RESULTS.md, cost curve: heap used 3 s after the fill, so an upper
     * bound on the live heap; 3.5 KB before the compact lease).
     */
    measuredPerEntryBytes: 2257,
    /**
     * Old-space budget per cached lease, KiB: about 1.8 times the measured
     * heap per lease, so a full cache leaves the collector room and never
     * reaches the bound.
     */
    perEntryKi: 4,
    /** The old space stays below this share of a container memory limit: the rest is code, stacks, buffers and the young generation. */
    percentOfLimit: 75,
    /** Young-generation semi-space, MiB: the chart's long-standing setting, which keeps RSS down (bench/RESULTS.md). */
    semiSpaceMi: 1,
    /**
     * V8's allocation-site pretenuring, off. A cache miss holds its request's
     * objects across the Lake Formation call, so after a few hundred misses
     * V8 decides that objects made where every request's are made live long,
     * and allocates them in the old space from then on: measured with 1,000
     * cached leases, the hit path took 60 µs of CPU per request instead of 35,
     * with 7 full collections a second and a p99 of 12 ms instead of 4
     * (bench/RESULTS.md). Off, long-lived objects reach the old space the
     * ordinary way, by surviving young collections.
     */
    allocationSitePretenuring: false,
  },
} as const;

/** The chart's memory request and limit for a cache size (the formula of `lfcs.memory` in the chart's _helpers.tpl). */
export function chartMemory(maxEntries: number): { requestMi: number; limitMi: number } {
  const { baseMi, perEntryKi, headroomMi } = MEMORY_MODEL.chart;
  const entriesMi = Math.ceil((maxEntries * perEntryKi) / 1024);
  const requestMi = baseMi + entriesMi;
  return { requestMi, limitMi: requestMi + entriesMi + headroomMi };
}

export interface V8HeapOptions {
  /** `--max-old-space-size`, MiB. */
  maxOldSpaceSizeMi: number;
  /** `--max-semi-space-size`, MiB. */
  maxSemiSpaceSizeMi: number;
  /** `--[no-]allocation-site-pretenuring`. */
  allocationSitePretenuring: boolean;
  /** The old space a full cache needs, MiB; above maxOldSpaceSizeMi when the memory limit is too small for `cache.maxEntries`. */
  neededOldSpaceMi: number;
  /** The container's memory limit, MiB, when one was found. */
  memoryLimitMi?: number;
}

/**
 * The V8 heap options for a cache of `maxEntries` leases under an optional
 * memory limit: the old space a full cache needs (MEMORY_MODEL.heap), capped
 * at `percentOfLimit` of the limit so that V8 collects before the kernel
 * kills; `neededOldSpaceMi` tells when the cap bites.
 */
export function deriveV8Options(input: { maxEntries: number; memoryLimitBytes?: number | undefined }): V8HeapOptions {
  const { baseMi, perEntryKi, percentOfLimit, semiSpaceMi, allocationSitePretenuring } = MEMORY_MODEL.heap;
  const neededOldSpaceMi = baseMi + Math.ceil((input.maxEntries * perEntryKi) / 1024);
  const fixed = { maxSemiSpaceSizeMi: semiSpaceMi, allocationSitePretenuring, neededOldSpaceMi };
  if (input.memoryLimitBytes === undefined) return { maxOldSpaceSizeMi: neededOldSpaceMi, ...fixed };
  const memoryLimitMi = Math.floor(input.memoryLimitBytes / 2 ** 20);
  const capMi = Math.max(16, Math.floor((memoryLimitMi * percentOfLimit) / 100));
  return { maxOldSpaceSizeMi: Math.min(neededOldSpaceMi, capMi), ...fixed, memoryLimitMi };
}

/** The node command-line flags of a set of options. */
export function v8Flags(options: Pick<V8HeapOptions, 'maxOldSpaceSizeMi' | 'maxSemiSpaceSizeMi' | 'allocationSitePretenuring'>): string[] {
  return [
    `--max-old-space-size=${options.maxOldSpaceSizeMi}`,
    `--max-semi-space-size=${options.maxSemiSpaceSizeMi}`,
    `--${options.allocationSitePretenuring ? '' : 'no-'}allocation-site-pretenuring`,
  ];
}

/** Above this a cgroup v1 limit means "none" (the kernel writes the largest page-aligned 63-bit value). */
const V1_UNLIMITED = 2 ** 60;

/**
 * The memory limit of the cgroup this process runs in, in bytes, or
 * undefined when there is none: cgroup v2 `memory.max`, else v1
 * `memory.limit_in_bytes`, the smallest along the path from the process's own
 * cgroup (/proc/self/cgroup) up to the hierarchy's root. In a container the
 * hierarchy's root is the container's own cgroup, whose limit is the pod's
 * `resources.limits.memory`. `root` and `readFile` are for tests.
 */
export function readMemoryLimit(
  root = '/sys/fs/cgroup',
  readFile: (path: string) => string | undefined = readOrUndefined,
): number | undefined {
  const membership = readFile('/proc/self/cgroup') ?? '';
  const v2Path = /^0::(\/.*)$/m.exec(membership)?.[1];
  const v1Path = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(membership)?.[1];
  const limits: number[] = [];
  const collect = (base: string, path: string, file: string, parse: (text: string) => number | undefined) => {
    // The process's own cgroup and each ancestor; a path the mount does not
    // show (a container without its own cgroup namespace) falls back to the mount's root.
    const parts = path.split('/').filter(Boolean);
    for (let depth = parts.length; depth >= 0; depth--) {
      const text = readFile(`${base}${depth ? `/${parts.slice(0, depth).join('/')}` : ''}/${file}`);
      const limit = text === undefined ? undefined : parse(text.trim());
      if (limit !== undefined) limits.push(limit);
    }
  };
  const v2 = (text: string) => (/^\d+$/.test(text) ? Number(text) : undefined); // "max": none
  const v1 = (text: string) => (/^\d+$/.test(text) && Number(text) < V1_UNLIMITED ? Number(text) : undefined);
  collect(root, v2Path ?? '/', 'memory.max', v2);
  if (v2Path !== undefined) collect(`${root}/unified`, v2Path, 'memory.max', v2);
  collect(`${root}/memory`, v1Path ?? '/', 'memory.limit_in_bytes', v1);
  return limits.length ? Math.min(...limits) : undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The V8 flags lfcs sets; a user's own value of one of them (NODE_OPTIONS or node's command line) wins. */
const OWN_FLAG_NAMES = ['max-old-space-size', 'max-semi-space-size', 'allocation-site-pretenuring'] as const;
/** The flags that bound the heap: whose they are is the plan's `source`. */
const BOUND_FLAG_NAMES: readonly string[] = ['max-old-space-size', 'max-semi-space-size'];

/** The flag names among OWN_FLAG_NAMES that the user already gave, in NODE_OPTIONS or on node's command line. */
export function userHeapFlags(nodeOptions: string | undefined, execArgv: readonly string[]): string[] {
  const given = `${nodeOptions ?? ''} ${execArgv.join(' ')}`;
  // V8 accepts dashes and underscores alike in flag names, and `--no-x`, `--nox` for a boolean's false.
  return OWN_FLAG_NAMES.filter((name) => new RegExp(`--(?:no[-_]?)?${name.replace(/-/g, '[-_]')}(=|\\s|$)`).test(given));
}

/** The name of one of lfcs's flags: `--max-old-space-size=64` and `--no-allocation-site-pretenuring` name themselves without value or `no-`. */
function flagName(flag: string): string {
  return flag.replace(/^--(?:no-)?/, '').replace(/=.*$/, '');
}

/** The marker a re-executed lfcs finds in its environment: it never re-executes twice. */
export const REEXEC_MARKER = '_LFCS_V8_OPTIONS';

export interface V8Plan {
  options: V8HeapOptions;
  /** The flags to re-execute with: empty when the process already runs with them or the user chose their own. */
  flags: string[];
  /** Where the running process's heap bounds come from: lfcs's derivation, the user's own flags, or (re-executed) lfcs's. */
  source: 'lfcs' | 'user';
}

/** Which flags the process still needs, given what the user set and what an earlier run of lfcs added (`reexecutedWith`). */
export function planV8Options(input: {
  maxEntries: number;
  memoryLimitBytes?: number | undefined;
  nodeOptions?: string | undefined;
  execArgv: readonly string[];
  /** The flags lfcs re-executed with (the marker's value), when this is the re-executed process. */
  reexecutedWith?: readonly string[] | undefined;
}): V8Plan {
  const options = deriveV8Options(input);
  const added = new Set(input.reexecutedWith ?? []);
  const own = new Set(
    userHeapFlags(
      input.nodeOptions,
      input.execArgv.filter((arg) => !added.has(arg)),
    ),
  );
  const source = BOUND_FLAG_NAMES.some((name) => own.has(name)) ? 'user' : 'lfcs';
  if (input.reexecutedWith !== undefined) return { options, flags: [], source };
  const flags = v8Flags(options).filter((flag) => !own.has(flagName(flag)));
  return { options, flags, source };
}
