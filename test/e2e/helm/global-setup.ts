// vitest globalSetup: builds the pinned helm and the kube-validate programs
// into .tools/ before any test file runs (once; later runs find them there).
// One set-up in the main process, so parallel test files never race a build.
import { ensureGoTools } from '../../support/go-tools.js';

export default async function setup(): Promise<void> {
  await ensureGoTools((line) => process.stderr.write(`[go-tools] ${line}\n`));
}
