/**
 * The AWS Lake Formation plugin proof program (test/e2e/lakeformation-plugin,
 * Maven), built on first use by {@link ensureMavenProject}: the plugin jar and
 * its dependencies come from Maven Central into ~/.m2.
 */
import { join } from 'node:path';
import { repoRoot } from './go-tools.js';
import { ensureMavenProject } from './maven-project.js';

const PROJECT = join(repoRoot, 'test/e2e/lakeformation-plugin');

export interface PluginProof {
  /** `java` arguments before the program's own: the class path and main class. */
  javaArgs: string[];
}

export async function ensurePluginProof(): Promise<PluginProof> {
  const javaArgs = await ensureMavenProject({
    name: 'the Lake Formation plugin proof',
    lock: 'lakeformation-plugin-proof',
    dir: PROJECT,
    sources: join(PROJECT, 'src/main/java/lfcs/plugin'),
    mainClass: 'lfcs.plugin.PluginProof',
  });
  return { javaArgs };
}
