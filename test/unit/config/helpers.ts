import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../../src/config/index.js';

const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Writes `text` to a fresh temporary YAML file, removed after the test. */
export async function yamlFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lfcs-config-'));
  dirs.push(dir);
  const file = join(dir, 'config.yaml');
  await writeFile(file, text);
  return file;
}

/** The ConfigError `run` throws (synchronously or not); fails the test if it throws anything else or nothing. */
export async function configError(run: () => unknown): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

/** The problem at `path`; fails if there is not exactly one. */
export function problemAt(error: ConfigError, path: string): ConfigProblem {
  const found = error.problems.filter((problem) => problem.path === path);
  if (found.length !== 1) {
    throw new Error(`expected one problem at ${path}, found ${found.length}:\n${error.message}`);
  }
  return found[0] as ConfigProblem;
}
