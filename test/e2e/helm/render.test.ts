// The chart's templates, rendered by the real helm (`helm template`, pinned and
// built by the test set-up) and checked as the Kubernetes objects they produce.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  allStrings,
  chartDir,
  containerNamed,
  findManifest,
  lint,
  podSpecOf,
  render,
  renderNotes,
  renderOk,
  repoRoot,
  workloadChartDir,
  type Container,
  type Manifest,
} from './helpers.js';

const NATIVE = join(chartDir, 'ci/native-values.yaml');
const CLASSIC = join(chartDir, 'ci/classic-values.yaml');
const OBSERVABILITY = join(chartDir, 'ci/observability-values.yaml');
const REGION = { region: 'us-east-1' };

function examplePod(
  valuesFiles: string[],
  values: Record<string, unknown>[] = [],
): { spec: any; manifests: Manifest[]; deployment: Manifest } {
  const manifests = renderOk({ valuesFiles, values });
  const deployment = findManifest(manifests, 'Deployment', 'lfcs-example');
  return { spec: podSpecOf(deployment), manifests, deployment };
}

function configOf(manifests: Manifest[]): any {
  return parse(findManifest(manifests, 'ConfigMap', 'lfcs')['data']['config.yaml'] as string);
}

function envNames(container: Container): string[] {
  return (container['env'] ?? []).map((e: { name: string }) => e.name);
}

describe('chart metadata', () => {
  it('declares a v2 application chart whose appVersion is the package version and the default image tag', () => {
    const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8'));
    const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.type).toBe('application');
    expect(chart.name).toBe('lakeformation-credential-sidecar');
    expect(chart.appVersion).toBe(pkg.version);
    expect(values.image.tag).toBe(chart.appVersion);
    expect(chart.kubeVersion).toMatch(/^>=1\.\d+/);
  });
});

describe('default install (region set, everything else default)', () => {
  it('renders the ConfigMap, ServiceAccount and dashboard, and nothing that is off by default', () => {
    const manifests = renderOk({ values: [REGION] });
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'ConfigMap/lfcs',
      'ConfigMap/lfcs-dashboard',
      'ServiceAccount/lfcs',
    ]);
    for (const m of manifests) {
      expect(m.metadata['namespace']).toBe('data');
      expect(m.metadata['labels']['app.kubernetes.io/managed-by']).toBe('Helm');
      expect(m.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  it('fails with a clear message when region is missing', () => {
    const result = render();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/`region` is required/);
  });

  it('names resources <release>-lfcs, or just the release name when it already says lfcs', () => {
    expect(renderOk({ values: [REGION], name: 'shop' }).map((m) => m.metadata.name)).toContain('shop-lfcs');
    expect(renderOk({ values: [REGION], name: 'lfcs-prod' }).map((m) => m.metadata.name)).toContain('lfcs-prod');
    expect(renderOk({ values: [REGION, { fullnameOverride: 'creds' }] }).map((m) => m.metadata.name)).toContain('creds');
  });
});

describe('ConfigMap (sidecar config file)', () => {
  it('holds YAML with the chart-owned fields filled from values and the profiles from config', () => {
    const config = configOf(renderOk({ valuesFiles: [NATIVE] }));
    expect(config.region).toBe('us-east-1');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 9180 });
    expect(config.admin).toEqual({ host: '0.0.0.0', port: 9181 });
    expect(config.auth).toEqual({ tokenFile: '/var/run/lfcs/token' });
    expect(Object.keys(config.profiles).sort()).toEqual(['orders', 'orders_2024_01']);
    expect(config.profiles.orders).toEqual({
      tableArn: 'arn:aws:glue:us-east-1:111122223333:table/sales/orders',
      permissions: ['SELECT'],
    });
    expect(config.profiles.orders_2024_01.partition).toEqual(['2024', '01']);
    expect(config.profiles.orders_2024_01.durationSeconds).toBe(7200);
    expect(config.shutdown).toEqual({ drainSeconds: 5, graceSeconds: 10 });
    expect(config.prewarm).toEqual({ enabled: true });
  });

  it('follows ports and tokenDir so listener, probes, env and mounts never disagree', () => {
    const { spec, manifests } = examplePod(
      [NATIVE],
      [{ ports: { credentials: 19180, admin: 19181 }, sidecar: { tokenDir: '/run/creds' } }],
    );
    const config = configOf(manifests);
    expect(config.listen.port).toBe(19180);
    expect(config.admin.port).toBe(19181);
    expect(config.auth.tokenFile).toBe('/run/creds/token');
    const sidecar = containerNamed(spec.initContainers, 'lfcs');
    expect(sidecar['readinessProbe'].httpGet.port).toBe(19181);
    expect(sidecar['ports']).toEqual([{ name: 'lfcs-admin', containerPort: 19181, protocol: 'TCP' }]);
    const consumer = containerNamed(spec.containers, 'consumer');
    expect(consumer['env']).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: 'http://127.0.0.1:19180/v1/credentials/orders',
    });
    expect(consumer['env']).toContainEqual({ name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/run/creds/token' });
    expect(consumer['volumeMounts']).toContainEqual({ name: 'lfcs-token', mountPath: '/run/creds', readOnly: true });
  });

  it('carries the same config as the checksum annotation pods roll on', () => {
    const { manifests, deployment } = examplePod([NATIVE]);
    const data = findManifest(manifests, 'ConfigMap', 'lfcs')['data']['config.yaml'] as string;
    const checksum = deployment['spec']['template']['metadata']['annotations']['checksum/lfcs-config'];
    expect(createHash('sha256').update(data.replace(/\n$/, '')).digest('hex')).toBe(checksum);
    const changed = examplePod([NATIVE], [{ config: { log: { level: 'debug' } } }]).deployment;
    expect(changed['spec']['template']['metadata']['annotations']['checksum/lfcs-config']).not.toBe(checksum);
  });
});

