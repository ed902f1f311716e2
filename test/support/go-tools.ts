/**
 * Pinned Go tools the tests run, built from the Go module proxy into the
 * git-ignored `.tools/` folder of the checkout on first use and reused after:
 *
 * - `helm` (HELM_VERSION), built as `go install helm.sh/helm/v3/cmd/helm@…`
 *   with the -X flags of Helm's own Makefile, so the binary reports its
 *   version and defaults to the Kubernetes version of its client-go (1.37),
 *   exactly like the released binary (a bare `go install` would say v1.20).
 * - `kube-validate` (test/e2e/helm/kube-validate), once per Kubernetes API
 *   version it decodes against (KUBE_API_VERSIONS).
 *
 * The vitest globalSetup (test/e2e/helm/global-setup.ts) calls ensureGoTools()
 * once per run, before any test file starts; test files only look the
 * binaries up (helmBinary, kubeValidateBinary). Builds go to a temporary name
 * and are renamed into place, and a lock directory keeps two concurrent runs
 * (say `npm test` and `npm run helm:golden`) from building the same tool twice.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const toolsDir = join(repoRoot, '.tools');
const binDir = join(toolsDir, 'bin');

export const HELM_VERSION = 'v3.22.0';
/**
 * Kubernetes 1.37 is the Kubernetes of helm v3.22.0's client-go (v0.37.0),
 * so `helm template` without --kube-version assumes it.
 */
const HELM_DEFAULT_KUBE = { major: '1', minor: '37' };

/** Kubernetes API versions the rendered manifests are decoded against, with their Go modfile. */
export const KUBE_API_VERSIONS = {
  '1.29': 'k8s-1.29.mod',
  '1.37': 'go.mod',
} as const;
export type KubeApiVersion = keyof typeof KUBE_API_VERSIONS;

const kubeValidateDir = join(repoRoot, 'test/e2e/helm/kube-validate');

const INSTALL_HINT =
  'The chart tests build helm and kube-validate with Go from the Go module proxy; ' +
  'install Go >= 1.24 (bash .ci/run does it when `go` is missing).';

export function helmBinary(): string {
  return join(binDir, `helm-${HELM_VERSION}`);
}

export function kubeValidateBinary(version: KubeApiVersion): string {
  return join(binDir, `kube-validate-${version}-${kubeValidateHash(version)}`);
}

/** Builds whatever is missing. Throws (never skips) with the build's output on failure. */
export async function ensureGoTools(log: (line: string) => void = () => {}): Promise<void> {
  mkdirSync(binDir, { recursive: true });
  await ensureHelm(log);
  for (const version of Object.keys(KUBE_API_VERSIONS) as KubeApiVersion[]) {
    await ensureKubeValidate(version, log);
  }
}

async function ensureHelm(log: (line: string) => void): Promise<void> {
  const target = helmBinary();
  if (helmIsPinned(target)) return;
  await withLock('helm', async () => {
    if (helmIsPinned(target)) return; // built by whoever held the lock before us
    checkGo();
    const gobin = join(toolsDir, `build-helm-${process.pid}`);
    rmSync(gobin, { recursive: true, force: true });
    const ldflags = [
      '-s',
      '-w',
      `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
      `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=${HELM_DEFAULT_KUBE.major}`,
      `-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${HELM_DEFAULT_KUBE.minor}`,
      `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=${HELM_DEFAULT_KUBE.major}`,
      `-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${HELM_DEFAULT_KUBE.minor}`,
    ].join(' ');
    const started = Date.now();
    log(`building helm ${HELM_VERSION} into ${binDir} (first run only; a few minutes on 2 cores)`);
    try {
      await run('go', ['install', `-ldflags=${ldflags}`, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
        cwd: toolsDir,
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      });
      renameSync(join(gobin, 'helm'), target);
    } finally {
      rmSync(gobin, { recursive: true, force: true });
    }
    if (!helmIsPinned(target)) throw new Error(`${target} does not report ${HELM_VERSION}`);
    log(`built helm ${HELM_VERSION} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

function helmIsPinned(binary: string): boolean {
  if (!existsSync(binary)) return false;
  const version = spawnSync(binary, ['version', '--template', '{{.Version}}'], { encoding: 'utf8', timeout: 30_000 });
  return version.status === 0 && version.stdout.trim() === HELM_VERSION;
}

async function ensureKubeValidate(version: KubeApiVersion, log: (line: string) => void): Promise<void> {
  const target = kubeValidateBinary(version);
  if (existsSync(target)) return;
  await withLock(`kube-validate-${version}`, async () => {
    if (existsSync(target)) return;
    checkGo();
    const partial = `${target}.${process.pid}.tmp`;
    const started = Date.now();
    log(`building kube-validate for the Kubernetes ${version} API types (first run only)`);
    try {
      await run('go', ['build', `-modfile=${KUBE_API_VERSIONS[version]}`, '-mod=readonly', '-o', partial, '.'], {
        cwd: kubeValidateDir,
        env: { ...process.env, CGO_ENABLED: '0' },
      });
      renameSync(partial, target);
    } finally {
      rmSync(partial, { force: true });
    }
    // Builds from older sources of the same version are dead weight now.
    for (const file of readdirSync(binDir)) {
      if (file.startsWith(`kube-validate-${version}-`) && join(binDir, file) !== target) rmSync(join(binDir, file), { force: true });
    }
    log(`built kube-validate ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

/** Source, module files and Go version: a change to any of them builds a new binary. */
function kubeValidateHash(version: KubeApiVersion): string {
  const modfile = KUBE_API_VERSIONS[version];
  const hash = createHash('sha256');
  for (const file of ['main.go', modfile, modfile.replace(/\.mod$/, '.sum')]) {
    hash.update(file).update(readFileSync(join(kubeValidateDir, file)));
  }
  hash.update(goVersion());
  return hash.digest('hex').slice(0, 12);
}

let cachedGoVersion: string | undefined;
function goVersion(): string {
  if (cachedGoVersion === undefined) {
    const result = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
    cachedGoVersion = result.status === 0 ? result.stdout.trim() : 'no-go';
  }
  return cachedGoVersion;
}

function checkGo(): void {
  if (goVersion() === 'no-go') throw new Error(`go is not on PATH. ${INSTALL_HINT}`);
}

/** Runs a build; its output is kept and shown only when it fails. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => reject(new Error(`${command} ${args.join(' ')}: ${error.message}. ${INSTALL_HINT}`)));
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}) in ${options.cwd}:\n${output.slice(-8000)}`));
    });
  });
}

/**
 * A lock directory per tool (mkdir is atomic). A holder that died leaves its
 * PID behind; the next caller sees the process is gone and takes over.
 */
export async function withLock(name: string, body: () => Promise<void>): Promise<void> {
  const lock = join(toolsDir, `${name}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!lockHolderAlive(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 500)); // another run is building the same tool
    }
  }
  try {
    await body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // just created, PID not written yet
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
