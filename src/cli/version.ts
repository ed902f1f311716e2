import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to `dist/` (or `src/` in tests). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Absolute path of a file shipped in the package (e.g. `examples/demo-catalog.yaml`). */
export function packageFile(relative: string): string {
  return new URL(`../../${relative}`, import.meta.url).pathname;
}
