/**
 * Validation of a merged configuration object: the schema, then the
 * cross-field rules, all problems collected into one `ConfigError`, then a
 * deep freeze. Cross-field rules are checked even when unrelated fields are
 * invalid, using the defaults for fields that were not given, so one pass
 * reports everything.
 */
import type { z } from 'zod';
import { isLoopbackHost } from '../core/hosts.js';
import { deepFreeze, isPlainObject } from '../core/objects.js';
import { ConfigError, redactValue, renderPath, suggest, type ConfigProblem } from './problems.js';
import { acceptedKeysAt, configSchema, describeField, SECTION_RELATIONS, type Config } from './schema.js';

/** Where a field's value came from, by rendered path; fields without an entry came from the file or the object given. */
export type Origins = ReadonlyMap<string, string>;

export interface ValidateContext {
  /** Named in the error's header line, e.g. the file path. */
  source?: string;
  /** Problems found before validation (file, environment), reported first. */
  problems?: readonly ConfigProblem[];
  origins?: Origins;
}

type Path = readonly PropertyKey[];

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

/**
 * Numeric relations between fields: the sum of `lower` must stay below (or,
 * when not strict, at most) `upper`. Each rule is used both to check and to
 * describe a field's accepted values in terms of the others.
 */
interface Relation {
  lower: Path[];
  upper: Path;
  strict: boolean;
}

/** The rules each section defines (`SECTION_RELATIONS`), with paths from the configuration's root. */
const RELATIONS: readonly Relation[] = Object.entries(SECTION_RELATIONS).flatMap(([sectionName, relations]) =>
  relations.map((relation) => ({
    lower: relation.lower.map((field) => [sectionName, field]),
    upper: [sectionName, relation.upper],
    strict: relation.strict,
  })),
);

let defaultsCache: Config | undefined;
function defaults(): Config {
  // Any valid region: only the defaults of other fields are read from this.
  defaultsCache ??= configSchema.parse({ region: 'us-east-1' });
  return defaultsCache;
}

/** A field's value for cross-field checks: `undefined` if it (or a parent) is invalid, else given or default. */
type Effective = (path: Path) => unknown;

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

const samePath = (a: Path, b: Path) => renderPath(a) === renderPath(b);

/** "below cache.refreshBeforeExpirySeconds (1800) minus cache.refreshJitterSeconds (120)"-style bounds for `path`. */
function relationHints(path: Path, effective: Effective): string[] {
  const hints: string[] = [];
  const term = (field: Path) => {
    const value = effective(field);
    return typeof value === 'number' ? { text: `${renderPath(field)} (${value})`, value } : undefined;
  };
  for (const { lower, upper, strict } of RELATIONS) {
    const isLower = lower.some((field) => samePath(field, path));
    if (!isLower && !samePath(upper, path)) continue;
    // The field's own value is not needed (it may be the invalid one); every other term is.
    const others = lower.filter((field) => !samePath(field, path)).map(term);
    if (others.some((other) => other === undefined)) continue;
    // Zero-valued terms (jitter 0) add nothing but words.
    const shown = others.flatMap((other) => (other && other.value !== 0 ? [other.text] : []));
    if (isLower) {
      const upperTerm = term(upper);
      if (upperTerm) hints.push(`${strict ? 'below' : 'at most'} ${[upperTerm.text, ...shown].join(' minus ')}`);
    } else if (shown.length > 0) {
      hints.push(`${strict ? 'above' : 'at least'} ${shown.join(' plus ')}`);
    }
  }
  return hints;
}

function withHints(expected: string, hints: string[]): string {
  return hints.length ? `${expected} ${hints.join(' and ')}` : expected;
}

