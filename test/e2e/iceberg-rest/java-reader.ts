/**
 * The Iceberg Java reader (test/e2e/iceberg-rest/java, Maven): built on first
 * use with `mvn -B -q package` into the git-ignored .tools/iceberg-rest-reader
 * (dependencies from Maven Central into ~/.m2, reused after), rebuilt only
 * when its pom.xml or sources change (a stamp names their hash).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolsDir, withLock } from '../../support/go-tools.js';

const run = promisify(execFile);
const PROJECT = join(repoRoot, 'test/e2e/iceberg-rest/java');
const SOURCES = join(PROJECT, 'src/main/java/lfcs/icebergrest');
const TARGET = join(toolsDir, 'iceberg-rest-reader');

/** `java` arguments before the program's own: the class path and main class. */
export async function ensureJavaReader(): Promise<string[]> {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(PROJECT, 'pom.xml')));
  for (const file of readdirSync(SOURCES).sort()) hash.update(file).update(readFileSync(join(SOURCES, file)));
  const stamp = join(TARGET, `.built-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(stamp)) {
    mkdirSync(toolsDir, { recursive: true });
    await withLock('iceberg-rest-reader', async () => {
      if (existsSync(stamp)) return;
      try {
        await run('mvn', ['-B', '-q', 'package'], { cwd: PROJECT, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`building the Iceberg Java reader failed (needs Java 17 + Maven and Maven Central): ${e.stdout ?? ''}${e.stderr ?? e.message}`);
      }
      writeFileSync(stamp, '');
    });
  }
  return ['-cp', [join(TARGET, 'classes'), join(TARGET, 'lib/*')].join(':'), 'lfcs.icebergrest.ReadTables'];
}
