import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientCommand } from './harness.js';

/**
 * Builds of the conformance clients, each with its own package manager from pinned versions,
 * into ignored folders beside the sources (Rust: see RUST_TARGET_DIR). Run from the tests' beforeAll, so a fresh clone needs
 * nothing by hand. Each is idempotent: Maven and pip are skipped while a stamp of their inputs
 * matches; cargo and go do their own up-to-date checks. Each logs how long it took.
 */
export const CONFORMANCE_DIR = dirname(fileURLToPath(import.meta.url));

async function sh(what: string, command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => reject(new Error(`${what}: cannot run ${command}: ${err.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${what}: ${command} ${args.join(' ')} exited ${code}\n${output}`)),
    );
  });
  console.log(`[conformance] ${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** sha256 over the relative paths and contents of these files (directories walked, build outputs skipped). */
function inputsHash(root: string, entries: string[]): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        if (name === 'target' || name.startsWith('.')) continue;
        walk(join(path, name));
      }
    } else {
      hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  for (const e of entries) walk(join(root, e));
  return hash.digest('hex');
}

function stampMatches(stamp: string, hash: string): boolean {
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
}

// ---- Java: one Maven reactor for every Java client --------------------------------------------

export const JAVA_DIR = join(CONFORMANCE_DIR, 'java');
export const JAVA_MODULES = ['v2-newest', 'v2-2.21.30', 'v2-2.21.25', 'v1', 'v1-1.12.367', 'hadoop-s3a'] as const;
export type JavaModule = (typeof JAVA_MODULES)[number];

let javaBuild: Promise<void> | undefined;
/** `mvn compile` of the reactor; each module writes its runtime classpath to target/classpath.txt. */
export function buildJava(): Promise<void> {
  javaBuild ??= (async () => {
    const stamp = join(JAVA_DIR, '.build-stamp');
    const hash = inputsHash(JAVA_DIR, ['pom.xml', 'common', 'v2-src', ...JAVA_MODULES]);
    const classpathsPresent = JAVA_MODULES.every((m) => {
      const file = join(JAVA_DIR, m, 'target', 'classpath.txt');
      return (
        existsSync(file) &&
        readFileSync(file, 'utf8')
          .trim()
          .split(':')
          .every((p) => existsSync(p))
      );
    });
    if (stampMatches(stamp, hash) && classpathsPresent) return;
    await sh('Java clients (mvn compile)', 'mvn', ['-B', '-q', 'compile'], JAVA_DIR);
    writeFileSync(stamp, hash);
  })();
  return javaBuild;
}

export function javaCommand(module: JavaModule, mainClass: string): ClientCommand {
  const classpath = readFileSync(join(JAVA_DIR, module, 'target', 'classpath.txt'), 'utf8').trim();
  return {
    command: 'java',
    args: [
      // A short-lived client: the C1 compiler starts fastest.
      '-XX:TieredStopAtLevel=1',
      '-Daws.java.v1.disableDeprecationAnnouncement=true',
      '-cp',
      `${join(JAVA_DIR, module, 'target', 'classes')}:${classpath}`,
      mainClass,
    ],
  };
}

// ---- Go ------------------------------------------------------------------------------------------

export const GO_DIR = join(CONFORMANCE_DIR, 'go');
export const GO_BINARY = join(GO_DIR, 'bin', 'conformance');

/** `go build` (module mode, go.sum checked); the Go build cache makes a rebuild a no-op. */
export async function buildGo(): Promise<void> {
  await sh('Go client (go build)', 'go', ['build', '-mod=readonly', '-o', GO_BINARY, '.'], GO_DIR);
}

// ---- Rust ----------------------------------------------------------------------------------------

export const RUST_DIR = join(CONFORMANCE_DIR, 'rust');
export const RUST_BINARY = join(RUST_DIR, 'bin', 'lfcs-conformance-rust');
/**
 * Cargo's target folder lives in the user's cache, not in the checkout: compiling aws-sdk-s3
 * takes about 3 minutes on 2 cores, and CI runs in a fresh clone each time. Cargo locks it, so
 * checkouts can share it; each copies its own binary into its ignored bin/ folder.
 */
const RUST_TARGET_DIR = process.env['CARGO_TARGET_DIR'] ?? join(homedir(), '.cache', 'lfcs-conformance', 'cargo-target');

/** `cargo build --locked` (the dev profile without debug info: the fastest build on 2 cores). */
export async function buildRust(): Promise<void> {
  await sh('Rust client (cargo build)', 'cargo', ['build', '--locked', '--quiet'], RUST_DIR, {
    ...process.env,
    CARGO_TARGET_DIR: RUST_TARGET_DIR,
  });
  mkdirSync(dirname(RUST_BINARY), { recursive: true });
  copyFileSync(join(RUST_TARGET_DIR, 'debug', 'lfcs-conformance-rust'), RUST_BINARY);
}

// ---- Python --------------------------------------------------------------------------------------

export const PYTHON_DIR = join(CONFORMANCE_DIR, 'python');
export const VENV_PYTHON = join(PYTHON_DIR, '.venv', 'bin', 'python');

let pythonBuild: Promise<void> | undefined;
/** A venv with requirements.txt installed (exact pins), redone only when that file changes. */
export function buildPython(): Promise<void> {
  pythonBuild ??= (async () => {
    const stamp = join(PYTHON_DIR, '.venv', '.requirements-sha256');
    const hash = inputsHash(PYTHON_DIR, ['requirements.txt']);
    if (existsSync(VENV_PYTHON) && stampMatches(stamp, hash)) return;
    if (!existsSync(VENV_PYTHON)) {
      await sh('Python venv', 'python3', ['-m', 'venv', join(PYTHON_DIR, '.venv')], PYTHON_DIR);
    }
    await sh(
      'Python clients (pip install -r requirements.txt)',
      VENV_PYTHON,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', 'requirements.txt'],
      PYTHON_DIR,
    );
    writeFileSync(stamp, hash);
  })();
  return pythonBuild;
}
