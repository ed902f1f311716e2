/**
 * Node's compile cache (`module.enableCompileCache`, Node >= 22.1): V8 writes
 * the code it compiled for lfcs and its dependencies to disk, and the next
 * start reads it back instead of parsing and compiling every module again
 * (measured in bench/RESULTS.md, "Start"). Node 20 has none: lfcs starts
 * without it.
 *
 * Where: Node's own NODE_COMPILE_CACHE when set (Node enables it before lfcs
 * runs), else `lfcs-compile-cache-<uid>` in the temporary directory. Off with
 * Node's own NODE_DISABLE_COMPILE_CACHE=1, and whenever that directory cannot
 * be created or written (a read-only root filesystem) or is not this user's
 * own: lfcs starts all the same, only without the cache.
 */
import { accessSync, constants, lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What enableCompileCache did: the directory in use, or why there is none. */
export type CompileCacheState = { enabled: true; directory: string } | { enabled: false; reason: string };

/** The part of `node:module` this uses; absent on Node 20. */
interface CompileCacheApi {
  enableCompileCache?: (directory?: string) => { status: number; message?: string; directory?: string };
  flushCompileCache?: () => void;
  constants?: { compileCacheStatus?: Record<'FAILED' | 'ENABLED' | 'ALREADY_ENABLED' | 'DISABLED', number> };
}

/**
 * Enables the compile cache for the modules this process loads from now on.
 * `env`, `temporaryDirectory` and `api` are for tests.
 */
export function enableCompileCache(
  env: Readonly<Record<string, string | undefined>> = process.env,
  temporaryDirectory: string = tmpdir(),
  api: CompileCacheApi = module as unknown as CompileCacheApi,
): CompileCacheState {
  const enable = api.enableCompileCache;
  const statuses = api.constants?.compileCacheStatus;
  if (typeof enable !== 'function' || statuses === undefined) return { enabled: false, reason: 'not in this Node' };
  if (env['NODE_DISABLE_COMPILE_CACHE']) return { enabled: false, reason: 'NODE_DISABLE_COMPILE_CACHE' };
  const uid = process.getuid?.() ?? 0;
  // Node's own variable: Node enabled it at start, in that directory.
  const directory = env['NODE_COMPILE_CACHE'] || join(temporaryDirectory, `lfcs-compile-cache-${uid}`);
  if (!env['NODE_COMPILE_CACHE']) {
    const problem = usableDirectory(directory, uid);
    if (problem !== undefined) return { enabled: false, reason: problem };
  }
  const result = enable.call(api, directory);
  if (result.status === statuses.ENABLED || result.status === statuses.ALREADY_ENABLED) {
    return { enabled: true, directory: result.directory ?? directory };
  }
  return { enabled: false, reason: result.message ?? 'disabled' };
}

/**
 * Why `directory` cannot hold the cache, or undefined when it can: created
 * here if missing (private to this user), else it must be a real directory of
 * this user's that nobody else can write to (code read from it runs), and
 * writable. Checked before Node is given it: Node's own check spins on some
 * paths it cannot create (a path under /proc, Node 24.22).
 */
function usableDirectory(directory: string, uid: number): string | undefined {
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot create ${directory}: ${(error as NodeJS.ErrnoException).code}`;
  }
  try {
    const stat = lstatSync(directory);
    if (!stat.isDirectory()) return `${directory} is not a directory`;
    if (stat.uid !== uid || (stat.mode & 0o022) !== 0) return `${directory} is not this user's own`;
    accessSync(directory, constants.W_OK);
    return undefined;
  } catch (error) {
    return `cannot write ${directory}: ${(error as NodeJS.ErrnoException).code}`;
  }
}

/**
 * Writes what the compile cache holds so far, once lfcs is ready: a process
 * that is later killed, not stopped, still leaves the cache for the next start.
 */
export function flushCompileCache(api: CompileCacheApi = module as unknown as CompileCacheApi): void {
  try {
    api.flushCompileCache?.();
  } catch {
    // A cache that cannot be written costs the next start time, never this one's work.
  }
}
