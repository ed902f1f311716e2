import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  ERROR_TABLE_BEGIN,
  ERROR_TABLE_END,
  errorTableMarkdown,
  updateErrorTable,
  type ErrorCode,
} from '../../../src/core/error-catalogue.js';
import { isPermanentUpstreamError, LOCAL_ERROR_CODES, UPSTREAM_ERROR_CODES } from '../../../src/core/errors.js';
import { classifyUpstreamError } from '../../../src/upstream/classify-error.js';

const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

describe('error catalogue', () => {
  it('splits every code into upstream or local, once', () => {
    expect([...UPSTREAM_ERROR_CODES, ...LOCAL_ERROR_CODES].sort()).toEqual([...CODES].sort());
    expect(new Set(CODES).size).toBe(CODES.length);
  });

  it('defines "permanent" once: the classifier and the cache read the same column', () => {
    for (const code of UPSTREAM_ERROR_CODES) {
      const classified = classifyUpstreamError({ name: code, message: 'x', $metadata: { httpStatusCode: 400 } });
      if (ERROR_CATALOGUE[code].permanent) {
        expect(classified.code, code).toBe(code);
        expect(classified.retryable, code).toBe(false);
      }
      expect(isPermanentUpstreamError(classified), code).toBe(ERROR_CATALOGUE[classified.code].permanent);
    }
    expect(CODES.filter((code) => ERROR_CATALOGUE[code].permanent).sort()).toEqual([
      'AccessDeniedException',
      'ConflictException',
      'EntityNotFoundException',
      'InvalidInputException',
      'PermissionTypeMismatchException',
    ]);
  });
});

describe('the generated error table', () => {
  it('has one row per code with its status, Lake Formation name and meaning', () => {
    const table = errorTableMarkdown();
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(CODES.length);
    expect(table).toContain('| `RateLimited` | 429 | `ThrottlingException` |  | over a rate limit');
    expect(table).toContain('| `ConflictException` | 409 | (same) | yes |');
    expect(table).not.toMatch(/\|\s*\|\s*\|\s*$/m);
  });

  it('replaces only the text between the markers, and is stable', () => {
    const page = `# Operations\n\nintro\n\n${ERROR_TABLE_BEGIN}\nhand-written rows\n${ERROR_TABLE_END}\n\nafter\n`;
    const updated = updateErrorTable(page);
    expect(updated.startsWith(`# Operations\n\nintro\n\n${ERROR_TABLE_BEGIN}\n| code | status |`)).toBe(true);
    expect(updated.endsWith(`${ERROR_TABLE_END}\n\nafter\n`)).toBe(true);
    expect(updated).not.toContain('hand-written rows');
    expect(updateErrorTable(updated)).toBe(updated);
    expect(updateErrorTable('no markers here')).toBe('no markers here');
  });

  // `npm run generate` writes the table into docs/operations.md; a page that drifted fails here.
  it('docs/operations.md holds the current error table', () => {
    const page = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    expect(page).toContain(ERROR_TABLE_BEGIN);
    expect(updateErrorTable(page), 'docs/operations.md drifted from the error catalogue: run npm run generate').toBe(page);
  });
});
