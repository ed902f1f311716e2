/**
 * How configuration problems are described and reported.
 *
 * Every problem names the field, the value given (redacted when it may be a
 * secret) and what would have been accepted. All problems found in one load
 * are thrown together as a single `ConfigError`, so an operator fixes a file
 * in one pass instead of one restart per typo.
 */
import { LfcsError } from '../core/errors.js';

/** Shown instead of any value that is, or might be, a secret. */
export const REDACTED = '<redacted>';

/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** The field, e.g. `cache.minServeSeconds` or `profiles.orders.tableArn`; an `LFCS_*` name for an unknown variable. */
  path: string;
  /** The value given (`undefined` when the field is missing); `"<redacted>"` when it may be a secret. */
  value: unknown;
  /** What would be accepted, e.g. `an integer from 0 to 43200`. */
  expected: string;
  /** Where the value came from when not from the file: an `LFCS_*` variable, `AWS_REGION`, or command-line flags. */
  source?: string;
}

/** Thrown for any invalid configuration; `problems` lists every problem found, in the order they were found. */
export class ConfigError extends LfcsError {
  readonly problems: readonly ConfigProblem[];

  /**
   * @param problems every problem found (at least one)
   * @param source what was being validated, for the header line, e.g. `examples/config.yaml`
   */
  constructor(problems: readonly ConfigProblem[], source?: string) {
    super('InvalidConfiguration', formatConfigErrorMessage(problems, source));
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}

/** The header line followed by one line per problem. */
export function formatConfigErrorMessage(problems: readonly ConfigProblem[], source?: string): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const header = `Invalid configuration${source ? ` (${source})` : ''}: ${count}`;
  return [header, ...problems.map((problem) => `  - ${formatProblem(problem)}`)].join('\n');
}

/** `field: got <value> (from <source>); expected <accepted values>` */
export function formatProblem(problem: ConfigProblem): string {
  const got = problem.value === undefined ? 'missing' : `got ${showValue(problem.value)}`;
  const from = problem.source ? ` (from ${problem.source})` : '';
  return `${problem.path || '(top level)'}: ${got}${from}; expected ${problem.expected}`;
}

const MAX_SHOWN_CHARS = 80;

/** A short, single-line rendering of a value for a problem line. */
export function showValue(value: unknown): string {
  if (value === REDACTED) return REDACTED;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS - 1)}…` : text;
}

/**
 * Renders a path as the user would write it: `cache.minServeSeconds`,
 * `profiles.orders.permissions[1]`, or `profiles["orders.v2"].tableArn` for a
 * key that would be ambiguous with dots.
 */
export function renderPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_-]+$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** Known fields whose names look secret but whose values are not: a path, and the READ/READWRITE enum. */
const NOT_SECRET_FIELDS = new Set(['tokenFile', 'credentialsScope']);

/**
 * Whether the value at this path may be a secret and must not be echoed.
 * `auth.token` is the only secret field; anything else under `auth` (a typo
 * such as `auth.tokn`) and any key that looks like a credential is treated
 * the same way, because a misspelled secret is still a secret.
 */
export function isSecretPath(segments: readonly PropertyKey[]): boolean {
  // `auth` itself too: `auth: <the token>` is an easy mistake to make.
  if (segments[0] === 'auth' && segments[1] !== 'tokenFile') return true;
  return segments.some(
    (segment) => typeof segment === 'string' && !NOT_SECRET_FIELDS.has(segment) && /token|secret|passw|credential/i.test(segment),
  );
}

/**
 * `value` as it may appear in a problem: `"<redacted>"` if its path may hold
 * a secret, otherwise a copy in which every nested secret-looking entry is
 * redacted (an unknown key such as `authh: { token: ... }` is echoed whole).
 */
export function redactValue(segments: readonly PropertyKey[], value: unknown): unknown {
  if (value === undefined) return undefined;
  if (isSecretPath(segments)) return REDACTED;
  if (Array.isArray(value)) return value.map((item, index) => redactValue([...segments, index], item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactValue([...segments, key], child)]));
  }
  return value;
}

/** The closest candidate to a misspelled name, if one is close enough to be a likely typo. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
