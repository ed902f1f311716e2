import type { z } from 'zod';

/**
 * Error map for every parse in the emulator: zod's default for a missing member
 * ("expected string, received undefined") hides the point, which is that the
 * member is required. Other messages are left to the schemas.
 */
export const parseOptions = {
  error: (issue: { code: string; input?: unknown }) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

/** `databases[0].tables[1].location`; `(root)` for the document itself. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One `path: message` line per problem, in the order zod found them. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}
