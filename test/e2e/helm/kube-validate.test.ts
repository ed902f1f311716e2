// kube-validate (test/e2e/helm/kube-validate) is what proves the goldens are real
// Kubernetes objects, so it must reject what the API server would: these
// tests break one field of a manifest helm rendered and expect the strict
// decoding into the k8s.io/api types to fail, naming the problem.
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KUBE_API_VERSIONS, type KubeApiVersion } from '../../support/go-tools.js';
import { chartDir, findManifest, kubeValidate, renderOk, scratchFile, type Manifest } from './helpers.js';

const VERSIONS = Object.keys(KUBE_API_VERSIONS) as KubeApiVersion[];
const NATIVE = `${chartDir}/ci/native-values.yaml`;
const OBSERVABILITY = `${chartDir}/ci/observability-values.yaml`;
const AGENT = `${chartDir}/ci/agent-values.yaml`;

/** The agent-mode manifests (DaemonSet, ClusterRoleBinding, ...), rendered for Kubernetes 1.30. */
const agentManifests = (): Manifest[] => renderOk({ valuesFiles: [AGENT], kubeVersion: '1.30.0' });

let counter = 0;
function manifestFile(manifests: Manifest[]): string {
  return scratchFile(`mutated-${process.pid}-${++counter}.yaml`, manifests.map((m) => `---\n${stringify(m)}`).join(''));
}

/** The native example Deployment with one change applied. */
function mutatedDeployment(change: (deployment: Manifest) => void): string {
  const deployment = findManifest(renderOk({ valuesFiles: [NATIVE] }), 'Deployment', 'lfcs-example');
  change(deployment);
  return manifestFile([deployment]);
}

