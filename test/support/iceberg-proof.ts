/**
 * The Iceberg proof program (test/e2e/iceberg, Maven), built on first use by
 * {@link ensureMavenProject}. Two test files use it.
 */
import { join } from 'node:path';
import { repoRoot } from './go-tools.js';
import { ensureMavenProject } from './maven-project.js';

const PROJECT = join(repoRoot, 'test/e2e/iceberg');

export interface IcebergProof {
  /** `java` arguments before the program's own: the class path and main class. */
  javaArgs: string[];
}

export async function ensureIcebergProof(): Promise<IcebergProof> {
  const javaArgs = await ensureMavenProject({
    name: 'the Iceberg proof',
    lock: 'iceberg-proof',
    dir: PROJECT,
    sources: join(PROJECT, 'src/main/java/lfcs/iceberg'),
    mainClass: 'lfcs.iceberg.IcebergProof',
  });
  return { javaArgs };
}
