// Golden manifests: what `helm template` renders for every values file the
// chart ships or tests, committed under test/e2e/helm/golden/ so every chart
// change shows as a reviewable diff. Each case is also linted with
// `helm lint --strict`, and its manifests are strictly decoded into the real
// Kubernetes API types of 1.29 and 1.37 (test/e2e/helm/kube-validate).
//
// Regenerate after a deliberate chart change, then review the diff:
//   npm run helm:golden
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { KUBE_API_VERSIONS, type KubeApiVersion } from '../../support/go-tools.js';
import {
  chartDir,
  kubeValidate,
  lint,
  readYaml,
  render,
  repoRoot,
  scratchFile,
  splitManifests,
  workloadChartDir,
  type RenderOptions,
} from './helpers.js';

const goldenDir = join(repoRoot, 'test/e2e/helm/golden');
const UPDATE = process.env['LFCS_UPDATE_GOLDEN'] === '1';
if (UPDATE && process.env['CI']) throw new Error('LFCS_UPDATE_GOLDEN is for developers; CI only compares');

/** The Kubernetes version the goldens are rendered for: the oldest the API types are checked against. */
const GOLDEN_KUBE = '1.29.0';

interface GoldenCase {
  name: string;
  options: RenderOptions;
  /** Kubernetes version of the golden when GOLDEN_KUBE is too old for the case (agent mode needs 1.30). */
  kubeVersion?: string;
  /** Other Kubernetes versions that must render byte-for-byte the same. */
  alsoKube: string[];
}

const ci = (file: string): string => join(chartDir, 'ci', file);
const NEWEST = '1.37.0'; // helm v3.22.0's default Kubernetes
const CLASSIC_MIN = '1.25.0'; // the chart's kubeVersion floor, for sidecar.mode=classic
const AGENT_MIN = '1.30.0'; // agent mode: projected tokens name the node from 1.30

const GOLDEN_CASES: GoldenCase[] = [
  { name: 'ci-native', options: { valuesFiles: [ci('native-values.yaml')] }, alsoKube: [NEWEST] },
  { name: 'ci-classic', options: { valuesFiles: [ci('classic-values.yaml')] }, alsoKube: [NEWEST, CLASSIC_MIN] },
  { name: 'ci-observability', options: { valuesFiles: [ci('observability-values.yaml')] }, alsoKube: [NEWEST] },
  { name: 'defaults', options: { set: ['region=us-east-1'] }, alsoKube: [NEWEST] },
  { name: 'example-spark', options: { valuesFiles: ['examples/spark/lfcs-values.yaml'] }, alsoKube: [NEWEST] },
  { name: 'example-trino', options: { valuesFiles: ['examples/trino/lfcs-values.yaml'] }, alsoKube: [NEWEST] },
  // example.enabled, so the golden shows lfcs.consumerEnv with AWS_ENDPOINT_URL_LAKEFORMATION (the example needs a profile).
  {
    name: 'example-spark-iceberg',
    options: {
      valuesFiles: ['examples/spark/iceberg/lfcs-values.yaml'],
      set: [
        'example.enabled=true',
        'sidecar.profile=orders',
        'config.profiles.orders.tableArn=arn:aws:glue:us-east-1:111122223333:table/sales/orders',
      ],
    },
    alsoKube: [NEWEST],
  },
  { name: 'workload-native', options: { chart: workloadChartDir, name: 'shop' }, alsoKube: [NEWEST] },
  {
    name: 'workload-classic',
    options: { chart: workloadChartDir, name: 'shop', set: ['lfcs.sidecar.mode=classic'] },
    alsoKube: [NEWEST, CLASSIC_MIN],
  },
  // Agent mode: the DaemonSet, its ClusterRoleBinding, and consumers without a sidecar.
  { name: 'ci-agent', options: { valuesFiles: [ci('agent-values.yaml')] }, kubeVersion: AGENT_MIN, alsoKube: [NEWEST] },
  // Installed in a namespace of its own, as examples/spark/agent/spark-submit.sh says.
  {
    name: 'example-spark-agent',
    options: { valuesFiles: ['examples/spark/agent/lfcs-values.yaml'], namespace: 'lfcs-system' },
    kubeVersion: AGENT_MIN,
    alsoKube: [NEWEST],
  },
  {
    name: 'workload-agent',
    // The fixture's values set lfcs.agent.install=false and its own ServiceAccount "shop": consumer side only.
    options: { chart: workloadChartDir, name: 'shop', set: ['lfcs.config.mode=agent'] },
    kubeVersion: AGENT_MIN,
    alsoKube: [NEWEST],
  },
];

const kubeOf = (testCase: GoldenCase): string => testCase.kubeVersion ?? GOLDEN_KUBE;

/** The command a reader can paste to get the same output (minus this header). */
function commandLine(options: RenderOptions, kubeVersion: string): string {
  const chart = relative(repoRoot, options.chart ?? chartDir);
  const parts = [
    'helm template',
    options.name ?? 'lfcs',
    chart,
    `--namespace ${options.namespace ?? 'data'}`,
    `--kube-version ${kubeVersion}`,
  ];
  for (const file of options.valuesFiles ?? []) parts.push(`-f ${relative(repoRoot, resolve(repoRoot, file))}`);
  for (const set of options.set ?? []) parts.push(`--set ${set}`);
  return parts.join(' ');
}

