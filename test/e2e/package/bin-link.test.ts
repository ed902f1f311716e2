import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv } from '../../support/npm-env.js';

/**
 * `npx lfcs` in a clone runs the package's bin through a link npm made once (in npm's npx cache, or
 * in node_modules/.bin of a project that installed this folder): a symlink to dist/cli/main.js. npm
 * sets the execute bit when it makes the link, but `npm run build` deletes dist/ and writes the file
 * anew, so after any later build the link must still run: the build sets the bit itself.
 *
 * The build runs in a copy of the sources, so it never deletes the dist/ that other e2e files run.
 */
const execFileAsync = promisify(execFile);
const REPO = new URL('../../../', import.meta.url).pathname;
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let pkg: string;
let link: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lfcs-bin-link-'));
  pkg = join(dir, 'pkg');
  mkdirSync(pkg);
  for (const entry of ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(REPO, entry), join(pkg, entry), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
  // The link as npm leaves it (in ~/.npm/_npx/<hash>/node_modules/.bin), made before the build.
  const bin = join(dir, 'consumer', 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  link = join(bin, 'lfcs');
  symlinkSync(join(pkg, 'dist', 'cli', 'main.js'), link);
  await execFileAsync('npm', ['run', 'build'], { cwd: pkg, env: cleanEnv(), timeout: 240_000 });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the bin link after `npm run build`', () => {
  it('the built CLI is executable by everyone', () => {
    expect(statSync(join(pkg, 'dist', 'cli', 'main.js')).mode & 0o111).toBe(0o111);
  });

  it('lfcs --version runs through the link', async () => {
    const { stdout } = await execFileAsync(link, ['--version'], { env: cleanEnv(), timeout: 15_000 });
    expect(stdout.trim()).toBe(VERSION);
  });
});
