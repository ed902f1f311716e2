/**
 * The `LFCS_*` environment variables, mapped onto configuration fields.
 *
 * Values are parsed strictly: `LFCS_LISTEN_PORT=abc`, `=12abc` or `=0x10` is a
 * problem naming the variable, never a silent default. An empty value counts
 * as unset, because compose files and Helm templates render an unset
 * variable as `VAR=`. Unknown `LFCS_*` names are problems too (typo
 * protection), except `LFCS_CONFIG`, the config file path.
 */
import { REDACTED, renderPath, suggest, ConfigError, type ConfigProblem } from './problems.js';
import { describeField, type ConfigOverrides } from './schema.js';

/** How a variable's text becomes a value. `list` is comma-separated; `secret` is taken verbatim and never echoed. */
export type EnvKind = 'string' | 'secret' | 'integer' | 'number' | 'boolean' | 'list';

/** One supported environment variable. */
export interface EnvVariable {
  readonly name: string;
  /** The configuration field it sets. */
  readonly path: readonly string[];
  readonly kind: EnvKind;
}

/** Names the config file when `loadConfig` is not given `file`. */
export const CONFIG_FILE_VARIABLE = 'LFCS_CONFIG';

const CACHE_FIELDS = [
  'maxEntries',
  'refreshBeforeExpirySeconds',
  'minServeSeconds',
  'hardMinimumSeconds',
  'idleSeconds',
  'negativeTtlSeconds',
  'refreshJitterSeconds',
] as const;

const screamingSnake = (camel: string) => camel.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

/** Every `LFCS_*` variable that sets a configuration field, in documentation order. */
export const ENV_VARIABLES: readonly EnvVariable[] = Object.freeze([
  { name: 'LFCS_REGION', path: ['region'], kind: 'string' },
  { name: 'LFCS_UPSTREAM_ENDPOINT', path: ['upstream', 'endpoint'], kind: 'string' },
  { name: 'LFCS_UPSTREAM_TIMEOUT_MS', path: ['upstream', 'timeoutMs'], kind: 'integer' },
  { name: 'LFCS_UPSTREAM_MAX_ATTEMPTS', path: ['upstream', 'maxAttempts'], kind: 'integer' },
  { name: 'LFCS_UPSTREAM_MAX_CONCURRENCY', path: ['upstream', 'maxConcurrency'], kind: 'integer' },
  { name: 'LFCS_UPSTREAM_RATE_PER_SECOND', path: ['upstream', 'ratePerSecond'], kind: 'number' },
  { name: 'LFCS_UPSTREAM_BURST', path: ['upstream', 'burst'], kind: 'integer' },
  { name: 'LFCS_LISTEN_HOST', path: ['listen', 'host'], kind: 'string' },
  { name: 'LFCS_LISTEN_PORT', path: ['listen', 'port'], kind: 'integer' },
  { name: 'LFCS_ADMIN_HOST', path: ['admin', 'host'], kind: 'string' },
  { name: 'LFCS_ADMIN_PORT', path: ['admin', 'port'], kind: 'integer' },
  { name: 'LFCS_AUTH_TOKEN_FILE', path: ['auth', 'tokenFile'], kind: 'string' },
  { name: 'LFCS_AUTH_TOKEN', path: ['auth', 'token'], kind: 'secret' },
  { name: 'LFCS_DYNAMIC_ENABLED', path: ['dynamic', 'enabled'], kind: 'boolean' },
  { name: 'LFCS_DYNAMIC_ALLOWED_TABLES', path: ['dynamic', 'allowedTables'], kind: 'list' },
  ...CACHE_FIELDS.map((field): EnvVariable => ({
    name: `LFCS_CACHE_${screamingSnake(field)}`,
    path: ['cache', field],
    kind: 'integer',
  })),
  { name: 'LFCS_PREWARM_ENABLED', path: ['prewarm', 'enabled'], kind: 'boolean' },
  { name: 'LFCS_SHUTDOWN_DRAIN_SECONDS', path: ['shutdown', 'drainSeconds'], kind: 'integer' },
  // Not in the original list, but without it raising drainSeconds by
  // environment alone could never satisfy graceSeconds > drainSeconds.
  { name: 'LFCS_SHUTDOWN_GRACE_SECONDS', path: ['shutdown', 'graceSeconds'], kind: 'integer' },
  { name: 'LFCS_LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
]);

const KNOWN_NAMES = [CONFIG_FILE_VARIABLE, ...ENV_VARIABLES.map((variable) => variable.name)];

/** The environment layer: the fields it sets, where each came from, and what could not be parsed. */
export interface EnvironmentLayer {
  overrides: ConfigOverrides;
  problems: ConfigProblem[];
  /** Rendered field path (`listen.port`) to the variable that set it. */
  origins: Map<string, string>;
}

type ParseResult = { ok: true; value: unknown } | { ok: false };

function parse(kind: EnvKind, text: string): ParseResult {
  const trimmed = text.trim();
  switch (kind) {
    case 'string':
    case 'secret':
      return { ok: true, value: text };
    case 'integer':
      // Decimal digits only: Number() would also take "0x10", "1e3" and " ".
      return /^[+-]?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))
        ? { ok: true, value: Number(trimmed) }
        : { ok: false };
    case 'number':
      return /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/.test(trimmed) ? { ok: true, value: Number(trimmed) } : { ok: false };
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === '1') return { ok: true, value: true };
      if (lower === 'false' || lower === '0') return { ok: true, value: false };
      return { ok: false };
    }
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
  }
}

