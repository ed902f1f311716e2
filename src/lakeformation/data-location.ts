// S3 data locations (`DataLocations` of GetTemporaryDataLocationCredentials)
// and the patterns `dynamic.allowedLocations` uses to allow them.
//
// A location is an `s3://<bucket>[/<prefix>]` URI. Canonical form (what lfcs
// sends, keys the cache with and compares coverage in): no trailing `/`.
// Lake Formation registers and reports locations as paths without one
// (`s3://bucket/prefix`), so `s3://b/p/` and `s3://b/p` name one location;
// that equivalence is lfcs's inference, the API reference does not state it.
// A list is canonical when every member is, sorted by code units, without
// duplicates: the API treats `DataLocations` as a set of locations.
//
// Pattern syntax (as for table ARNs, deliberately small):
// - a pattern has the shape of a location, `s3://<bucket>/<segment>/...`;
// - `*` matches any run of characters, including none, without `/`: it never
//   crosses a path segment, so `s3://lake/warehouse/*` allows
//   `s3://lake/warehouse/orders` but not `s3://lake/warehouse/orders/2024`;
// - `**` is rejected, and `s3://` is literal;
// - matching is case-sensitive and whole-location, on canonical forms (a
//   trailing `/` on either side is ignored).
//
// Locations follow the segment rule table ARNs follow too (`segment.ts`): no
// control character and no `.` or `..` segment, refused before any call (a
// `..` would otherwise match a `*` and be sent upstream).

import { CONTROL_CHARACTERS, segmentSource, wildcardMatcher } from './segment.js';

/** Longest location accepted (lfcs's bound, as for `S3Path`; the API gives none). */
export const DATA_LOCATION_MAX_LENGTH = 1024;

/** Most locations in one request (lfcs's bound; the API gives none, and a job reads a handful of tables). */
export const DATA_LOCATIONS_MAX = 100;

/** A bucket or path segment of a location: no whitespace and no `*`, besides the segment rule. */
const LOCATION_SEGMENT = segmentSource('\\s*');

/**
 * A location: `s3://`, a bucket, then `/`-separated non-empty segments, an
 * optional trailing `/`; no whitespace and no `*` (lfcs's rule: the API states
 * none, and a `*` would read as a wildcard in `dynamic.allowedLocations`), no
 * control character and no `.` or `..` segment.
 */
export const DATA_LOCATION_PATTERN = new RegExp(`^s3://${LOCATION_SEGMENT}(?:/${LOCATION_SEGMENT})*/?$`);

/** Characters of a pattern's literal runs. */
const PATTERN_CHAR = `[^/\\s*${CONTROL_CHARACTERS}]`;

/** One pattern segment: runs of literal characters separated by single stars (no `**`, no bad backtracking). */
const PATTERN_SEGMENT = `(?:\\*?${PATTERN_CHAR}+(?:\\*${PATTERN_CHAR}+)*\\*?|\\*)`;

/**
 * The syntax of a `dynamic.allowedLocations` pattern: a location whose
 * segments may hold single `*`s. Written without look-ahead so the chart's
 * values schema (Go regular expressions) can use it too.
 */
export const DATA_LOCATION_PATTERN_SYNTAX = new RegExp(`^s3://${PATTERN_SEGMENT}(?:/${PATTERN_SEGMENT})*/?$`);

/** The canonical form of one location: trailing `/` removed (`s3://bucket/` becomes `s3://bucket`). */
export function canonicalDataLocation(location: string): string {
  return location.replace(/\/+$/, '');
}

/** The canonical form of a location list: each member canonical, sorted by code units, duplicates removed. */
export function canonicalDataLocations(locations: readonly string[]): string[] {
  return [...new Set(locations.map(canonicalDataLocation))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The requested locations that `accessible` does not cover, compared in
 * canonical form. Only exact members count: a location is covered when Lake
 * Formation named it, never because a parent or child was named.
 */
export function missingDataLocations(requested: readonly string[], accessible: readonly string[]): string[] {
  const granted = new Set(accessible.map(canonicalDataLocation));
  return canonicalDataLocations(requested).filter((location) => !granted.has(location));
}

/** True if `pattern` is a well-formed `dynamic.allowedLocations` pattern. */
export function isDataLocationPattern(pattern: unknown): pattern is string {
  return typeof pattern === 'string' && DATA_LOCATION_PATTERN_SYNTAX.test(pattern);
}

/** `*` within one path segment. */
const matches = wildcardMatcher('/');

/**
 * Whether `location` is a valid location allowed by at least one pattern
 * (rules at the top of this file). Malformed patterns never match.
 *
 * @example matchesAllowedLocation(['s3://lake/warehouse/*'], 's3://lake/warehouse/orders') // true
 */
export function matchesAllowedLocation(patterns: readonly string[], location: string): boolean {
  if (!DATA_LOCATION_PATTERN.test(location) || location.length > DATA_LOCATION_MAX_LENGTH) return false;
  const canonical = canonicalDataLocation(location);
  return patterns.some((pattern) => isDataLocationPattern(pattern) && matches(canonicalDataLocation(pattern), canonical));
}
