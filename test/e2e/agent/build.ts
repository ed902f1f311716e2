/**
 * The agent network tests' clients, built on first use by the test's own set-up (a fresh clone
 * needs nothing by hand), each logging how long it took:
 * - botocore, pinned in requirements.txt, into a venv of its own under `.tools/`
 *   (test/support/python-tools.ts ensureVenv);
 * - the Java client (clients/java, Maven), compiled beside its sources into the ignored
 *   `target/`; skipped while a stamp of its inputs matches and its classpath is still there.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureVenv } from '../../support/python-tools.js';

const run = promisify(execFile);
export const AGENT_TEST_DIR = new URL('.', import.meta.url).pathname;
export const CLIENTS_DIR = join(AGENT_TEST_DIR, 'clients');
const JAVA_DIR = join(CLIENTS_DIR, 'java');
const JAVA_SOURCES = ['pom.xml', 'src/main/java/lfcs/agent/ContainerClient.java'];

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  console.log(`[agent-netns] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** The venv's python with botocore (the same pin as the other Python tests). */
export function ensureBotocore(): Promise<string> {
  return timed('botocore venv', async () => join(await ensureVenv(join(AGENT_TEST_DIR, 'requirements.txt'), 'botocore'), 'bin', 'python'));
}

/** `java` arguments that run the ContainerCredentialsProvider client, compiling it first if needed. */
export function buildJavaClient(): Promise<string[]> {
  return timed('Java client (mvn compile, skipped when unchanged)', async () => {
    const hash = createHash('sha256');
    for (const file of JAVA_SOURCES)
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(join(JAVA_DIR, file)))
        .update('\0');
    const digest = hash.digest('hex');
    const stamp = join(JAVA_DIR, 'target', '.build-stamp');
    const classpathFile = join(JAVA_DIR, 'target', 'classpath.txt');
    const built = () =>
      existsSync(stamp) &&
      readFileSync(stamp, 'utf8') === digest &&
      existsSync(classpathFile) &&
      readFileSync(classpathFile, 'utf8')
        .trim()
        .split(':')
        .every((path) => existsSync(path));
    if (!built()) {
      try {
        await run('mvn', ['-B', '-q', 'compile'], { cwd: JAVA_DIR, timeout: 10 * 60_000 });
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`building the Java client (mvn compile in ${JAVA_DIR}) failed: ${e.stdout ?? ''}${e.stderr ?? e.message}`);
      }
      writeFileSync(stamp, digest);
    }
    return [
      // A short-lived client: the C1 compiler starts fastest.
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${join(JAVA_DIR, 'target', 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`,
      'lfcs.agent.ContainerClient',
    ];
  });
}
