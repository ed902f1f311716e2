/**
 * The AWS CLI and boto3, pinned in test/e2e/lakeformation-api/requirements.txt,
 * installed from PyPI into a virtual environment under the git-ignored
 * `.tools/` folder on first use (`.tools/python-<hash of the requirements>`),
 * and reused after. A marker file written last means an interrupted install
 * is never mistaken for a finished one. One test file uses it, so no lock.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolsDir } from './go-tools.js';

const run = promisify(execFile);
const REQUIREMENTS = join(repoRoot, 'test/e2e/lakeformation-api/requirements.txt');

export interface PythonTools {
  python: string;
  aws: string;
}

/** The venv's interpreter and `aws`, installing them if missing. Throws (never skips) with pip's output. */
export async function ensurePythonTools(): Promise<PythonTools> {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 12);
  // A venv's scripts name its own path, so it is built where it will live; the marker says it is complete.
  const dir = join(toolsDir, `python-${hash}`);
  const complete = join(dir, '.complete');
  const tools = { python: join(dir, 'bin/python'), aws: join(dir, 'bin/aws') };
  if (existsSync(complete)) return tools;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(toolsDir, { recursive: true });
  try {
    await run('python3', ['-m', 'venv', dir], { timeout: 120_000 });
    // --no-deps: the requirements list every package, pinned, so nothing unpinned is pulled in.
    await run(join(dir, 'bin/pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', REQUIREMENTS], {
      timeout: 600_000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(
      'installing the AWS CLI and boto3 failed (needs python3 with venv and PyPI access; bash .ci/run installs ' +
        `python3-venv where it is missing): ${e.stderr ?? e.message}`,
    );
  }
  writeFileSync(complete, '');
  return tools;
}
