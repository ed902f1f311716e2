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
import { z } from 'zod';
import { configSchema, describeField, type ConfigOverrides } from './schema.js';
import { CONFIG_FILE_VARIABLE, envVariableName, parseEnvText, type EnvKind } from './env-text.js';

export { CONFIG_FILE_VARIABLE, envVariableName, type EnvKind } from './env-text.js';

/** One supported environment variable. */
export interface EnvVariable {
  readonly name: string;
  /** The configuration field it sets. */
  readonly path: readonly string[];
  readonly kind: EnvKind;
}

function unwrap(node: z.ZodType): z.ZodType {
  let current = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** How a leaf field's text is parsed, from its schema. */
function kindOf(field: z.ZodType): EnvKind {
  if ((field.meta() as { secret?: boolean } | undefined)?.secret) return 'secret';
  const node = unwrap(field);
  if (node instanceof z.ZodNumber) return node.format === 'safeint' || node.format === 'int32' ? 'integer' : 'number';
  if (node instanceof z.ZodBoolean) return 'boolean';
  if (node instanceof z.ZodArray) return 'list';
  return 'string';
}

/**
 * Every `LFCS_*` variable, derived from the schema: one per field,
 * `LFCS_<SECTION>_<FIELD>` in SCREAMING_SNAKE_CASE (`cache.minServeSeconds`
 * is `LFCS_CACHE_MIN_SERVE_SECONDS`), top-level fields as `LFCS_<FIELD>`.
 * `profiles` is a mapping of names, so it is set in the file only.
 */
function deriveVariables(): EnvVariable[] {
  const variables: EnvVariable[] = [];
  for (const [name, field] of Object.entries(configSchema.shape as Record<string, z.ZodType>)) {
    const node = unwrap(field);
    if (node instanceof z.ZodRecord) continue;
    if (!(node instanceof z.ZodObject)) {
      variables.push({ name: envVariableName([name]), path: [name], kind: kindOf(field) });
      continue;
    }
    for (const [key, child] of Object.entries(node.shape as Record<string, z.ZodType>)) {
      // A mapping inside a section (upstream.assumeRole) is set in the file only, like profiles.
      const inner = unwrap(child);
      if (inner instanceof z.ZodObject) continue;
      // So is a list of mappings (agent.bindings).
      if (inner instanceof z.ZodArray && unwrap(inner.element as z.ZodType) instanceof z.ZodObject) continue;
      variables.push({ name: envVariableName([name, key]), path: [name, key], kind: kindOf(child) });
    }
  }
  return variables;
}

/** Every `LFCS_*` variable that sets a configuration field, in schema order. */
export const ENV_VARIABLES: readonly EnvVariable[] = Object.freeze(deriveVariables());

const KNOWN_NAMES = [CONFIG_FILE_VARIABLE, ...ENV_VARIABLES.map((variable) => variable.name)];

/** The environment layer: the fields it sets, where each came from, and what could not be parsed. */
export interface EnvironmentLayer {
  overrides: ConfigOverrides;
  problems: ConfigProblem[];
  /** Rendered field path (`listen.port`) to the variable that set it. */
  origins: Map<string, string>;
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
    const parsed = parseEnvText(variable.kind, text);
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
        `no such variable${closest ? ` (did you mean ${closest}?)` : ''}; ` + `the known LFCS_* variables are ${KNOWN_NAMES.join(', ')}`,
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
