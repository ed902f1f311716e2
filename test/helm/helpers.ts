/**
 * Test helpers for the Helm chart: offline rendering with the Go renderer in
 * ./renderer (no helm binary exists on CI), YAML loading and values merging.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(repoRoot, 'helm/lakeformation-credential-sidecar');
const rendererDir = join(repoRoot, 'test/helm/renderer');

/** Debian installs sprig (and yaml.v2/v3) here; the renderer builds in GOPATH mode against it. */
const GOPATH = '/usr/share/gocode';
const INSTALL_HINT =
  'The Helm chart tests render templates with a small Go program (test/helm/renderer) and need ' +
  'the Go toolchain and sprig: apt-get install -y golang-go golang-github-masterminds-sprig-dev';

/** A parsed Kubernetes manifest; specs are navigated loosely in assertions. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };
export type Container = { name: string; [k: string]: any };
export type Values = Record<string, unknown>;

export interface RenderOptions {
  /** Values files, applied in order after values.yaml (like `helm template -f`). */
  valuesFiles?: string[];
  /** Inline values, written to temporary files and applied after valuesFiles. */
  values?: Values[];
  name?: string;
  namespace?: string;
  kubeVersion?: string;
  /** alias -> chart directory, rendered as dependencies of `chart`. */
  subcharts?: Record<string, string>;
  chart?: string;
  notes?: boolean;
  /** missingkey=error, as `helm lint --strict` renders. */
  strict?: boolean;
}

export interface RenderResult {
  status: number;
  stdout: string;
  stderr: string;
}

let rendererPath: string | undefined;

/**
 * Builds the renderer once per machine and source version: the binary is
 * content-addressed in the temp dir, so every test file (vitest runs each in
 * its own process) reuses it. Fails, never skips, when Go is missing.
 */
export function buildRenderer(): string {
  if (rendererPath) return rendererPath;
  const goVersion = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (goVersion.error || goVersion.status !== 0) {
    throw new Error(`go is not on PATH (${goVersion.error?.message ?? goVersion.stderr}). ${INSTALL_HINT}`);
  }
  if (!existsSync(join(GOPATH, 'src/github.com/Masterminds/sprig'))) {
    throw new Error(`sprig is not installed under ${GOPATH}. ${INSTALL_HINT}`);
  }
  const source = readFileSync(join(rendererDir, 'main.go'));
  const hash = createHash('sha256').update(source).update(goVersion.stdout).digest('hex').slice(0, 16);
  const binary = join(tmpdir(), `lfcs-helm-renderer-${hash}`);
  if (!existsSync(binary)) {
    const partial = `${binary}.${process.pid}.tmp`;
    const cache = process.env['GOCACHE'] ?? join(tmpdir(), 'lfcs-go-build-cache');
    mkdirSync(cache, { recursive: true });
    const build = spawnSync('go', ['build', '-o', partial, '.'], {
      cwd: rendererDir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, GOPATH, GO111MODULE: 'off', GOFLAGS: '', GOCACHE: cache },
    });
    if (build.status !== 0) {
      throw new Error(`building the chart renderer failed:\n${build.stderr}${build.error?.message ?? ''}\n${INSTALL_HINT}`);
    }
    renameSync(partial, binary); // atomic: concurrent test files never run a half-written binary
  }
  rendererPath = binary;
  return binary;
}

/** Runs the renderer; never throws on a template error (see renderOk). */
export function render(options: RenderOptions = {}): RenderResult {
  const binary = buildRenderer();
  const scratch = mkdtempSync(join(tmpdir(), 'lfcs-values-'));
  try {
    const args = ['--chart', options.chart ?? chartDir, '--name', options.name ?? 'lfcs', '--namespace', options.namespace ?? 'data'];
    if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
    if (options.notes) args.push('--notes');
    if (options.strict) args.push('--strict');
    for (const file of options.valuesFiles ?? []) args.push('-f', resolve(repoRoot, file));
    (options.values ?? []).forEach((values, index) => {
      const file = join(scratch, `values-${index}.yaml`);
      writeFileSync(file, stringify(values));
      args.push('-f', file);
    });
    for (const [alias, dir] of Object.entries(options.subcharts ?? {})) args.push('--subchart', `${alias}=${dir}`);
    const run = spawnSync(binary, args, { encoding: 'utf8', timeout: 30_000 });
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr + (run.error?.message ?? '') };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const rendered = new Map<string, Manifest[]>();

/**
 * Renders and parses every manifest; throws with the renderer's message on
 * failure. Results are memoised per options (parsing the dashboard JSON is
 * the slow part) and handed out as copies, so tests cannot affect each other.
 */
export function renderOk(options: RenderOptions = {}): Manifest[] {
  const key = JSON.stringify(options);
  let manifests = rendered.get(key);
  if (!manifests) {
    const result = render(options);
    if (result.status !== 0) throw new Error(`render failed: ${result.stderr}`);
    manifests = splitManifests(result.stdout);
    rendered.set(key, manifests);
  }
  return structuredClone(manifests);
}

/** Splits renderer output on `---` lines and parses each document. */
export function splitManifests(output: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const chunk of output.split(/^---$/m)) {
    const doc: unknown = parse(chunk);
    if (doc === null || doc === undefined) continue;
    manifests.push(doc as Manifest);
  }
  return manifests;
}

export function findManifest(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) {
    const have = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`expected exactly one ${kind}${name ? `/${name}` : ''}, found ${found.length} (have: ${have})`);
  }
  return found[0]!;
}

export function podSpecOf(manifest: Manifest): any {
  return manifest.kind === 'Pod' ? manifest['spec'] : manifest['spec']['template']['spec'];
}

export function containerNamed(containers: Container[] | undefined, name: string): Container {
  const found = (containers ?? []).find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name} in [${(containers ?? []).map((c) => c.name).join(', ')}]`);
  return found;
}

export function readYaml<T = any>(path: string): T {
  return parse(readFileSync(resolve(repoRoot, path), 'utf8')) as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Helm's values coalescing: maps merge recursively, null deletes, anything else replaces. */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === null) {
      delete out[key];
    } else if (isPlainObject(out[key]) && isPlainObject(value)) {
      out[key] = mergeValues(out[key] as Values, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** values.yaml of the chart merged with the given files, as Helm validates them. */
export function chartValues(...files: string[]): Values {
  return files.reduce<Values>((acc, file) => mergeValues(acc, readYaml<Values>(file)), readYaml<Values>(join(chartDir, 'values.yaml')));
}

/** Every string in a parsed document, for "this never appears anywhere" checks. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => [k, ...allStrings(v)]);
  return [];
}
