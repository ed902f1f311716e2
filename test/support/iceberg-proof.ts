/**
 * The Iceberg proof program (test/e2e/iceberg, Maven): built on first use with
 * `mvn -B -q package` (dependencies from Maven Central into ~/.m2, reused
 * after), and rebuilt only when its pom.xml or sources change (a stamp in its
 * git-ignored target/ names their hash). Two test files use it: the build runs
 * under go-tools' lock, so parallel files never run Maven twice at once.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolsDir, withLock } from './go-tools.js';

const run = promisify(execFile);
const PROJECT = join(repoRoot, 'test/e2e/iceberg');
const SOURCES = join(PROJECT, 'src/main/java/lfcs/iceberg');

export interface IcebergProof {
  /** `java` arguments before the program's own: the class path and main class. */
  javaArgs: string[];
}

export async function ensureIcebergProof(): Promise<IcebergProof> {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(PROJECT, 'pom.xml')));
  for (const file of readdirSync(SOURCES).sort()) hash.update(file).update(readFileSync(join(SOURCES, file)));
  const stamp = join(PROJECT, 'target', `.built-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(stamp)) {
    mkdirSync(toolsDir, { recursive: true });
    await withLock('iceberg-proof', async () => {
      if (existsSync(stamp)) return; // built by whoever held the lock before us
      try {
        await run('mvn', ['-B', '-q', 'package'], { cwd: PROJECT, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`building the Iceberg proof failed (needs Java 17 + Maven and Maven Central): ${e.stdout ?? ''}${e.stderr ?? e.message}`);
      }
      writeFileSync(stamp, '');
    });
  }
  const classPath = [join(PROJECT, 'target/classes'), join(PROJECT, 'target/lib/*')].join(':');
  return { javaArgs: ['-cp', classPath, 'lfcs.iceberg.IcebergProof'] };
}
