/**
 * The Iceberg Java reader (test/e2e/iceberg-rest/java, Maven), built on first
 * use by {@link ensureMavenProject} into the git-ignored
 * .tools/iceberg-rest-reader (its pom's build directory).
 */
import { join } from 'node:path';
import { repoRoot, toolsDir } from '../../support/go-tools.js';
import { ensureMavenProject } from '../../support/maven-project.js';

const PROJECT = join(repoRoot, 'test/e2e/iceberg-rest/java');

/** `java` arguments before the program's own: the class path and main class. */
export function ensureJavaReader(): Promise<string[]> {
  return ensureMavenProject({
    name: 'the Iceberg Java reader',
    lock: 'iceberg-rest-reader',
    dir: PROJECT,
    sources: join(PROJECT, 'src/main/java/lfcs/icebergrest'),
    target: join(toolsDir, 'iceberg-rest-reader'),
    mainClass: 'lfcs.icebergrest.ReadTables',
  });
}
