/**
 * Validation of a merged configuration object: the schema, then the
 * cross-field rules (`rules.ts`), all problems collected into one `ConfigError`, then a
 * deep freeze. Cross-field rules are checked even when unrelated fields are
 * invalid, using the defaults for fields that were not given, so one pass
 * reports everything.
 */
import type { z } from 'zod';
import { deepFreeze, isPlainObject } from '../core/objects.js';
import { ConfigError, redactValue, renderPath, suggest, type ConfigProblem } from './problems.js';
import { brokenRules, relationHints, withHints, type Effective, type Path } from './rule.js';
import { RELATIONS, RULES } from './rules.js';
import { acceptedKeysAt, configSchema, type Config } from './schema.js';

/** Where a field's value came from, by rendered path; fields without an entry came from the file or the object given. */
export type Origins = ReadonlyMap<string, string>;

export interface ValidateContext {
  /** Named in the error's header line, e.g. the file path. */
  source?: string;
  /** Problems found before validation (file, environment), reported first. */
  problems?: readonly ConfigProblem[];
  origins?: Origins;
}

const hasOwn = (object: object, key: PropertyKey) => Object.hasOwn(object, key);

function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null || !hasOwn(node, segment)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function originOf(origins: Origins | undefined, path: Path): string | undefined {
  if (!origins) return undefined;
  for (let length = path.length; length > 0; length--) {
    const origin = origins.get(renderPath(path.slice(0, length)));
    if (origin) return origin;
  }
  return undefined;
}

function problemAt(raw: unknown, path: Path, expected: string, origins: Origins | undefined): ConfigProblem {
  const value = valueAt(raw, path);
  const problem: ConfigProblem = {
    path: renderPath(path),
    value: redactValue(path, value),
    expected,
  };
  const source = originOf(origins, path);
  if (source) problem.source = source;
  return problem;
}

/** Turns one zod issue into problems; returns the paths it makes invalid. */
function issueProblems(issue: z.core.$ZodIssue, raw: unknown, origins: Origins | undefined) {
  const problems: ConfigProblem[] = [];
  const invalid: Path[] = [];
  if (issue.code === 'unrecognized_keys') {
    const accepted = acceptedKeysAt(issue.path) ?? [];
    for (const key of issue.keys) {
      const closest = suggest(key, accepted);
      const path = [...issue.path, key];
      problems.push(
        problemAt(
          raw,
          path,
          `no such key${closest ? ` (did you mean "${closest}"?)` : ''}; ` +
            `the keys accepted ${issue.path.length ? `in ${renderPath(issue.path)}` : 'at the top level'} are ${accepted.join(', ')}`,
          origins,
        ),
      );
      invalid.push(path);
    }
  } else if (issue.code === 'invalid_key') {
    // A bad profile name: the value is the name itself.
    const name = issue.path[issue.path.length - 1];
    const problem = problemAt(raw, issue.path, issue.issues[0]?.message ?? issue.message, origins);
    problems.push({ ...problem, value: name });
    invalid.push(issue.path);
  } else {
    problems.push(problemAt(raw, issue.path, issue.message, origins));
    invalid.push(issue.path);
  }
  return { problems, invalid };
}

// ---- cross-field rules ----

let defaultsCache: Config | undefined;
function defaults(): Config {
  // Any valid region: only the defaults of other fields are read from this.
  defaultsCache ??= configSchema.parse({ region: 'us-east-1' });
  return defaultsCache;
}

function makeEffective(raw: unknown, parsed: Config | undefined, invalid: readonly Path[]): Effective {
  if (parsed) return (path) => valueAt(parsed, path);
  const invalidKeys = invalid.map((path) => renderPath(path));
  return (path) => {
    for (let length = path.length; length >= 0; length--) {
      if (invalidKeys.includes(renderPath(path.slice(0, length)))) return undefined;
    }
    const given = valueAt(raw, path);
    return given !== undefined ? given : valueAt(defaults(), path);
  };
}

const RELATED_FIELDS = new Set(RELATIONS.flatMap(({ lower, upper }) => [...lower, upper].map((field) => renderPath(field))));

/** Appends relation bounds ("below cache.refreshBeforeExpirySeconds (1800)") to schema problems on related fields. */
function addRelationHints(problems: ConfigProblem[], effective: Effective): ConfigProblem[] {
  return problems.map((problem) => {
    if (!RELATED_FIELDS.has(problem.path)) return problem;
    const hints = relationHints(problem.path.split('.'), effective, RELATIONS);
    return hints.length ? { ...problem, expected: withHints(problem.expected, hints) } : problem;
  });
}

// ---- freezing and cleaning ----

/**
 * Drops `null` values: in YAML, a key with nothing after it (a section whose
 * lines are all commented out) means "use the defaults". A `null` profile is
 * kept, so it is reported rather than silently removed.
 */
export function stripNulls(value: unknown, path: Path = []): unknown {
  if (Array.isArray(value)) return value.map((item, index) => stripNulls(item, [...path, index]));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = value[key];
    const isProfileEntry = path.length === 1 && path[0] === 'profiles';
    if (child === null && !isProfileEntry) continue;
    // defineProperty: a "__proto__" key stays an ordinary (and then rejected) key.
    Object.defineProperty(out, key, {
      value: stripNulls(child, [...path, key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Validates a merged configuration object: schema, then cross-field rules.
 * Throws one `ConfigError` with every problem (including `context.problems`);
 * returns the deep-frozen, fully defaulted configuration.
 */
export function validate(raw: unknown, context: ValidateContext = {}): Config {
  const problems: ConfigProblem[] = [...(context.problems ?? [])];
  const result = configSchema.safeParse(raw);
  const invalid: Path[] = [];
  const schemaProblems: ConfigProblem[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const converted = issueProblems(issue, raw, context.origins);
      schemaProblems.push(...converted.problems);
      invalid.push(...converted.invalid);
    }
  }
  const effective = makeEffective(raw, result.success ? result.data : undefined, invalid);
  problems.push(...addRelationHints(schemaProblems, effective));
  const given = (path: Path) => valueAt(raw, path) !== undefined;
  for (const broken of brokenRules(RULES, effective, given)) {
    problems.push(problemAt(raw, broken.path, broken.expected, context.origins));
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems, context.source);
  return deepFreeze(result.data);
}

/**
 * Serve-time check that a token source is configured: `auth.token` (from
 * `LFCS_AUTH_TOKEN`) or `auth.tokenFile`. Separate from validation so that
 * `lfcs config check` of a file alone does not fail for a missing token.
 * Throws `ConfigError`.
 */
export function requireAuthSource(config: Config): void {
  // Agent mode authenticates each pod by its service-account token instead.
  if (config.mode === 'agent') return;
  if (config.auth.token !== undefined || config.auth.tokenFile !== undefined) return;
  throw new ConfigError([
    {
      path: 'auth.tokenFile',
      value: undefined,
      expected:
        'a token source: set LFCS_AUTH_TOKEN, or auth.tokenFile / LFCS_AUTH_TOKEN_FILE (a file without a ' +
        'trailing newline); clients send the same token from AWS_CONTAINER_AUTHORIZATION_TOKEN or its _FILE',
    },
  ]);
}