function crossFieldProblems(raw: unknown, effective: Effective, origins: Origins | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const given = (path: Path) => valueAt(raw, path) !== undefined;
  const fieldText = (path: Path) => describeField(path) ?? 'a valid value';
  const agentMode = effective(['mode']) === 'agent';

  for (const { lower, upper, strict } of RELATIONS) {
    const values = [...lower, upper].map((field) => effective(field));
    if (!values.every((value): value is number => typeof value === 'number')) continue;
    const high = values.pop() as number;
    const low = values.reduce((sum, value) => sum + value, 0);
    if (strict ? low < high : low <= high) continue;
    // Blame a field the user actually set, the first in the rule's order.
    const blamed = [...lower, upper].find((field) => given(field)) ?? (lower[0] as Path);
    problems.push(problemAt(raw, blamed, withHints(fieldText(blamed), relationHints(blamed, effective)), origins));
  }

  // Whoever reaches a credentials-serving listener can ask for keys, so both listen on loopback only.
  const loopbackExpected =
    'a loopback address (127.0.0.1, another 127.x.x.x, ::1 or localhost), because whoever reaches the ' +
    'credentials listener can ask for keys';
  const listenHost = effective(['listen', 'host']);
  const allowNonLoopback = effective(['listen', 'allowNonLoopback']);
  if (!agentMode && typeof listenHost === 'string' && allowNonLoopback === false && !isLoopbackHost(listenHost)) {
    problems.push(
      problemAt(
        raw,
        ['listen', 'host'],
        `${loopbackExpected}; to listen elsewhere anyway, set listen.allowNonLoopback: true ` +
          '(command-line flag --unsafe-allow-non-loopback)',
        origins,
      ),
    );
  }
  const apiHost = effective(['lakeformationApi', 'host']);
  if (typeof apiHost === 'string' && !isLoopbackHost(apiHost)) {
    // No escape hatch: this listener takes no token, so loopback is its only guard.
    problems.push(
      problemAt(raw, ['lakeformationApi', 'host'], `${loopbackExpected} (this listener takes no token, so there is no override)`, origins),
    );
  }

  // Every listener in use needs its own port (0 picks a free one, so it never clashes).
  const credentialsPort: Path = agentMode ? ['agent', 'port'] : ['listen', 'port'];
  const ports: Array<[Path, unknown]> = [
    [credentialsPort, effective(credentialsPort)],
    [['admin', 'port'], effective(['admin', 'port'])],
  ];
  if (effective(['lakeformationApi', 'enabled']) === true) {
    ports.push([['lakeformationApi', 'port'], effective(['lakeformationApi', 'port'])]);
  }
  for (let i = 1; i < ports.length; i++) {
    const [path, value] = ports[i]!;
    const clash = ports.slice(0, i).find(([, other]) => typeof value === 'number' && value !== 0 && other === value);
    if (!clash) continue;
    // Blame the later field, unless only the earlier one was set by the user.
    const blamed = given(path) || !given(clash[0]) ? path : clash[0];
    const other = renderPath(blamed === path ? clash[0] : path);
    problems.push(
      problemAt(raw, blamed, `an integer from 0 to 65535 other than ${other} (${String(value)}); 0 picks a free port`, origins),
    );
  }

  if (effective(['lakeformationApi', 'enabled']) === true && effective(['dynamic', 'enabled']) === false) {
    problems.push(
      problemAt(
        raw,
        ['dynamic', 'enabled'],
        'true when lakeformationApi.enabled is true: its callers name any table, so dynamic.allowedTables ' +
          'decides which tables it serves, exactly as for the dynamic and native routes',
        origins,
      ),
    );
  }

  if (effective(['auth', 'token']) !== undefined && typeof effective(['auth', 'tokenFile']) === 'string') {
    // Blame tokenFile: its value is a path, safe to show; the token is not.
    problems.push(
      problemAt(
        raw,
        ['auth', 'tokenFile'],
        'not set together with a token from LFCS_AUTH_TOKEN: set exactly one token source, ' +
          'so there is no doubt which token the clients must send',
        origins,
      ),
    );
  }

  const allowedTables = effective(['dynamic', 'allowedTables']);
  const allowedLocations = effective(['dynamic', 'allowedLocations']);
  const noLocations = !Array.isArray(allowedLocations) || allowedLocations.length === 0;
  if (!agentMode && effective(['dynamic', 'enabled']) === true && Array.isArray(allowedTables) && allowedTables.length === 0 && noLocations) {
    problems.push(
      problemAt(
        raw,
        ['dynamic', 'allowedTables'],
        'at least one table ARN pattern when dynamic.enabled is true, ' +
          'such as arn:aws:glue:us-east-1:123456789012:table/sales/* (or a location pattern in dynamic.allowedLocations)',
        origins,
      ),
    );
  }

  if (agentMode) problems.push(...agentProblems(raw, effective, origins));

  const profiles = effective(['profiles']);
  if (isPlainObject(profiles)) {
    for (const name of Object.keys(profiles)) {
      const partition = effective(['profiles', name, 'partition']);
      const s3Path = effective(['profiles', name, 's3Path']);
      // Presence as written (`given`), so an invalid tableArn still counts as "names a table".
      problems.push(...profileKindProblems(raw, name, (field) => valueAt(raw, ['profiles', name, field]), origins));
      if (partition !== undefined && s3Path !== undefined && valueAt(raw, ['profiles', name, 'locations']) === undefined) {
        problems.push(
          problemAt(
            raw,
            ['profiles', name, 's3Path'],
            'no s3Path on a profile with a partition: GetTemporaryGluePartitionCredentials has no S3Path',
            origins,
          ),
        );
      }
    }
  }
  return problems;
}

/** Fields that belong to table and partition profiles only (the data-location operation has none of them). */
const TABLE_ONLY_PROFILE_FIELDS = ['partition', 'permissions', 'supportedPermissionTypes', 's3Path'] as const;

/**
 * A profile names a table (`tableArn`) or S3 locations (`locations`), never
 * both and never neither; each kind accepts only its own operation's fields.
 */
