/**
 * Pinned Python packages installed from PyPI into virtual environments under
 * the git-ignored `.tools/` folder on first use (`.tools/python-<hash of the
 * requirements>`), and reused after. A marker file written last means an
 * interrupted install is never mistaken for a finished one. Each requirements
 * file has one test file using it, so no lock: two files never share a venv.
 *
 * - test/e2e/lakeformation-api/requirements.txt: the AWS CLI and boto3
 *   ({@link ensurePythonTools}).
 * - test/e2e/agent/requirements.txt: botocore alone, the same pin, as a
 *   credential consumer in the agent network tests.
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
  const dir = await ensureVenv(REQUIREMENTS, 'the AWS CLI and boto3');
  return { python: join(dir, 'bin/python'), aws: join(dir, 'bin/aws') };
}

/**
 * The folder of a venv with exactly `requirements` (a path; every package listed and pinned)
 * installed, building it if missing. `what` names the packages in the error. Throws, never skips.
 */
export async function ensureVenv(requirements: string, what: string): Promise<string> {
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 12);
  // A venv's scripts name its own path, so it is built where it will live; the marker says it is complete.
  const dir = join(toolsDir, `python-${hash}`);
  const complete = join(dir, '.complete');
  if (existsSync(complete)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(toolsDir, { recursive: true });
  try {
    await run('python3', ['-m', 'venv', dir], { timeout: 120_000 });
    // --no-deps: the requirements list every package, pinned, so nothing unpinned is pulled in.
    await run(join(dir, 'bin/pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', requirements], {
      timeout: 600_000,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: string; message: string };
    throw new Error(
      `installing ${what} failed (needs python3 with venv and PyPI access; bash .ci/run installs ` +
        `python3-venv where it is missing): ${e.stderr ?? e.message}`,
    );
  }
  writeFileSync(complete, '');
  return dir;
}