function parseExpected(variable: EnvVariable): string {
  const field = describeField(variable.path) ?? 'a valid value';
  if (variable.kind === 'integer') return `${field}, written in decimal digits`;
  if (variable.kind === 'number') return `${field}, written in decimal notation`;
  if (variable.kind === 'boolean') return 'true or false (1 or 0 also accepted)';
  return field;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * Reads the `LFCS_*` variables of `env` and collects, rather than throws,
 * every problem found: unparsable values and unknown `LFCS_*` names.
 * `loadConfig` uses this so these problems are reported with all others.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentLayer {
  const overrides: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const origins = new Map<string, string>();

  for (const variable of ENV_VARIABLES) {
    const text = env[variable.name];
    if (text === undefined || text === '') continue;
    const parsed = parse(variable.kind, text);
    const path = renderPath(variable.path);
    if (!parsed.ok) {
      problems.push({ path, value: text, expected: parseExpected(variable), source: variable.name });
      continue;
    }
    setAt(overrides, variable.path, parsed.value);
    origins.set(path, variable.name);
  }

  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('LFCS_') && !KNOWN_NAMES.includes(name))
    .sort();
  for (const name of unknown) {
    const closest = suggest(name, KNOWN_NAMES);
    problems.push({
      path: name,
      // Never echoed: an unknown name may be a misspelled LFCS_AUTH_TOKEN.
      value: REDACTED,
      expected:
        `no such variable${closest ? ` (did you mean ${closest}?)` : ''}; ` +
        `the known LFCS_* variables are ${KNOWN_NAMES.join(', ')}`,
    });
  }

  return { overrides: overrides as ConfigOverrides, problems, origins };
}

/**
 * The configuration fields set by `LFCS_*` variables, as a partial
 * configuration. Throws a `ConfigError` listing every unparsable value and
 * unknown `LFCS_*` name. (`loadConfig` reports these together with all other
 * problems instead.)
 */
export function envToOverrides(env: Readonly<Record<string, string | undefined>>): ConfigOverrides {
  const layer = readEnvironment(env);
  if (layer.problems.length > 0) throw new ConfigError(layer.problems, 'LFCS_* environment variables');
  return layer.overrides;
}
