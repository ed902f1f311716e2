/**
 * The one rule for a name segment of a table ARN (database, table) and a
 * path segment of an S3 location: no control character (C0 or DEL: NUL,
 * BEL, ESC... are never part of a Glue name or a sensible S3 key, and could
 * reach a log or a terminal), and not `.` or `..` (a dot segment names
 * another place than it reads as, and would match a `*`). Refused before any
 * Lake Formation call. Written as regular-expression source without
 * look-ahead, so the chart's values schema (Go regular expressions) uses
 * the same rule. Also the `*` matching both allow-lists share.
 */

/** Control characters (C0 and DEL), as the inside of a character class. */
export const CONTROL_CHARACTERS = '\\x00-\\x1f\\x7f';

/**
 * A segment of one or more characters, none of them `/`, a control
 * character, or one of `excluded` (the inside of a character class), and
 * neither `.` nor `..`. `max` bounds the length (default: none).
 */
export function segmentSource(excluded: string, max?: number): string {
  const char = `[^/${CONTROL_CHARACTERS}${excluded}]`;
  const notDot = `[^./${CONTROL_CHARACTERS}${excluded}]`;
  // A segment starts with a character other than a dot, or with one or two dots followed by more.
  const rest = (used: number) => (max === undefined ? `${char}*` : `${char}{0,${max - used}}`);
  return `(?:${notDot}${rest(1)}|\\.${notDot}${rest(2)}|\\.\\.${char}${rest(3)})`;
}

/**
 * A matcher for an allow-list pattern in which `*` matches any run of
 * characters without a separator (`separators`, the inside of a character
 * class): it never crosses a segment. Patterns come only from
 * configuration, so each cache is bounded by it.
 */
export function wildcardMatcher(separators: string): (pattern: string, value: string) => boolean {
  const compiled = new Map<string, RegExp>();
  return (pattern, value) => {
    let regex = compiled.get(pattern);
    if (!regex) {
      const source = pattern
        .split('*')
        .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join(`[^${separators}]*`);
      regex = new RegExp(`^${source}$`);
      compiled.set(pattern, regex);
    }
    return regex.test(value);
  };
}