describe('native sidecar mode (default)', () => {
  it('puts the sidecar in initContainers with restartPolicy Always, and not in containers', () => {
    const { spec } = examplePod([NATIVE]);
    expect(spec.initContainers.map((c: Container) => c.name)).toEqual(['lfcs']);
    const sidecar = containerNamed(spec.initContainers, 'lfcs');
    expect(sidecar['restartPolicy']).toBe('Always');
    expect(sidecar['image']).toBe('lakeformation-credential-sidecar:0.1.0');
    expect(sidecar['args']).toEqual(['serve', '--config', '/etc/lfcs/config.yaml']);
    expect(spec.containers.map((c: Container) => c.name)).toEqual(['consumer']);
  });

  it('refuses Kubernetes < 1.29, where native sidecars are not on by default, and says what to do', () => {
    const result = render({ valuesFiles: [NATIVE], kubeVersion: 'v1.28.9' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/needs Kubernetes >= 1\.29.*set sidecar\.mode=classic/);
    expect(render({ valuesFiles: [NATIVE], kubeVersion: 'v1.29.3-eks-adc7111' }).status).toBe(0);
  });

  it('uses an image digest instead of the tag when one is given', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const { spec } = examplePod([NATIVE], [{ image: { repository: 'registry.example.com/lfcs', digest } }]);
    expect(containerNamed(spec.initContainers, 'lfcs')['image']).toBe(`registry.example.com/lfcs@${digest}`);
  });
});

describe('classic sidecar mode', () => {
  it('puts the sidecar in containers, without restartPolicy, and renders no initContainers', () => {
    const { spec } = examplePod([CLASSIC]);
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers.map((c: Container) => c.name)).toEqual(['lfcs', 'consumer']);
    expect(containerNamed(spec.containers, 'lfcs')['restartPolicy']).toBeUndefined();
  });

  it('works on clusters older than 1.29', () => {
    expect(render({ valuesFiles: [CLASSIC], kubeVersion: 'v1.27.0' }).status).toBe(0);
  });
});

