// Glue table ARNs and the patterns `dynamic.allowedTables` uses to allow them.
//
// Pattern syntax (deliberately small, because it guards data access):
// - A pattern has the shape of a table ARN,
//   `arn:<partition>:glue:<region>:<account>:table/<database>/<table>`.
// - `*` matches any run of characters, including none, that contains no `:`
//   and no `/`: it never crosses a segment. So
//   `arn:aws:glue:us-east-1:123456789012:table/sales/*` allows every table of
//   database `sales`, `.../table/*/*` every table of the account in that
//   region, and `.../table/sales/orders_*` a name prefix. A final `*` is not
//   special: it matches within the table name like any other `*`.
// - `**` is rejected: a wildcard that crosses segments could silently span
//   accounts or regions. Write one `*` per segment instead.
// - The literal parts `arn`, `glue` and `table/` cannot be wildcards.
// - Matching is case-sensitive and whole-ARN; only valid table ARNs match.

import { CONTROL_CHARACTERS, segmentSource, wildcardMatcher } from './segment.js';

const PARTITION = 'aws[a-z-]*';
/** An AWS region name (`us-east-1`, `us-gov-west-1`, ...), as regular-expression source. */
export const REGION_SOURCE = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
const ACCOUNT = '\\d{12}';
/**
 * Database and table names: no separators, no whitespace, no `*` (it would be
 * ambiguous with the wildcard), no `;` (never in a Glue name; refused here
 * instead of costing an upstream call), and the segment rule every location
 * follows too (`segment.ts`: no control character, not `.` or `..`).
 */
const NAME = segmentSource(':*;\\s', 255);

/** A Glue table ARN: `arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>` (any `aws*` partition). */
export const TABLE_ARN_PATTERN = new RegExp(`^arn:(${PARTITION}):glue:(${REGION_SOURCE}):(${ACCOUNT}):table/(${NAME})/(${NAME})$`);

/** The parts of a Glue table ARN. */
export interface TableArnParts {
  partition: string;
  region: string;
  accountId: string;
  database: string;
  table: string;
}

/** True for a syntactically valid Glue table ARN. */
export function isTableArn(value: unknown): value is string {
  return typeof value === 'string' && TABLE_ARN_PATTERN.test(value);
}

/** Splits a Glue table ARN into its parts, or `undefined` if it is not one. */
export function parseTableArn(arn: string): TableArnParts | undefined {
  const match = TABLE_ARN_PATTERN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', region = '', accountId = '', database = '', table = ''] = match;
  return { partition, region, accountId, database, table };
}

/** The 12-digit account of a table ARN (`AccountId` in container-credentials answers), or `undefined`. */
export function accountIdFromTableArn(arn: string): string | undefined {
  return parseTableArn(arn)?.accountId;
}

/**
 * One pattern segment of the characters `chars`, with `*` allowed but never
 * two in a row: runs of `chars` separated by single stars (each star ends a
 * run, so no input can be matched two ways and the expression cannot backtrack badly).
 */
const patternSegment = (chars: string) => `(?:\\*?[${chars}]+(?:\\*[${chars}]+)*\\*?|\\*)`;

/**
 * The syntax of a `dynamic.allowedTables` pattern (see the top of this file):
 * six `:`-separated segments with `arn`, `glue` and `table/` literal, and no
 * `**`. Written without look-ahead so the same expression works in the
 * chart's values schema, which Helm checks with Go's regular expressions.
 */
export const TABLE_PATTERN_SYNTAX = new RegExp(
  `^arn:${patternSegment('a-z0-9-')}:glue:${patternSegment('a-z0-9-')}:${patternSegment('0-9')}` +
    `:table/${patternSegment(`^/:\\s*${CONTROL_CHARACTERS}`)}/${patternSegment(`^/:\\s*${CONTROL_CHARACTERS}`)}$`,
);

/** True if `pattern` is a well-formed `dynamic.allowedTables` pattern. */
export function isTablePattern(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && TABLE_PATTERN_SYNTAX.test(pattern);
}

/** `*` within one ARN segment. */
const matches = wildcardMatcher(':/');

/**
 * Whether `arn` is a valid Glue table ARN allowed by at least one pattern.
 * `*` matches within one ARN segment only (never `:` or `/`); the full syntax
 * is described at the top of this file. Malformed patterns never match
 * (configuration validation rejects them before this is ever called).
 *
 * @example matchesAllowedTable(['arn:aws:glue:us-east-1:123456789012:table/sales/*'],
 *   'arn:aws:glue:us-east-1:123456789012:table/sales/orders') // true
 */
export function matchesAllowedTable(patterns: readonly string[], arn: string): boolean {
  if (!isTableArn(arn)) return false;
  return patterns.some((pattern) => isTablePattern(pattern) && matches(pattern, arn));
}
