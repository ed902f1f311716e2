/**
 * Test helpers for the Helm chart: rendering with the real, pinned helm
 * (built into .tools/ by the vitest globalSetup, test/e2e/helm/global-setup.ts),
 * YAML loading and values merging.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll } from 'vitest';
import { helmBinary, kubeValidateBinary, repoRoot, type KubeApiVersion } from '../../support/go-tools.js';
import { deepMerge } from '../../support/deep-merge.js';

export { repoRoot };
export const chartDir = join(repoRoot, 'helm/lakeformation-credential-sidecar');
export const workloadChartDir = join(repoRoot, 'test/e2e/helm/fixtures/workload');

/** A parsed Kubernetes manifest; specs are navigated loosely in assertions. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };
export type Container = { name: string; [k: string]: any };
export type Values = Record<string, unknown>;

export interface RenderOptions {
  /** Values files, applied in order after values.yaml (`helm template -f`). */
  valuesFiles?: string[];
  /** Inline values, written to temporary files and applied after valuesFiles. */
  values?: Values[];
  /** `--set` arguments, applied last. */
  set?: string[];
  /** Release name (default lfcs). */
  name?: string;
  /** Release namespace (default data). */
  namespace?: string;
  /** `--kube-version`; helm's default is the Kubernetes of its client-go (1.37). */
  kubeVersion?: string;
  /** Chart directory (default: the lfcs chart). Its file:// dependencies are built with `helm dependency build`. */
  chart?: string;
}

export interface RenderResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** A scratch directory per test file, removed after the file's tests. */
let scratchRoot: string | undefined;
function scratch(): string {
  scratchRoot ??= mkdtempSync(join(tmpdir(), 'lfcs-helm-'));
  return scratchRoot;
}

afterAll(() => {
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
  scratchRoot = undefined;
  preparedCharts.clear();
  notesChart = undefined;
});

/** The pinned helm, with its cache/config/data homes kept out of the user's. */
export function helm(args: string[]): RenderResult {
  const binary = helmBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `${binary} is missing: run the chart tests through vitest, whose globalSetup (test/e2e/helm/global-setup.ts) builds it`,
    );
  }
  const home = join(scratch(), 'helm-home');
  const run = spawnSync(binary, args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    },
  });
  return { status: run.status ?? -1, stdout: run.stdout ?? '', stderr: (run.stderr ?? '') + (run.error?.message ?? '') };
}

const preparedCharts = new Map<string, string>();

/**
 * The chart directory to hand to helm. The lfcs chart is used in place; any
 * other chart (the workload fixture) is copied with the lfcs chart into the
 * scratch directory at the same relative paths, so its `file://` dependency
 * resolves, and `helm dependency build` vendors the lfcs chart into its
 * charts/ there, never in the source tree.
 */
export function preparedChart(chart: string = chartDir): string {
  const absolute = resolve(repoRoot, chart);
  if (absolute === chartDir) return chartDir;
  let prepared = preparedCharts.get(absolute);
  if (!prepared) {
    const root = mkdtempSync(join(scratch(), 'chart-'));
    for (const dir of [absolute, chartDir]) {
      cpSync(dir, join(root, relative(repoRoot, dir)), {
        recursive: true,
        filter: (src) => !src.endsWith('/charts') && !src.endsWith('Chart.lock'),
      });
    }
    prepared = join(root, relative(repoRoot, absolute));
    const build = helm(['dependency', 'build', prepared]);
    if (build.status !== 0)
      throw new Error(`helm dependency build ${relative(repoRoot, absolute)} failed:\n${build.stdout}${build.stderr}`);
    preparedCharts.set(absolute, prepared);
  }
  return prepared;
}

/** `-f` arguments for the options' values files and inline values (temporary files). */
function valuesArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('-f', resolve(repoRoot, file));
  if (options.values?.length) {
    const dir = mkdtempSync(join(scratch(), 'values-'));
    options.values.forEach((values, index) => {
      const file = join(dir, `values-${index}.yaml`);
      writeFileSync(file, stringify(values));
      args.push('-f', file);
    });
  }
  for (const set of options.set ?? []) args.push('--set', set);
  return args;
}

/** `helm template`; never throws on a template error (see renderOk). */
export function render(options: RenderOptions = {}): RenderResult {
  const args = ['template', options.name ?? 'lfcs', preparedChart(options.chart), '--namespace', options.namespace ?? 'data'];
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  return helm([...args, ...valuesArgs(options)]);
}

/** `helm lint --strict` (warnings fail too) with the same values and Kubernetes version. */
export function lint(options: RenderOptions = {}): RenderResult {
  const args = ['lint', '--strict', preparedChart(options.chart), '--namespace', options.namespace ?? 'data'];
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  return helm([...args, ...valuesArgs(options)]);
}

let notesChart: string | undefined;

/**
 * templates/NOTES.txt as helm renders it for these values. `helm template`
 * drops NOTES.txt and `helm install --dry-run` needs a cluster, so a scratch
 * copy of the chart wraps the unchanged NOTES.txt in a named template and a
 * ConfigMap that includes it: the same engine, values and context render it.
 */
export function renderNotes(options: Omit<RenderOptions, 'chart'> = {}): RenderResult {
  if (!notesChart) {
    const dir = join(mkdtempSync(join(scratch(), 'notes-')), 'lakeformation-credential-sidecar');
    cpSync(chartDir, dir, { recursive: true });
    const notes = readFileSync(join(dir, 'templates/NOTES.txt'), 'utf8');
    writeFileSync(join(dir, 'templates/_lfcs-test-notes.tpl'), `{{- define "lfcs-test.notes" -}}\n${notes}{{- end -}}\n`);
    writeFileSync(
      join(dir, 'templates/lfcs-test-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lfcs-test-notes\ndata:\n  notes: {{ include "lfcs-test.notes" . | toJson }}\n',
    );
    notesChart = dir;
  }
  const args = [
    'template',
    options.name ?? 'lfcs',
    notesChart,
    '--namespace',
    options.namespace ?? 'data',
    '--show-only',
    'templates/lfcs-test-notes.yaml',
  ];
  if (options.kubeVersion) args.push('--kube-version', options.kubeVersion);
  const result = helm([...args, ...valuesArgs(options)]);
  if (result.status !== 0) return result;
  const [configMap] = splitManifests(result.stdout);
  return { ...result, stdout: String(configMap?.['data']?.['notes'] ?? '') };
}

/** Runs kube-validate (strict decoding into the k8s.io/api types of `version`) on manifest files. */
export function kubeValidate(version: KubeApiVersion, files: string[]): RenderResult {
  const binary = kubeValidateBinary(version);
  if (!existsSync(binary)) {
    throw new Error(
      `${binary} is missing: run the chart tests through vitest, whose globalSetup (test/e2e/helm/global-setup.ts) builds it`,
    );
  }
  const run = spawnSync(binary, files, { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status ?? -1, stdout: run.stdout ?? '', stderr: (run.stderr ?? '') + (run.error?.message ?? '') };
}

/** A file in the scratch directory (removed after the test file). */
export function scratchFile(name: string, content: string): string {
  const dir = join(scratch(), 'files');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const rendered = new Map<string, Manifest[]>();

/**
 * Renders and parses every manifest; throws with helm's message on
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

/** Splits `helm template` output on `---` lines and parses each document. */
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
  return deepMerge(base, override, { nullDeletes: true });
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