describe.each([
  ['native', NATIVE],
  ['classic', CLASSIC],
])('the pod in %s mode', (mode, valuesFile) => {
  const sidecarOf = (spec: any): Container => containerNamed(mode === 'native' ? spec.initContainers : spec.containers, 'lfcs');

  it('gives the consumer exactly the two container-credentials variables', () => {
    const { spec } = examplePod([valuesFile]);
    const consumer = containerNamed(spec.containers, 'consumer');
    const awsVars = envNames(consumer).filter((n) => n.startsWith('AWS_CONTAINER_'));
    expect(awsVars).toEqual(['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']);
    const profile = mode === 'native' ? 'orders' : 'events';
    expect(consumer['env']).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: `http://127.0.0.1:9180/v1/credentials/${profile}`,
    });
    expect(consumer['env']).toContainEqual({ name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/lfcs/token' });
  });

  it('never sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or the env-var token anywhere', () => {
    const strings = allStrings(renderOk({ valuesFiles: [valuesFile] }));
    expect(strings).not.toContain('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
    expect(strings).not.toContain('AWS_CONTAINER_AUTHORIZATION_TOKEN');
  });

  it('shares an in-memory emptyDir for the token: writable by the sidecar, read-only for the consumer', () => {
    const { spec } = examplePod([valuesFile]);
    expect(spec.volumes).toContainEqual({ name: 'lfcs-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(spec.volumes).toContainEqual({
      name: 'lfcs-config',
      configMap: { name: 'lfcs', items: [{ key: 'config.yaml', path: 'config.yaml' }] },
    });
    expect(sidecarOf(spec)['volumeMounts']).toEqual([
      { name: 'lfcs-token', mountPath: '/var/run/lfcs' },
      { name: 'lfcs-config', mountPath: '/etc/lfcs', readOnly: true },
    ]);
    expect(containerNamed(spec.containers, 'consumer')['volumeMounts']).toContainEqual({
      name: 'lfcs-token',
      mountPath: '/var/run/lfcs',
      readOnly: true,
    });
    // The token is 0440 and owned by another UID: the consumer reads it through fsGroup.
    expect(spec.securityContext.fsGroup).toEqual(expect.any(Number));
  });

  it('probes /readyz (startup, readiness) and /healthz (liveness) on the admin port', () => {
    const sidecar = sidecarOf(examplePod([valuesFile]).spec);
    expect(sidecar['startupProbe']).toMatchObject({ httpGet: { path: '/readyz', port: 9181 }, periodSeconds: 1, failureThreshold: 60 });
    expect(sidecar['readinessProbe']).toMatchObject({ httpGet: { path: '/readyz', port: 9181 } });
    expect(sidecar['livenessProbe']).toMatchObject({ httpGet: { path: '/healthz', port: 9181 } });
    // Only the admin port is declared; the credentials listener is loopback-only.
    expect(sidecar['ports']).toEqual([{ name: 'lfcs-admin', containerPort: 9181, protocol: 'TCP' }]);
  });

  it('runs the sidecar locked down, with memory requests/limits and no CPU limit', () => {
    const sidecar = sidecarOf(examplePod([valuesFile]).spec);
    expect(sidecar['securityContext']).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // Memory follows config.cache.maxEntries (the default 10000 here); see memory.test.ts.
    expect(sidecar['resources']).toEqual({ requests: { cpu: '25m', memory: '128Mi' }, limits: { memory: '264Mi' } });
  });

  it('keeps the EKS credential webhook away from the consumer and runs as the chart ServiceAccount', () => {
    const { deployment, spec } = examplePod([valuesFile]);
    expect(deployment['spec']['template']['metadata']['annotations']['eks.amazonaws.com/skip-containers']).toBe('consumer');
    expect(spec.serviceAccountName).toBe('lfcs');
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10); // config.shutdown.graceSeconds
  });
});