const goldenRenders = new Map<string, string>();
/** `helm template` at the case's Kubernetes version, once per case. */
function renderAtGoldenKube(testCase: GoldenCase): string {
  let stdout = goldenRenders.get(testCase.name);
  if (stdout === undefined) {
    const result = render({ ...testCase.options, kubeVersion: kubeOf(testCase) });
    if (result.status !== 0) throw new Error(`helm template failed for ${testCase.name}: ${result.stderr}`);
    stdout = result.stdout;
    goldenRenders.set(testCase.name, stdout);
  }
  return stdout;
}

function golden(testCase: GoldenCase): string {
  const header = [
    `# Golden output of: ${commandLine(testCase.options, kubeOf(testCase))}`,
    ...(testCase.options.chart ? ['# (after `helm dependency build` of that chart)'] : []),
    '# Generated by `npm run helm:golden`; compared byte-for-byte by test/e2e/helm/golden.test.ts.',
  ];
  return `${header.join('\n')}\n${renderAtGoldenKube(testCase)}`;
}

/** Where two texts first differ, for the failure message. */
function firstDifference(committed: string, rendered: string): string {
  const was = committed.split('\n');
  const now = rendered.split('\n');
  for (let i = 0; i < Math.max(was.length, now.length); i++) {
    if (was[i] !== now[i]) return `line ${i + 1}: golden ${JSON.stringify(was[i] ?? '<end>')}, helm ${JSON.stringify(now[i] ?? '<end>')}`;
  }
  return 'same lines';
}

const goldenPath = (name: string): string => join(goldenDir, `${name}.yaml`);

describe.each(GOLDEN_CASES)('golden $name', (testCase) => {
  it('matches test/e2e/helm/golden/<name>.yaml byte-for-byte', () => {
    const rendered = golden(testCase);
    const file = goldenPath(testCase.name);
    if (UPDATE) {
      mkdirSync(goldenDir, { recursive: true });
      writeFileSync(file, rendered);
    }
    expect(existsSync(file), `${relative(repoRoot, file)} is missing: run npm run helm:golden`).toBe(true);
    const committed = readFileSync(file, 'utf8');
    // Strict string equality, not a snapshot matcher: no normalising of whitespace or line ends.
    expect(
      rendered === committed,
      `${relative(repoRoot, file)} is out of date (${firstDifference(committed, rendered)}): run npm run helm:golden and review the diff`,
    ).toBe(true);
  });

  it.each(testCase.alsoKube)('renders the same for Kubernetes %s', (kubeVersion) => {
    const result = render({ ...testCase.options, kubeVersion });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout === renderAtGoldenKube(testCase)).toBe(true);
  });

  it('passes helm lint --strict', () => {
    const result = lint({ ...testCase.options, kubeVersion: kubeOf(testCase) });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it.each(Object.keys(KUBE_API_VERSIONS) as KubeApiVersion[])('decodes strictly into the Kubernetes %s API types', (version) => {
    const file = goldenPath(testCase.name);
    const documents = splitManifests(readFileSync(file, 'utf8')).length;
    expect(documents).toBeGreaterThan(0);
    const result = kubeValidate(version, [file]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`kube-validate: ${documents} documents, 0 failed`);
  });
});

describe('golden directory', () => {
  it('holds exactly one file per case (no stale goldens)', () => {
    const expected = GOLDEN_CASES.map((c) => `${c.name}.yaml`).sort();
    if (UPDATE) {
      for (const file of readdirSync(goldenDir)) if (!expected.includes(file)) rmSync(join(goldenDir, file));
    }
    expect(readdirSync(goldenDir).sort()).toEqual(expected);
  });
});

describe('the examples, outside the chart, decode into the Kubernetes API types', () => {
  // Spark names the pods it creates from these templates; give them a name here.
  const sparkTemplates = ['', 'agent/'].flatMap((variant) =>
    ['driver', 'executor'].map((role) => {
      const pod = readYaml<Record<string, any>>(`examples/spark/${variant}${role}-pod-template.yaml`);
      pod['metadata'] = { name: `spark-${role}`, ...pod['metadata'] };
      return scratchFile(`spark-${variant.replace('/', '-')}${role}-pod.yaml`, stringify(pod));
    }),
  );

  // The Trino chart puts initContainers.<role> and <role>.additionalVolumes into its pods.
  const trino = readYaml<Record<string, any>>('examples/trino/values.yaml');
  const trinoPods = ['coordinator', 'worker'].map((role) =>
    scratchFile(
      `trino-${role}-pod.yaml`,
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `trino-${role}`, labels: trino[role].labels, annotations: trino[role].annotations },
        spec: {
          securityContext: trino['securityContext'],
          terminationGracePeriodSeconds: trino[role].terminationGracePeriodSeconds,
          initContainers: trino['initContainers'][role],
          containers: [
            { name: `trino-${role}`, image: 'trinodb/trino', env: trino['env'], volumeMounts: trino[role].additionalVolumeMounts },
          ],
          volumes: trino[role].additionalVolumes,
        },
      }),
    ),
  );

  it.each(Object.keys(KUBE_API_VERSIONS) as KubeApiVersion[])('Spark pod templates and Trino sidecar values, Kubernetes %s', (version) => {
    const result = kubeValidate(version, [...sparkTemplates, ...trinoPods]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('kube-validate: 6 documents, 0 failed');
  });
});
