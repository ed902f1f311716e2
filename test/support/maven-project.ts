/**
 * The Maven programs the e2e tests run (the Iceberg proof, the Iceberg REST
 * Java reader, the Lake Formation plugin proof), built the same way: on first
 * use with `mvn -B -q package` (dependencies from Maven Central into ~/.m2,
 * reused after), and rebuilt only when the project's pom.xml or sources
 * change (a stamp in its build directory names their hash). The build runs
 * under go-tools' lock, so parallel test files never run Maven on one project
 * twice at once.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolsDir, withLock } from './go-tools.js';

const run = promisify(execFile);

export interface MavenProject {
  /** What it is, in the error a failed build raises: "the Iceberg proof". */
  name: string;
  /** The build lock's name under .tools/. */
  lock: string;
  /** The folder of its pom.xml. */
  dir: string;
  /** The folder of its Java sources (one package), hashed with pom.xml. */
  sources: string;
  /** Its build directory, as its pom sets it; default `<dir>/target`. */
  target?: string;
  /** The class `java` runs. */
  mainClass: string;
}

/**
 * Builds `project` if its pom.xml or sources changed since the last build,
 * and returns the `java` arguments before the program's own: the class path
 * (its classes, and the runtime dependencies its pom copies to `lib/`) and
 * the main class.
 */
export async function ensureMavenProject(project: MavenProject): Promise<string[]> {
  const target = project.target ?? join(project.dir, 'target');
  const hash = createHash('sha256');
  hash.update(readFileSync(join(project.dir, 'pom.xml')));
  for (const file of readdirSync(project.sources).sort()) hash.update(file).update(readFileSync(join(project.sources, file)));
  const stamp = join(target, `.built-${hash.digest('hex').slice(0, 12)}`);
  if (!existsSync(stamp)) {
    mkdirSync(toolsDir, { recursive: true });
    await withLock(project.lock, async () => {
      if (existsSync(stamp)) return; // built by whoever held the lock before us
      try {
        await run('mvn', ['-B', '-q', 'package'], { cwd: project.dir, timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(
          `building ${project.name} failed (needs Java 17 + Maven and Maven Central): ${e.stdout ?? ''}${e.stderr ?? e.message}`,
        );
      }
      writeFileSync(stamp, '');
    });
  }
  return ['-cp', [join(target, 'classes'), join(target, 'lib/*')].join(':'), project.mainClass];
}