describe('consumer profile selection', () => {
  it('fails, naming the defined profiles, when sidecar.profile is not a profile', () => {
    const result = render({ valuesFiles: [NATIVE], values: [{ sidecar: { profile: 'nope' } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('profile "nope" is not defined in config.profiles (defined: orders, orders_2024_01)');
  });

  it('fails when a consumer is rendered without any profile', () => {
    const result = render({ valuesFiles: [NATIVE], values: [{ sidecar: { profile: '' } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no profile for the consumer/);
  });

  it('rejects a graceSeconds that does not exceed drainSeconds (the sidecar would refuse to start)', () => {
    const result = render({ valuesFiles: [NATIVE], values: [{ config: { shutdown: { drainSeconds: 10, graceSeconds: 10 } } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/graceSeconds must exceed config\.shutdown\.drainSeconds/);
  });
});

describe('ServiceAccount', () => {
  it('carries the IRSA role annotation when serviceAccount.roleArn is set', () => {
    const sa = findManifest(renderOk({ valuesFiles: [NATIVE] }), 'ServiceAccount');
    expect(sa.metadata['annotations']).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/lfcs-sidecar' });
  });

  it('has no role annotation for EKS Pod Identity, and is not created when create=false', () => {
    const sa = findManifest(renderOk({ values: [REGION, { serviceAccount: { annotations: { team: 'data' } } }] }), 'ServiceAccount');
    expect(sa.metadata['annotations']).toEqual({ team: 'data' });
    const manifests = renderOk({ valuesFiles: [NATIVE], values: [{ serviceAccount: { create: false, name: 'spark' } }] });
    expect(manifests.filter((m) => m.kind === 'ServiceAccount')).toEqual([]);
    expect(podSpecOf(findManifest(manifests, 'Deployment')).serviceAccountName).toBe('spark');
  });
});

describe('PodMonitor', () => {
  it('is only rendered when podMonitor.enabled', () => {
    expect(renderOk({ valuesFiles: [NATIVE] }).filter((m) => m.kind === 'PodMonitor')).toEqual([]);
  });

  it('scrapes /metrics on the sidecar admin port of pods carrying lfcs.podLabels', () => {
    const { manifests, deployment, spec } = examplePod([NATIVE, OBSERVABILITY], [{ example: { enabled: true } }]);
    const monitor = findManifest(manifests, 'PodMonitor', 'lfcs');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata['labels']['release']).toBe('kube-prometheus-stack');
    expect(monitor['spec']['namespaceSelector']).toEqual({ any: true });
    expect(monitor['spec']['podMetricsEndpoints']).toEqual([
      { port: 'lfcs-admin', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
    ]);
    const podLabels = deployment['spec']['template']['metadata']['labels'];
    for (const [key, value] of Object.entries(monitor['spec']['selector']['matchLabels'])) {
      expect(podLabels[key]).toBe(value);
    }
    const portNames = containerNamed(spec.initContainers, 'lfcs')['ports'].map((p: { name: string }) => p.name);
    expect(portNames).toContain('lfcs-admin');
  });
});

describe('Grafana dashboard ConfigMap', () => {
  const metricNames = [
    'lfcs_http_requests_total',
    'lfcs_http_request_duration_seconds_bucket',
    'lfcs_cache_lookups_total',
    'lfcs_cache_entries',
    'lfcs_upstream_requests_total',
    'lfcs_upstream_request_duration_seconds_bucket',
    'lfcs_refreshes_total',
    'lfcs_served_credential_remaining_seconds_bucket',
    'lfcs_build_info',
  ];

  it('is labelled for the Grafana sidecar and holds a dashboard JSON using our metric names', () => {
    const cm = findManifest(renderOk({ valuesFiles: [OBSERVABILITY] }), 'ConfigMap', 'lfcs-dashboard');
    expect(cm.metadata['labels']['grafana_dashboard']).toBe('1');
    expect(cm.metadata['namespace']).toBe('monitoring');
    expect(cm.metadata['annotations']).toEqual({ grafana_folder: 'Lake Formation' });
    const dashboard = JSON.parse(cm['data']['lakeformation-credential-sidecar.json'] as string);
    expect(dashboard.uid).toBe('lfcs-overview');
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) => (p.targets ?? []).map((t) => t.expr));
    for (const metric of metricNames) {
      expect(
        exprs.some((e) => e.includes(metric)),
        metric,
      ).toBe(true);
    }
    // Every lfcs_* series the dashboard queries is one the sidecar exports.
    const exported = new Set([...metricNames, 'lfcs_process_resident_memory_bytes']);
    const used = new Set(exprs.flatMap((e) => e.match(/lfcs_[a-z_]+/g) ?? []));
    expect([...used].filter((m) => !exported.has(m))).toEqual([]);
  });

  it('has the four panel groups: requests and errors, cache hit ratio, upstream calls and errors, served lifetime', () => {
    const dashboard = JSON.parse(readFileSync(join(chartDir, 'dashboards/lfcs.json'), 'utf8'));
    const titles: string[] = dashboard.panels.map((p: { title: string }) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Request rate by route and status',
        'Error ratio (4xx + 5xx)',
        'Cache hit ratio',
        'Upstream errors by code',
        'Served remaining lifetime (p5 / p50)',
      ]),
    );
    const ids: number[] = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is not rendered when dashboard.enabled=false', () => {
    const manifests = renderOk({ values: [REGION, { dashboard: { enabled: false } }] });
    expect(manifests.map((m) => m.metadata.name)).not.toContain('lfcs-dashboard');
  });
});

describe('helm test hook', () => {
  it('probes /readyz and /metrics of the example Deployment through its Service', () => {
    const manifests = renderOk({ valuesFiles: [NATIVE] });
    const testPod = findManifest(manifests, 'Pod', 'lfcs-test-readyz');
    expect(testPod.metadata['annotations']['helm.sh/hook']).toBe('test');
    const script = (testPod['spec']['containers'][0]['command'] as string[]).join('\n');
    expect(script).toContain('http://lfcs-example.data.svc:9181');
    expect(script).toContain('/readyz');
    const service = findManifest(manifests, 'Service', 'lfcs-example');
    expect(service['spec']['ports']).toEqual([{ name: 'lfcs-admin', port: 9181, targetPort: 'lfcs-admin', protocol: 'TCP' }]);
  });

  it('is not rendered without the example Deployment', () => {
    expect(renderOk({ values: [REGION] }).filter((m) => m.kind === 'Pod')).toEqual([]);
  });
});

describe('NOTES.txt', () => {
  it('lists the credential URIs and the include recipe', () => {
    const result = renderNotes({ valuesFiles: [NATIVE] });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('http://127.0.0.1:9180/v1/credentials/orders');
    expect(result.stdout).toContain('include "lfcs.initContainers"');
    expect(result.stdout).toContain('/var/run/lfcs/token');
  });
});

describe('helm lint --strict (warnings fail too)', () => {
  it.each([NATIVE, CLASSIC, OBSERVABILITY])('passes for %s, and the templates and NOTES.txt render', (valuesFile) => {
    const result = lint({ valuesFiles: [valuesFile] });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(render({ valuesFiles: [valuesFile] }).status).toBe(0);
    expect(renderNotes({ valuesFiles: [valuesFile] }).status).toBe(0);
  });

  it('passes for a workload chart whose dict context lacks the optional profile and consumers keys', () => {
    const result = lint({ chart: workloadChartDir });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(render({ chart: workloadChartDir }).status).toBe(0);
  });
});

describe('Lake Formation API listener (lakeformationApi.enabled)', () => {
  const DYNAMIC = { config: { dynamic: { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'] } } };

  it('adds AWS_ENDPOINT_URL_LAKEFORMATION on ports.lakeformationApi to the consumer env, and nothing when off', () => {
    const on = examplePod([NATIVE], [{ lakeformationApi: { enabled: true }, ports: { lakeformationApi: 9300 } }, DYNAMIC]);
    expect(containerNamed(on.spec.containers, 'consumer')['env']).toContainEqual({
      name: 'AWS_ENDPOINT_URL_LAKEFORMATION',
      value: 'http://127.0.0.1:9300',
    });
    // Loopback like the credentials port: no containerPort for it.
    const ports = (containerNamed(on.spec.initContainers, 'lfcs')['ports'] as Array<{ containerPort: number }>).map((p) => p.containerPort);
    expect(ports).toEqual([9181]);
    const off = examplePod([NATIVE]);
    expect(envNames(containerNamed(off.spec.containers, 'consumer'))).not.toContain('AWS_ENDPOINT_URL_LAKEFORMATION');
  });

  it('fails, saying what to set, without config.dynamic.enabled', () => {
    const result = render({ valuesFiles: [NATIVE], values: [{ lakeformationApi: { enabled: true } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('lakeformationApi.enabled needs config.dynamic.enabled: true and config.dynamic.allowedTables');
  });

  it('fails when ports.lakeformationApi clashes with another port', () => {
    const result = render({
      valuesFiles: [NATIVE],
      values: [{ lakeformationApi: { enabled: true }, ports: { lakeformationApi: 9181 } }, DYNAMIC],
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('ports.lakeformationApi must differ from ports.credentials and ports.admin');
  });
});

describe('Iceberg REST gateway (config.iceberg.enabled)', () => {
  const ICEBERG = {
    config: {
      dynamic: { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'] },
      iceberg: { enabled: true, catalogs: ['123456789012'] },
    },
  };

  it('listens on 127.0.0.1:ports.iceberg, declares no containerPort for it, and NOTES give the catalog uri', () => {
    const on = examplePod([NATIVE], [ICEBERG, { ports: { iceberg: 9300 } }]);
    expect(configOf(on.manifests).iceberg).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9300 });
    // Loopback like the credentials port: engines in the pod reach it, nothing outside it.
    const ports = (containerNamed(on.spec.initContainers, 'lfcs')['ports'] as Array<{ containerPort: number }>).map((p) => p.containerPort);
    expect(ports).toEqual([9181]);
    expect(
      on.manifests.filter((m) => m.kind === 'Service').flatMap((m) => m['spec'].ports.map((p: { port: number }) => p.port)),
    ).not.toContain(9300);
    const notes = renderNotes({ valuesFiles: [NATIVE], values: [ICEBERG, { ports: { iceberg: 9300 } }] });
    expect(notes.status, notes.stderr).toBe(0);
    expect(notes.stdout).toContain(
      'catalog uri http://127.0.0.1:9300, warehouse\n  123456789012, token: the content of /var/run/lfcs/token',
    );
    expect(renderNotes({ valuesFiles: [NATIVE] }).stdout).not.toContain('Iceberg REST gateway');
  });

  it('fails, saying what to set, without config.dynamic.enabled', () => {
    const result = render({ valuesFiles: [NATIVE], values: [{ config: { iceberg: { enabled: true, catalogs: ['123456789012'] } } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('config.iceberg.enabled needs config.dynamic.enabled: true');
  });

  it('fails when ports.iceberg clashes with another port', () => {
    for (const values of [{ ports: { iceberg: 9181 } }, { ports: { iceberg: 9182 }, lakeformationApi: { enabled: true } }]) {
      const result = render({ valuesFiles: [NATIVE], values: [ICEBERG, values] });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('ports.iceberg must differ from ports.credentials, ports.admin');
    }
  });

  it('fails when config.iceberg names its own host or port', () => {
    const result = render({ valuesFiles: [NATIVE], values: [ICEBERG, { config: { iceberg: { port: 9400 } } }] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('leave config.iceberg.host and config.iceberg.port out');
  });
});
