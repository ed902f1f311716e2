/**
 * What lfcs reads of its configuration before it loads the rest of itself:
 * `cache.maxEntries`, which sizes the V8 heap lfcs re-executes with
 * (reexec.ts). The full loader would first load commander, zod and the
 * configuration schema in a process about to be replaced (about +225 ms of
 * CPU to ready, bench/RESULTS.md); this reads the same layers (the file, then
 * `LFCS_CACHE_MAX_ENTRIES`; no flag sets it) with the YAML parser alone. It
 * answers `undefined` whenever it cannot be sure (an unreadable file, bad
 * YAML, a value out of range): the full, validated load then decides, and
 * reports the problem, as it always did.
 */
import { readFile } from 'node:fs/promises';
import { MAX_ENTRIES } from '../cache/max-entries.js';
import { CONFIG_FILE_VARIABLE, envVariableName, parseEnvText } from '../config/env-text.js';
import { isPlainObject } from '../core/objects.js';
import { DEMO_CONFIG_FILE } from './demo-config.js';
import { packageFile } from './version.js';

const MAX_ENTRIES_VARIABLE = envVariableName(['cache', 'maxEntries']);

/** Marks a layer that sets `cache.maxEntries` to something the full load would reject. */
const INVALID = Symbol('invalid');

/**
 * `cache.maxEntries` as `loadConfig({ file, env })` would give it, or
 * undefined when the configuration is not valid enough to say. `file`
 * defaults to `LFCS_CONFIG`, as in `loadConfig`.
 */
export async function readCacheMaxEntries(input: {
  file?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<number | undefined> {
  let value: unknown;
  const text = input.env[MAX_ENTRIES_VARIABLE];
  // An empty value counts as unset, as in env.ts.
  if (text !== undefined && text !== '') {
    const parsed = parseEnvText('integer', text);
    value = parsed.ok ? parsed.value : INVALID;
  } else {
    const file = input.file ?? (input.env[CONFIG_FILE_VARIABLE] || undefined);
    value = file === undefined ? undefined : await maxEntriesInFile(file);
  }
  if (value === undefined) return MAX_ENTRIES.default;
  return typeof value === 'number' && Number.isInteger(value) && value >= MAX_ENTRIES.min && value <= MAX_ENTRIES.max ? value : undefined;
}

/** `cache.maxEntries` of a YAML file: undefined when the file leaves it unset (or null), INVALID when the file cannot be read as the loader reads it. */
async function maxEntriesInFile(file: string): Promise<unknown> {
  try {
    const { parseDocument } = await import('yaml');
    // The loader's own options (config/load.ts), so that a file it rejects is not read here.
    const document = parseDocument(await readFile(file, 'utf8'), { prettyErrors: false, uniqueKeys: true });
    if (document.errors.length > 0) return INVALID;
    const root: unknown = document.toJS({ maxAliasCount: 100 });
    if (root === null || root === undefined) return undefined;
    if (!isPlainObject(root)) return INVALID;
    const cache = root['cache'];
    if (cache === null || cache === undefined) return undefined;
    if (!isPlainObject(cache)) return INVALID;
    return cache['maxEntries'] ?? undefined;
  } catch {
    return INVALID;
  }
}

/**
 * The `--config` file among `lfcs serve`'s arguments, in each form commander
 * takes (`--config f`, `--config=f`, `-c f`, `-cf`; the last one wins):
 * `{ file }`, with `file` undefined when there is none, or undefined when the
 * arguments ask for help or end the options (`--`), where lfcs decides nothing early.
 */
export function configFileArgument(args: readonly string[]): { file: string | undefined } | undefined {
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--' || arg === '--help' || arg === '-h') return undefined;
    if (arg === '--config' || arg === '-c') {
      const next = args[i + 1];
      if (next === undefined) return undefined;
      file = next;
      i++;
    } else if (arg.startsWith('--config=')) file = arg.slice('--config='.length);
    else if (arg.startsWith('-c') && !arg.startsWith('--')) file = arg.slice(2);
  }
  return { file };
}

/**
 * `cache.maxEntries` for the command `args` run (`serve` or `demo`), read
 * early, or undefined when the command decides its heap later or the
 * configuration cannot be read early (see above).
 */
export async function earlyCacheMaxEntries(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number | undefined> {
  const [command, ...rest] = args;
  if (command !== 'serve' && command !== 'demo') return undefined;
  const config = configFileArgument(rest);
  if (config === undefined) return undefined;
  if (command === 'serve') return readCacheMaxEntries({ file: config.file, env });
  // The demo is self-contained, as in demo-config.ts: its own file, no LFCS_* variables.
  return readCacheMaxEntries({ file: packageFile(DEMO_CONFIG_FILE), env: {} });
}
