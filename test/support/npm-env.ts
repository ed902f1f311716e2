/** The environment for npm and for the installed `lfcs` bin when a test runs them as a user would. */
import { dirname } from 'node:path';

/**
 * `process.env` without npm's own `npm_*` variables (set when the suite runs under npm or npx, and
 * they would steer the child npm), with this Node first on PATH: the bin starts with
 * `#!/usr/bin/env node`, and the version under test must be the one that runs it.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  env['PATH'] = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
  return { ...env, ...extra };
}
