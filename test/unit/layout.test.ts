import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folders of src/, lowest first. A module may import only from its own
 * folder or one listed before it, so the order is the architecture: domain
 * model and helpers at the bottom, wiring and the command line at the top.
 */
const LAYERS = [
  'core', // errors, clock, backoff, token bucket, settings building blocks
  'lakeformation', // request and lease types, table ARNs, field rules, wire names
  'upstream', // the Lake Formation client, error classification, limiter, retry loop
  'cache', // serving policy, entries, summary
  'iceberg', // the Iceberg REST gateway's protocol: routes, upstream catalog, loadTable rewrite, signing, errors
  'identity', // agent mode: service-account token verification, bindings
  'config', // schema, environment, loading, warnings, generated reference
  'observability', // metrics, logger, cache events to metrics and audit lines
  'http', // the credentials and admin listeners
  'sidecar', // composition root, prewarm, readiness
  'emulator', // the Lake Formation emulator (tests and the demo)
  'cli', // commands and signals
] as const;

const SRC = new URL('../../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('source layout', () => {
  it('has exactly the listed folders, and no module at the top of src/', () => {
    const entries = readdirSync(SRC, { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    expect(entries.map((e) => e.name).sort()).toEqual([...LAYERS].sort());
  });

  it('imports only downward (or within a folder)', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      const layer = relative(SRC, file).split('/')[0] as (typeof LAYERS)[number];
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/from '\.\.\/([a-z-]+)\//g)) {
        const target = match[1] as (typeof LAYERS)[number];
        if (LAYERS.indexOf(target) > LAYERS.indexOf(layer)) upward.push(`${relative(SRC, file)} imports ${target}/`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('ships no test doubles', () => {
    const offenders = sources(SRC).filter((file) => /\b(FakeClock|flushMicrotasks)\b/.test(readFileSync(file, 'utf8')));
    expect(offenders.map((file) => relative(SRC, file))).toEqual([]);
  });
});
