/**
 * Cross-field rules as data, and the one engine that checks them. A rule
 * names the field a problem is reported at, when the configuration breaks
 * it, and what that field accepts then; the rules themselves are listed in
 * `rules.ts`. The numeric relations each settings section defines beside its
 * fields (`Relation`: "the sum of these stays below that") become rules
 * here, and also describe a field's bounds in terms of the others.
 *
 * Rules read effective values (given, else default) and skip fields that
 * are invalid, so they are still checked, and reported together with the
 * schema's problems, when some unrelated field is wrong.
 */
import { isPlainObject } from '../core/objects.js';
import { relationHolds, type Relation } from '../core/settings.js';
import { renderPath } from './problems.js';
import type { Mode } from './schema.js';

export type Path = readonly PropertyKey[];

/** What a rule reads, with each `*` of a path standing for the key the rule is being checked for. */
export interface Fields {
  /** A field's value: as given, else its default; `undefined` if it or a parent is invalid. */
  value(path: Path): unknown;
  /** Whether the user set the field (as written, even if invalid). */
  given(path: Path): boolean;
  /** The keys (mapping keys or list indices) the `*` segments stand for, in order. */
  readonly keys: readonly PropertyKey[];
}

/** One cross-field rule. */
export interface Rule {
  /**
   * The field a problem is reported at; a `*` segment stands for each key of
   * the mapping or list above it (a list item the path goes into must be a
   * mapping). With several, the
   * first one the user set is blamed, else the first.
   */
  readonly field: Path | readonly Path[];
  /** Checked only in this mode, when set. */
  readonly mode?: Mode;
  /** Whether the configuration breaks the rule. */
  readonly broken: (fields: Fields) => boolean;
  /** What the blamed field accepts. */
  readonly expected: string | ((fields: Fields, blamed: Path) => string);
}

/** A field's value for the rules: `undefined` if it (or a parent) is invalid, else given or default. */
export type Effective = (path: Path) => unknown;

export interface RuleProblem {
  path: Path;
  expected: string;
}

const WILDCARD = '*';
const isPathList = (field: Rule['field']): field is readonly Path[] => Array.isArray(field[0]);

/** Every broken rule, as the field to blame and what it accepts, in the rules' order. */
export function brokenRules(rules: readonly Rule[], effective: Effective, given: (path: Path) => boolean): RuleProblem[] {
  const mode = effective(['mode']);
  const problems: RuleProblem[] = [];
  for (const rule of rules) {
    if (rule.mode !== undefined && rule.mode !== mode) continue;
    const candidates = isPathList(rule.field) ? rule.field : [rule.field as Path];
    for (const keys of bindings(candidates[0] ?? [], effective)) {
      const bind = (path: Path) => substitute(path, keys);
      const fields: Fields = {
        value: (path) => effective(bind(path)),
        given: (path) => given(bind(path)),
        keys,
      };
      if (!rule.broken(fields)) continue;
      const blamed = candidates.find((path) => given(bind(path))) ?? (candidates[0] as Path);
      const expected = typeof rule.expected === 'string' ? rule.expected : rule.expected(fields, blamed);
      problems.push({ path: bind(blamed), expected });
    }
  }
  return problems;
}

/** Every assignment of keys to the `*` segments of `path` (one empty one when it has none). */
function bindings(path: Path, effective: Effective, prefix: PropertyKey[] = [], keys: PropertyKey[] = []): PropertyKey[][] {
  const at = path.indexOf(WILDCARD);
  if (at === -1) return [keys];
  const parent = [...prefix, ...path.slice(0, at)];
  const container = effective(parent);
  // A list item the path goes into must be a mapping (a malformed one is the schema's problem).
  const inner = at < path.length - 1;
  const found: PropertyKey[] = Array.isArray(container)
    ? container.flatMap((item, index) => (!inner || isPlainObject(item) ? [index] : []))
    : isPlainObject(container)
      ? Object.keys(container)
      : [];
  return found.flatMap((key) => bindings(path.slice(at + 1), effective, [...parent, key], [...keys, key]));
}

function substitute(path: Path, keys: readonly PropertyKey[]): Path {
  let next = 0;
  return path.map((segment) => (segment === WILDCARD ? (keys[next++] as PropertyKey) : segment));
}

// ---- numeric relations ----

/** A section's relation, with paths from the configuration's root. */
export interface RootRelation {
  section: string;
  relation: Relation;
  lower: Path[];
  upper: Path;
  strict: boolean;
}

/** The relations each section defines, with root paths. */
export function rootRelations(bySection: Readonly<Record<string, readonly Relation[]>>): RootRelation[] {
  return Object.entries(bySection).flatMap(([section, relations]) =>
    relations.map((relation) => ({
      section,
      relation,
      lower: relation.lower.map((field) => [section, field]),
      upper: [section, relation.upper],
      strict: relation.strict,
    })),
  );
}

const samePath = (a: Path, b: Path) => renderPath(a) === renderPath(b);

/**
 * A relation as a rule: broken when the sum of `lower` reaches `upper`; the
 * blamed field (the first one set, in the relation's order) is told its
 * bounds in terms of the others.
 */
export function relationRule(relation: RootRelation, relations: readonly RootRelation[], describe: (path: Path) => string): Rule {
  return {
    field: [...relation.lower, relation.upper],
    broken: (fields) => relationHolds(relation.relation, (name) => fields.value([relation.section, name])) === false,
    expected: (fields, blamed) => withHints(describe(blamed), relationHints(blamed, fields.value, relations)),
  };
}

/** "below cache.refreshBeforeExpirySeconds (1800) minus cache.refreshJitterSeconds (120)"-style bounds for `path`. */
export function relationHints(path: Path, effective: Effective, relations: readonly RootRelation[]): string[] {
  const hints: string[] = [];
  const term = (field: Path) => {
    const value = effective(field);
    return typeof value === 'number' ? { text: `${renderPath(field)} (${value})`, value } : undefined;
  };
  for (const { lower, upper, strict } of relations) {
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

export function withHints(expected: string, hints: readonly string[]): string {
  return hints.length ? `${expected} ${hints.join(' and ')}` : expected;
}