describe.each(VERSIONS)('kube-validate for Kubernetes %s', (version) => {
  it('reports the API version it decodes against, and accepts the unchanged manifests', () => {
    const result = kubeValidate(version, [manifestFile(renderOk({ valuesFiles: [NATIVE, OBSERVABILITY] }))]);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^kube-validate: k8s\\.io/api v0\\.${version.split('.')[1]}\\.\\d+,`));
    expect(result.stdout).toMatch(/ok {3}\S+ monitoring\.coreos\.com\/v1 PodMonitor data\/lfcs/);
  });

  it('rejects an unknown field (a typo in a container)', () => {
    const file = mutatedDeployment((d) => (d['spec']['template']['spec']['containers'][0]['imagePullPolicyy'] = 'Always'));
    const result = kubeValidate(version, [file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
    expect(result.stdout).toContain('kube-validate: 1 documents, 1 failed');
  });

  it('rejects a wrong type (replicas as a string)', () => {
    const result = kubeValidate(version, [mutatedDeployment((d) => (d['spec']['replicas'] = 'two'))]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL .*Deployment data\/lfcs-example: .*replicas.*int32/);
  });

  it('rejects a malformed resource quantity', () => {
    const result = kubeValidate(version, [
      mutatedDeployment((d) => (d['spec']['template']['spec']['initContainers'][0]['resources']['limits']['memory'] = 'lots')),
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL .*quantities must match the regular expression/);
  });

  it('rejects an API version that Kubernetes no longer serves', () => {
    const result = kubeValidate(version, [mutatedDeployment((d) => (d.apiVersion = 'apps/v1beta2'))]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('no kind "Deployment" is registered for version "apps/v1beta2"');
  });

  it('rejects a duplicate key', () => {
    const file = scratchFile(`duplicate-${process.pid}.yaml`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n');
    const result = kubeValidate(version, [file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL .*"name" already set in map|FAIL .*duplicate/);
  });

  it('rejects a typo in the PodMonitor (a CRD, decoded into the Prometheus Operator types)', () => {
    const monitor = findManifest(renderOk({ valuesFiles: [NATIVE, OBSERVABILITY] }), 'PodMonitor', 'lfcs');
    monitor['spec']['podMetricEndpoints'] = monitor['spec']['podMetricsEndpoints'];
    delete monitor['spec']['podMetricsEndpoints'];
    const result = kubeValidate(version, [manifestFile([monitor])]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('unknown field "spec.podMetricEndpoints"');
  });

  it('rejects metadata the API server refuses: a label value over 63 characters, an invalid Service name', () => {
    const label = kubeValidate(version, [mutatedDeployment((d) => (d.metadata['labels']['team'] = 'x'.repeat(64)))]);
    expect(label.status).toBe(1);
    expect(label.stdout).toContain(`metadata.labels: Invalid value: "${'x'.repeat(64)}"`);
    const svc = findManifest(renderOk({ valuesFiles: [NATIVE] }), 'Service', 'lfcs-example');
    svc.metadata.name = 'lfcs.example'; // a DNS subdomain, fine for a Deployment, not for a Service
    const service = kubeValidate(version, [manifestFile([svc])]);
    expect(service.status).toBe(1);
    expect(service.stdout).toMatch(/metadata\.name: Invalid value: "lfcs\.example": a DNS-1035 label/);
  });

  it('accepts the agent-mode DaemonSet and ClusterRoleBinding unchanged', () => {
    const result = kubeValidate(version, [manifestFile(agentManifests())]);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/ok {3}\S+ apps\/v1 DaemonSet data\/lfcs-agent/);
    expect(result.stdout).toMatch(/ok {3}\S+ rbac\.authorization\.k8s\.io\/v1 ClusterRoleBinding data-lfcs-issuer-discovery/);
  });

  it('rejects a typo in the DaemonSet pod spec and a wrong type in its update strategy', () => {
    const typo = findManifest(agentManifests(), 'DaemonSet', 'lfcs-agent');
    typo['spec']['template']['spec']['hostNetwrok'] = true;
    const unknown = kubeValidate(version, [manifestFile([typo])]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toContain('unknown field "spec.template.spec.hostNetwrok"');
    const wrongType = findManifest(agentManifests(), 'DaemonSet', 'lfcs-agent');
    wrongType['spec']['updateStrategy']['rollingUpdate'] = 'fast';
    const result = kubeValidate(version, [manifestFile([wrongType])]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/FAIL .*DaemonSet data\/lfcs-agent: .*rollingUpdate/);
  });

  it('rejects a ClusterRoleBinding with a namespace (it is cluster-scoped) or a typo in its roleRef', () => {
    const namespaced = findManifest(agentManifests(), 'ClusterRoleBinding');
    namespaced.metadata['namespace'] = 'data';
    const scoped = kubeValidate(version, [manifestFile([namespaced])]);
    expect(scoped.status).toBe(1);
    expect(scoped.stdout).toMatch(
      /FAIL .*ClusterRoleBinding data\/data-lfcs-issuer-discovery: metadata\.namespace: Forbidden: not allowed on this type/,
    );
    const typo = findManifest(agentManifests(), 'ClusterRoleBinding');
    typo['roleRef']['kindd'] = typo['roleRef']['kind'];
    delete typo['roleRef']['kind'];
    const result = kubeValidate(version, [manifestFile([typo])]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('unknown field "roleRef.kindd"');
  });

  it('rejects an object without a name', () => {
    const result = kubeValidate(version, [mutatedDeployment((d) => delete (d.metadata as Record<string, unknown>)['name'])]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('metadata.name is empty');
  });
});

describe('the two builds are different Kubernetes releases', () => {
  // Service.spec.trafficDistribution is new in Kubernetes 1.30.
  const service = (): string => {
    const svc = findManifest(renderOk({ valuesFiles: [NATIVE] }), 'Service', 'lfcs-example');
    svc['spec']['trafficDistribution'] = 'PreferClose';
    return manifestFile([svc]);
  };

  it('1.37 accepts a field added after 1.29', () => {
    const result = kubeValidate('1.37', [service()]);
    expect(result.status, result.stdout).toBe(0);
  });

  it('1.29 rejects it as unknown', () => {
    const result = kubeValidate('1.29', [service()]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('unknown field "spec.trafficDistribution"');
  });
});
