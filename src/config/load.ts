/**
 * Loads the configuration from its three sources, in increasing precedence:
 * the YAML file, `LFCS_*` environment variables, then command-line overrides.
 * Mappings are merged key by key; lists and scalars replace. The merged
 * object is validated once (`validate.ts`) and frozen.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { CONFIG_FILE_VARIABLE, readEnvironment } from './env.js';
import { REDACTED, renderPath, type ConfigProblem } from './problems.js';
import type { Config, ConfigOverrides } from './schema.js';
import { isPlainObject } from '../core/objects.js';
import { stripNulls, validate } from './validate.js';

/** Inputs of `loadConfig`. Nothing is read from `process.env`: the caller passes it. */
export interface LoadConfigInput {
  /** YAML file path (`--config`). Default: `env.LFCS_CONFIG`; with neither, no file is read. */
  file?: string;
  /** Environment to read `LFCS_*`, `AWS_REGION` and `AWS_DEFAULT_REGION` from. Default `{}`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Highest-precedence layer, from command-line flags. `undefined` values are ignored. */
  overrides?: ConfigOverrides;
}

const OVERRIDES_ORIGIN = 'command-line flags';

/**
 * Reads, merges, validates and freezes the configuration. Region falls back
 * to `AWS_REGION`, then `AWS_DEFAULT_REGION`, when no layer sets it. Throws
 * one `ConfigError` listing every problem: file, environment, schema and
 * cross-field rules together.
 */
export async function loadConfig(input: LoadConfigInput = {}): Promise<Config> {
  const env = input.env ?? {};
  const problems: ConfigProblem[] = [];
  const origins = new Map<string, string>();
  const merged: Record<string, unknown> = {};
  const sources: string[] = [];

  const file = input.file ?? (env[CONFIG_FILE_VARIABLE] || undefined);
  if (file !== undefined) {
    sources.push(file);
    const fromFile = await readConfigFile(file);
    problems.push(...fromFile.problems);
    mergeInto(merged, fromFile.value, () => undefined, origins);
  }

  const fromEnv = readEnvironment(env);
  problems.push(...fromEnv.problems);
  if (fromEnv.origins.size > 0 || fromEnv.problems.length > 0) sources.push('LFCS_* environment variables');
  mergeInto(merged, fromEnv.overrides, (path) => fromEnv.origins.get(path), origins);

  if (input.overrides !== undefined) {
    const overrides = stripNulls(input.overrides);
    if (isPlainObject(overrides) && Object.keys(overrides).length > 0) sources.push(OVERRIDES_ORIGIN);
    mergeInto(merged, overrides, () => OVERRIDES_ORIGIN, origins);
  }

  if (merged.region === undefined) {
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
      const region = env[name];
      if (region) {
        merged.region = region;
        origins.set('region', name);
        break;
      }
    }
  }

  return validate(merged, { source: sources.join(', ') || undefined, problems, origins });
}

/**
 * Validates one configuration object (e.g. parsed YAML, or a test fixture)
 * and returns it fully defaulted and deep-frozen. No environment fallbacks.
 * YAML `null` values mean "not set". Throws `ConfigError`.
 *
 * @param source named in the error's header line, e.g. a file name
 */
export function parseConfig(raw: unknown, source?: string): Config {
  return validate(stripNulls(raw), { source });
}

/** Reads and parses the YAML file; problems (unreadable, bad YAML, a token in the file) are returned, not thrown. */
async function readConfigFile(file: string): Promise<{ value: unknown; problems: ConfigProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return {
      value: {},
      problems: [{ path: 'config file', value: file, expected: `a readable YAML file (reading it failed: ${code})` }],
    };
  }

  const lineCounter = new LineCounter();
  // prettyErrors off: pretty errors quote the offending line, which could hold a secret.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      value: {},
      problems: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return {
          path: 'config file',
          value: file,
          expected: `valid YAML (line ${line}, column ${col}: ${error.message})`,
        };
      }),
    };
  }

  const value = stripNulls(document.toJS({ maxAliasCount: 100 }));
  const problems: ConfigProblem[] = [];
  if (value === null || value === undefined) return { value: {}, problems };
  if (!isPlainObject(value)) {
    // Reported by the schema would say "(top level)"; say which layer instead.
    problems.push({
      path: 'config file',
      // Described, not echoed: a file holding just a token is a plausible mistake.
      value: Array.isArray(value) ? '(a list)' : `(a ${typeof value})`,
      expected: 'a YAML mapping of configuration keys (region, upstream, listen, ...)',
    });
    return { value: {}, problems };
  }
  const auth = value.auth;
  if (isPlainObject(auth) && Object.hasOwn(auth, 'token')) {
    // Secrets do not belong in files that get committed, copied and printed.
    problems.push({
      path: 'auth.token',
      value: REDACTED,
      expected: 'not set in a config file: pass the token in LFCS_AUTH_TOKEN, or name a token file in auth.tokenFile',
    });
    delete auth.token;
  }
  return { value, problems };
}

/**
 * Merges `layer` into `target`: mappings key by key, everything else
 * replaced. `undefined` is skipped, so unset CLI flags can be passed as is.
 * Records, for each value set, which source it came from.
 */
function mergeInto(
  target: Record<string, unknown>,
  layer: unknown,
  originFor: (renderedPath: string) => string | undefined,
  origins: Map<string, string>,
  path: string[] = [],
): void {
  if (!isPlainObject(layer)) return;
  for (const key of Object.keys(layer)) {
    const value = layer[key];
    if (value === undefined) continue;
    const childPath = [...path, key];
    const rendered = renderPath(childPath);
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (isPlainObject(value)) {
      const child = isPlainObject(existing) ? existing : {};
      setOwn(target, key, child);
      mergeInto(child, value, originFor, origins, childPath);
      continue;
    }
    setOwn(target, key, Array.isArray(value) ? [...value] : value);
    for (const known of [...origins.keys()]) if (known.startsWith(`${rendered}.`)) origins.delete(known);
    const origin = originFor(rendered);
    if (origin) origins.set(rendered, origin);
    else origins.delete(rendered);
  }
}

// defineProperty: a "__proto__" key stays an ordinary (and then rejected) key instead of a prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