function profileKindProblems(
  raw: unknown,
  name: string,
  field: (name: string) => unknown,
  origins: Parameters<typeof problemAt>[3],
): ConfigProblem[] {
  const at = (key: string, message: string) => problemAt(raw, ['profiles', name, key], message, origins);
  const hasTable = field('tableArn') !== undefined;
  const hasLocations = field('locations') !== undefined;
  if (hasTable && hasLocations) {
    return [at('locations', 'not set together with tableArn: a profile names one table or a list of S3 locations')];
  }
  if (!hasTable && !hasLocations) {
    return [at('tableArn', 'a Glue table ARN, or set locations (a list of s3:// locations) instead')];
  }
  if (hasTable) {
    return field('credentialsScope') === undefined
      ? []
      : [at('credentialsScope', 'only on a profile with locations: the table operations have no CredentialsScope')];
  }
  return TABLE_ONLY_PROFILE_FIELDS.filter((key) => field(key) !== undefined).map((key) =>
    at(key, `not on a profile with locations: GetTemporaryDataLocationCredentials has no ${key}`),
  );
}

const RELATED_FIELDS = new Set(RELATIONS.flatMap(({ lower, upper }) => [...lower, upper].map((field) => renderPath(field))));

/** Appends relation bounds ("below cache.refreshBeforeExpirySeconds (1800)") to schema problems on related fields. */
function addRelationHints(problems: ConfigProblem[], effective: Effective): ConfigProblem[] {
  return problems.map((problem) => {
    if (!RELATED_FIELDS.has(problem.path)) return problem;
    const hints = relationHints(problem.path.split('.'), effective);
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
  problems.push(...crossFieldProblems(raw, effective, context.origins));
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
        "trailing newline); clients send the same token from AWS_CONTAINER_AUTHORIZATION_TOKEN or its _FILE",
    },
  ]);
}

/**
 * Agent mode: the node it serves, no listener without authentication, and
 * bindings that name what exists. The node-wide dynamic allow-lists are not
 * used there (each binding is its identity's allow-list), so setting them is
 * a mistake worth stopping on.
 */
function agentProblems(raw: unknown, effective: Effective, origins: Origins | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (effective(['agent', 'nodeName']) === undefined) {
    problems.push(
      problemAt(raw, ['agent', 'nodeName'], 'the node this agent serves, required in agent mode (LFCS_AGENT_NODE_NAME; the chart sets it from spec.nodeName)', origins),
    );
  }
  if (effective(['lakeformationApi', 'enabled']) === true) {
    problems.push(
      problemAt(
        raw,
        ['lakeformationApi', 'enabled'],
        'false in agent mode: that listener takes no token, and on a node every hostNetwork pod could reach it',
        origins,
      ),
    );
  }
  for (const field of ['allowedTables', 'allowedLocations'] as const) {
    const value = effective(['dynamic', field]);
    if (Array.isArray(value) && value.length > 0) {
      const own = field === 'allowedTables' ? 'tables' : 'locations';
      problems.push(
        problemAt(raw, ['dynamic', field], `empty in agent mode: each identity's agent.bindings[].${own} is its allow-list`, origins),
      );
    }
  }
  const bindings = effective(['agent', 'bindings']);
  if (!Array.isArray(bindings)) return problems;
  const profiles = effective(['profiles']);
  const profileNames = isPlainObject(profiles) ? Object.keys(profiles) : [];
  const seen = new Map<string, number>();
  let dynamicReported = false;
  bindings.forEach((binding: unknown, index) => {
    if (!isPlainObject(binding)) return;
    const who = `${String(binding['namespace'])}/${String(binding['serviceAccount'])}`;
    const earlier = seen.get(who);
    if (earlier !== undefined) {
      problems.push(
        problemAt(raw, ['agent', 'bindings', index], `one entry per namespace and service account (${who} is also agent.bindings[${earlier}])`, origins),
      );
    } else {
      seen.set(who, index);
    }
    const named = Array.isArray(binding['profiles']) ? binding['profiles'] : [];
    named.forEach((name: unknown, at) => {
      if (typeof name === 'string' && profileNames.includes(name)) return;
      const closest = typeof name === 'string' ? suggest(name, profileNames) : undefined;
      problems.push(
        problemAt(
          raw,
          ['agent', 'bindings', index, 'profiles', at],
          `the name of a configured profile${closest ? ` (did you mean "${closest}"?)` : ''}; configured: ${profileNames.join(', ') || 'none'}`,
          origins,
        ),
      );
    });
    const dynamicWanted = ['tables', 'locations'].some((field) => Array.isArray(binding[field]) && (binding[field] as unknown[]).length > 0);
    if (dynamicWanted && !dynamicReported && effective(['dynamic', 'enabled']) !== true) {
      dynamicReported = true;
      problems.push(
        problemAt(
          raw,
          ['dynamic', 'enabled'],
          `true when a binding lists tables or locations (agent.bindings[${index}] does): they are served on the dynamic and native routes`,
          origins,
        ),
      );
    }
  });
  return problems;
}
