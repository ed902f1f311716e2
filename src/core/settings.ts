/**
 * Building blocks for settings schemas. Every knob of lfcs is one zod field
 * built from these, with its default, its range and a one-line reason
 * (`.describe()`), next to the code it tunes (`upstream/settings.ts`,
 * `cache/settings.ts`, `config/schema.ts`). Everything else is derived from
 * those fields: the runtime defaults, the constructor checks, the `LFCS_*`
 * variables, the README's tables and the chart's values schema.
 *
 * Each field's error text says what would be accepted, because that text
 * becomes the `expected` part of a configuration problem.
 */
import { z } from 'zod';
import { LfcsError } from './errors.js';
import { describeIssues } from './zod-issues.js';

/** An integer in `[min, max]`. */
export function integer(min: number, max: number, note = '') {
  const expected = `an integer from ${min} to ${max}${note}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

/** A number in `(0, max]`. */
export function positiveNumber(max: number) {
  const expected = `a number above 0 and at most ${max}`;
  return z.number({ error: expected }).positive({ error: expected }).max(max, { error: expected });
}

export const bool = () => z.boolean({ error: 'true or false' });

/**
 * A mapping with a fixed set of keys. Unknown keys are problems (a typo such
 * as `cahce` must not silently fall back to defaults).
 */
export function section<const Shape extends z.ZodRawShape>(shape: Shape) {
  const expected = `a mapping with the keys: ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? expected : undefined),
  });
}

/**
 * A numeric rule between fields of one section: the sum of the `lower`
 * fields must stay below `upper` (or, when not `strict`, at most `upper`).
 * Written once beside the fields, and checked both by configuration
 * validation and by the constructor of the part the fields tune.
 */
export interface Relation {
  readonly lower: readonly string[];
  readonly upper: string;
  readonly strict: boolean;
  /** Why the rule exists, appended to the problem text. */
  readonly why?: string;
}

/**
 * Whether `relation` holds among the values `value` gives by field name;
 * `undefined` when a term is missing or not a number (its own check reports it).
 */
export function relationHolds(relation: Relation, value: (name: string) => unknown): boolean | undefined {
  const terms = [...relation.lower, relation.upper].map(value);
  if (!terms.every((term): term is number => typeof term === 'number' && Number.isFinite(term))) return undefined;
  const upper = terms.pop() as number;
  const lower = terms.reduce((sum, term) => sum + term, 0);
  return relation.strict ? lower < upper : lower <= upper;
}

/**
 * One message per broken relation among `values` (fields that are missing or
 * not numbers are skipped: their own check reports them).
 */
export function relationProblems(relations: readonly Relation[], values: Readonly<Record<string, unknown>>): string[] {
  return relations
    .filter((relation) => relationHolds(relation, (name) => values[name]) === false)
    .map((relation) => {
      const left = relation.lower.map((name) => `${name} (${String(values[name])})`).join(' plus ');
      const verb = relation.strict ? 'less than' : 'at most';
      return `${left} must be ${verb} ${relation.upper} (${String(values[relation.upper])})${relation.why ? `, ${relation.why}` : ''}`;
    });
}

/**
 * Parses the options of a constructor against the settings schema that
 * defines them (defaults applied), then checks `relations`. Throws one
 * `LfcsError('InvalidConfiguration')` naming every bad field and what it accepts.
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
  relations: readonly Relation[] = [],
): z.output<S> {
  const result = schema.safeParse(input);
  const problems = result.success
    ? relationProblems(relations, result.data as Record<string, unknown>)
    : describeIssues(result.error.issues);
  if (problems.length > 0 || !result.success) {
    throw new LfcsError('InvalidConfiguration', `Invalid ${what}: ${problems.join('; ')}`);
  }
  return result.data;
}
