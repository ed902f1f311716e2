// Agent mode of the chart (config.mode: agent): one lfcs per node as a
// DaemonSet on the node's network, the address set-up with the least
// privilege, the RBAC for JWKS discovery, and consumer pods without a
// sidecar. Rendered by the real helm; every address, port and audience must
// come from config.agent.
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { agentSettingsSchema } from '../../../src/identity/settings.js';
import {
  allStrings,
  chartDir,
  containerNamed,
  findManifest,
  podSpecOf,
  render,
  renderNotes,
  renderOk,
  workloadChartDir,
  type Container,
  type Manifest,
  type RenderOptions,
} from './helpers.js';

const AGENT = join(chartDir, 'ci/agent-values.yaml');
const NATIVE = join(chartDir, 'ci/native-values.yaml');
const CLASSIC = join(chartDir, 'ci/classic-values.yaml');
const OBSERVABILITY = join(chartDir, 'ci/observability-values.yaml');
const KUBE = '1.30.0';

function agent(values: Record<string, unknown>[] = [], options: RenderOptions = {}): Manifest[] {
  return renderOk({ valuesFiles: [AGENT], values, kubeVersion: KUBE, ...options });
}
const daemonSet = (manifests: Manifest[]): Manifest => findManifest(manifests, 'DaemonSet', 'lfcs-agent');
const agentPod = (manifests: Manifest[]): any => podSpecOf(daemonSet(manifests));
const lfcsContainer = (manifests: Manifest[]): Container => containerNamed(agentPod(manifests).containers, 'lfcs');
const initContainer = (manifests: Manifest[]): Container => containerNamed(agentPod(manifests).initContainers, 'address');
const examplePod = (manifests: Manifest[]): any => podSpecOf(findManifest(manifests, 'Deployment', 'lfcs-example'));
const envOf = (container: Container): Array<{ name: string; value?: string; valueFrom?: unknown }> => container['env'] ?? [];
const configOf = (manifests: Manifest[]): any => parse(findManifest(manifests, 'ConfigMap', 'lfcs')['data']['config.yaml'] as string);

describe('one switch: config.mode', () => {
  it.each([NATIVE, CLASSIC, OBSERVABILITY])('renders no DaemonSet and no ClusterRoleBinding in sidecar mode (%s)', (file) => {
    const kinds = renderOk({ valuesFiles: [file] }).map((m) => m.kind);
    expect(kinds).not.toContain('DaemonSet');
    expect(kinds).not.toContain('ClusterRoleBinding');
  });

  it('renders the DaemonSet and the binding in agent mode, and no sidecar in any pod', () => {
    const manifests = agent();
    expect(manifests.filter((m) => m.kind === 'DaemonSet').map((m) => m.metadata.name)).toEqual(['lfcs-agent']);
    expect(manifests.filter((m) => m.kind === 'ClusterRoleBinding')).toHaveLength(1);
    const consumer = examplePod(manifests);
    expect(consumer.initContainers).toBeUndefined();
    expect(consumer.containers.map((c: Container) => c.name)).toEqual(['consumer']);
    // No lfcs image in the consumer pod at all.
    expect(allStrings(consumer)).not.toContain('lakeformation-credential-sidecar:0.1.0');
  });

  it('needs no second switch: sidecar.mode is not consulted in agent mode', () => {
    expect(agent([{ sidecar: { mode: 'classic' } }])).toEqual(agent());
  });
});

describe('the agent DaemonSet', () => {
  it('runs lfcs serve on the node network, resolving cluster names, with its own token mounted', () => {
    const manifests = agent();
    const pod = agentPod(manifests);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.serviceAccountName).toBe('lfcs');
    expect(lfcsContainer(manifests)['args']).toEqual(['serve', '--config', '/etc/lfcs/config.yaml']);
    expect(pod.volumes).toEqual([
      { name: 'lfcs-config', configMap: { name: 'lfcs', items: [{ key: 'config.yaml', path: 'config.yaml' }] } },
      { name: 'issuer-keys', emptyDir: { sizeLimit: '1Mi' } },
    ]);
  });

  it("mounts a writable volume where config.agent.keyStoreFile keeps the issuer's keys", () => {
    expect(lfcsContainer(agent())['volumeMounts']).toContainEqual({ name: 'issuer-keys', mountPath: '/var/lib/lfcs' });
    const moved = agent([{ config: { agent: { keyStoreFile: '/var/cache/lfcs-keys/keys.json' } } }]);
    expect(lfcsContainer(moved)['volumeMounts']).toContainEqual({ name: 'issuer-keys', mountPath: '/var/cache/lfcs-keys' });
  });

  it('takes the node name from spec.nodeName and trusts the cluster CA for discovery', () => {
    const env = envOf(lfcsContainer(agent()));
    expect(env).toContainEqual({ name: 'LFCS_AGENT_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    expect(env).toContainEqual({ name: 'NODE_EXTRA_CA_CERTS', value: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
  });

  it('sets the address up in an init container with exactly CAP_NET_ADMIN, idempotently', () => {
    const init = initContainer(agent());
    expect(init['image']).toBe('public.ecr.aws/docker/library/busybox:1.37.0');
    expect(init['securityContext']).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
    });
    expect(init['securityContext']).not.toHaveProperty('privileged');
    expect(init['command'].slice(0, 2)).toEqual(['/bin/sh', '-ec']);
    expect((init['command'][2] as string).split('\n').filter(Boolean)).toEqual([
      // Created only when missing, so a restart does not fail on "File exists";
      // `replace` sets the address whether or not it is there already.
      'ip link show lfcs0 >/dev/null 2>&1 || ip link add lfcs0 type dummy',
      'ip addr replace 169.254.170.2/32 dev lfcs0',
      'ip link set lfcs0 up',
      'echo "169.254.170.2/32 on lfcs0"',
    ]);
  });

  it('derives the address set-up from config.agent.host (an IPv6 host gets /128) and agent.addressSetup.interface', () => {
    const script = initContainer(
      agent([{ config: { agent: { host: 'fd00:ec2::23' } }, agent: { addressSetup: { interface: 'lfcs-creds' } } }]),
    )['command'][2];
    expect(script).toContain('ip link add lfcs-creds type dummy');
    expect(script).toContain('ip addr replace fd00:ec2::23/128 dev lfcs-creds');
  });

  it('binds port 80 as UID 0 with NET_BIND_SERVICE as its only capability', () => {
    expect(lfcsContainer(agent())['securityContext']).toEqual({
      runAsNonRoot: false,
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('runs as non-root with no capability at all when config.agent.port is 1024 or above', () => {
    const manifests = agent([{ config: { agent: { port: 8080 } } }]);
    expect(lfcsContainer(manifests)['securityContext']).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(envOf(containerNamed(examplePod(manifests).containers, 'consumer'))).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: 'http://169.254.170.2:8080/v1/credentials/orders',
    });
  });

  it('merges agent.securityContext over the derived one', () => {
    const context = lfcsContainer(agent([{ agent: { securityContext: { runAsGroup: 0 } } }]))['securityContext'];
    expect(context).toMatchObject({ runAsUser: 0, runAsGroup: 0, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } });
  });

  it('probes and exposes only the admin port on the node; the credentials port is not a host port', () => {
    const container = lfcsContainer(agent());
    expect(container['ports']).toEqual([{ name: 'lfcs-admin', containerPort: 9181, protocol: 'TCP' }]);
    expect(container['startupProbe']).toMatchObject({ httpGet: { path: '/readyz', port: 9181 } });
    expect(container['readinessProbe']).toMatchObject({ httpGet: { path: '/readyz', port: 9181 } });
    expect(container['livenessProbe']).toMatchObject({ httpGet: { path: '/healthz', port: 9181 } });
  });

  it('is scraped by the PodMonitor: it selects the agent pods, which name the lfcs-admin port', () => {
    const manifests = agent();
    const selector = findManifest(manifests, 'PodMonitor', 'lfcs')['spec']['selector']['matchLabels'];
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    const labels = daemonSet(manifests)['spec']['template']['metadata']['labels'];
    for (const [key, value] of Object.entries(selector)) expect(labels[key]).toBe(value);
    // The consumer pods carry no lfcs to scrape, and not the label either.
    const consumerLabels = findManifest(manifests, 'Deployment', 'lfcs-example')['spec']['template']['metadata']['labels'];
    for (const key of Object.keys(selector)) expect(consumerLabels).not.toHaveProperty(key);
  });

  it('passes tolerations, nodeSelector, affinity, priorityClassName and updateStrategy through', () => {
    const defaults = agent();
    expect(agentPod(defaults).tolerations).toEqual([{ operator: 'Exists' }]);
    expect(agentPod(defaults).nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(agentPod(defaults)).not.toHaveProperty('priorityClassName');
    expect(daemonSet(defaults)['spec']['updateStrategy']).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } });
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] }] }],
        },
      },
    };
    const custom = agent([
      {
        agent: {
          tolerations: [{ key: 'spark', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
          nodeSelector: { pool: 'spark' },
          affinity,
          priorityClassName: 'system-node-critical',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
        },
      },
    ]);
    const pod = agentPod(custom);
    expect(pod.tolerations).toEqual([{ key: 'spark', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'spark' });
    expect(pod.affinity).toEqual(affinity);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(daemonSet(custom)['spec']['updateStrategy']).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
  });

  it('rolls the agents when the config changes', () => {
    const checksum = (m: Manifest[]): string => daemonSet(m)['spec']['template']['metadata']['annotations']['checksum/lfcs-config'];
    expect(checksum(agent())).toMatch(/^[a-f0-9]{64}$/);
    expect(checksum(agent([{ config: { log: { level: 'debug' } } }]))).not.toBe(checksum(agent()));
  });
});

describe('the agent config file', () => {
  it('carries mode and bindings, the admin listener, and neither listen nor the shared token', () => {
    const config = configOf(agent());
    expect(config.mode).toBe('agent');
    expect(config.admin).toEqual({ host: '0.0.0.0', port: 9181 });
    expect(config).not.toHaveProperty('listen');
    expect(config).not.toHaveProperty('auth');
    expect(config.agent.bindings.map((b: { namespace: string; serviceAccount: string }) => `${b.namespace}/${b.serviceAccount}`)).toEqual([
      'data/orders-reader',
      'analytics/reports',
    ]);
  });

  it("uses lfcs's own defaults for host, port and audience when config.agent leaves them out", () => {
    const defaults = agentSettingsSchema.parse({});
    const manifests = agent();
    const consumer = examplePod(manifests);
    expect(envOf(containerNamed(consumer.containers, 'consumer'))).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: `http://${defaults.host}${defaults.port === 80 ? '' : `:${defaults.port}`}/v1/credentials/orders`,
    });
    expect(consumer.volumes[0].projected.sources[0].serviceAccountToken.audience).toBe(defaults.audience);
    expect(initContainer(manifests)['command'][2]).toContain(`ip addr replace ${defaults.host}/32 dev lfcs0`);
  });
});

describe('RBAC for JWKS discovery', () => {
  it("binds the agent's ServiceAccount, and only it, to the built-in system:service-account-issuer-discovery", () => {
    const binding = findManifest(agent(), 'ClusterRoleBinding');
    expect(binding.apiVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(binding.metadata['namespace']).toBeUndefined();
    expect(binding.metadata.name).toBe('data-lfcs-issuer-discovery');
    expect(binding['roleRef']).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'system:service-account-issuer-discovery',
    });
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'lfcs', namespace: 'data' }]);
  });

  it('follows serviceAccount.name when the chart does not create the ServiceAccount', () => {
    const manifests = agent([{ serviceAccount: { create: false, name: 'lfcs-agent' } }]);
    expect(findManifest(manifests, 'ClusterRoleBinding')['subjects'][0].name).toBe('lfcs-agent');
    expect(agentPod(manifests).serviceAccountName).toBe('lfcs-agent');
  });
});

describe('consumer side (lfcs.consumerEnv, lfcs.volumes, lfcs.volumeMounts in agent mode)', () => {
  const custom = { config: { agent: { host: '169.254.170.23', port: 8080, audience: 'lfcs.example.com' } } };

  it('gives the consumer the agent URI and the projected token file, nothing else of lfcs', () => {
    const consumer = containerNamed(examplePod(agent()).containers, 'consumer');
    expect(envOf(consumer).filter((e) => e.name.startsWith('AWS_CONTAINER_'))).toEqual([
      { name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI', value: 'http://169.254.170.2/v1/credentials/orders' },
      { name: 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', value: '/var/run/secrets/lfcs/token' },
    ]);
    expect(consumer['volumeMounts']).toContainEqual({ name: 'lfcs-agent-token', mountPath: '/var/run/secrets/lfcs', readOnly: true });
  });

  it('projects a short-lived service-account token with config.agent.audience, and mounts no lfcs config', () => {
    const volumes = examplePod(agent([custom])).volumes;
    expect(volumes.filter((v: { name: string }) => v.name.startsWith('lfcs'))).toEqual([
      {
        name: 'lfcs-agent-token',
        projected: { sources: [{ serviceAccountToken: { audience: 'lfcs.example.com', expirationSeconds: 600, path: 'token' } }] },
      },
    ]);
  });

  it('takes host and port from config.agent (the port only when not 80), and brackets an IPv6 host', () => {
    const uri = (values: Record<string, unknown>): string | undefined =>
      envOf(containerNamed(examplePod(agent([values])).containers, 'consumer')).find((e) => e.name === 'AWS_CONTAINER_CREDENTIALS_FULL_URI')
        ?.value;
    expect(uri(custom)).toBe('http://169.254.170.23:8080/v1/credentials/orders');
    expect(uri({ config: { agent: { host: 'fd00:ec2::23' } } })).toBe('http://[fd00:ec2::23]/v1/credentials/orders');
  });

  it('keeps the EKS webhook away from the consumers, with no config checksum (consumers mount no config)', () => {
    const annotations = findManifest(agent(), 'Deployment', 'lfcs-example')['spec']['template']['metadata']['annotations'];
    expect(annotations).toEqual({ 'eks.amazonaws.com/skip-containers': 'consumer' });
  });

  it('never sets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or the env-var token anywhere', () => {
    const strings = allStrings(agent());
    expect(strings).not.toContain('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
    expect(strings).not.toContain('AWS_CONTAINER_AUTHORIZATION_TOKEN');
  });

  it('works from a workload chart: one value switches its pods from the sidecar to the agent', () => {
    const workload = (set: string[]): any =>
      podSpecOf(findManifest(renderOk({ chart: workloadChartDir, name: 'shop', kubeVersion: KUBE, set }), 'Deployment', 'shop-workload'));
    const sidecar = workload([]);
    expect(sidecar.initContainers.map((c: Container) => c.name)).toEqual(['lfcs']);
    const agentPods = workload(['lfcs.config.mode=agent', 'lfcs.config.agent.audience=shop']);
    expect(agentPods.initContainers).toBeUndefined();
    expect(agentPods.containers.map((c: Container) => c.name)).toEqual(['app', 'reporter']);
    expect(envOf(containerNamed(agentPods.containers, 'reporter'))).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: 'http://169.254.170.2/v1/credentials/events',
    });
    expect(agentPods.volumes).toEqual([
      {
        name: 'lfcs-agent-token',
        projected: { sources: [{ serviceAccountToken: { audience: 'shop', expirationSeconds: 600, path: 'token' } }] },
      },
    ]);
  });
});

/** Who holds lfcs's IAM role: the agents' ServiceAccounts and every ServiceAccount with an IRSA annotation (namespace/name). */
const roleHolders = (manifests: Manifest[]): string[] => [
  ...manifests.filter((m) => m.kind === 'DaemonSet').map((m) => `${m.metadata['namespace']}/${podSpecOf(m).serviceAccountName}`),
  ...manifests
    .filter((m) => m.kind === 'ServiceAccount' && m.metadata['annotations']?.['eks.amazonaws.com/role-arn'])
    .map((m) => `${m.metadata['namespace'] ?? 'data'}/${m.metadata.name}`),
];
const consumersOf = (manifests: Manifest[]): string[] =>
  manifests.filter((m) => m.kind === 'Deployment').map((m) => `${m.metadata['namespace'] ?? 'data'}/${podSpecOf(m).serviceAccountName}`);

describe("the agent's ServiceAccount is the agent's alone", () => {
  // The agent's ServiceAccount carries lfcs's IAM role, which Lake Formation
  // grants every tenant's rights: a consumer pod running as it would hold them
  // all, bindings or not. So no consumer the chart (or a workload chart through
  // lfcs.serviceAccountName) renders may run as it.
  it("runs the demo consumer as agent.consumer.serviceAccountName, created without a role, not as the agent's", () => {
    const manifests = agent();
    expect(agentPod(manifests).serviceAccountName).toBe('lfcs');
    expect(examplePod(manifests).serviceAccountName).toBe('orders-reader');
    const own = findManifest(manifests, 'ServiceAccount', 'orders-reader');
    expect(own.metadata['annotations']).toBeUndefined();
    expect(own['automountServiceAccountToken']).toBe(false);
    expect(roleHolders(manifests)).toEqual(['data/lfcs', 'data/lfcs']);
    for (const consumer of consumersOf(manifests)) expect(roleHolders(manifests)).not.toContain(consumer);
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'lfcs.serviceAccountName without agent.consumer.serviceAccountName',
      { agent: { consumer: { serviceAccountName: '' } } },
      /in agent mode lfcs\.serviceAccountName does not hand out the agent's ServiceAccount/,
    ],
    [
      "agent.consumer.serviceAccountName naming the agent's own",
      { agent: { consumer: { serviceAccountName: 'lfcs' } } },
      /agent\.consumer\.serviceAccountName "lfcs" is the agent's own ServiceAccount/,
    ],
    [
      "agent.consumer.serviceAccountName naming the agent's own (serviceAccount.name)",
      { serviceAccount: { name: 'lfcs-agent' }, agent: { consumer: { serviceAccountName: 'lfcs-agent' } } },
      /"lfcs-agent" is the agent's own ServiceAccount/,
    ],
    [
      "a binding naming the agent's own ServiceAccount in its namespace",
      { config: { agent: { bindings: [{ namespace: 'data', serviceAccount: 'lfcs', profiles: ['orders'] }] } } },
      /config\.agent\.bindings names data\/lfcs, the agent's own ServiceAccount/,
    ],
  ];
  it.each(refused)('refuses %s', (_label, values, message) => {
    const result = render({ valuesFiles: [AGENT], values: [values], kubeVersion: KUBE });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it("accepts a ServiceAccount named like the agent's in another namespace (a different identity)", () => {
    const manifests = agent([{ config: { agent: { bindings: [{ namespace: 'shop', serviceAccount: 'lfcs', profiles: ['orders'] }] } } }]);
    expect(configOf(manifests).agent.bindings).toEqual([{ namespace: 'shop', serviceAccount: 'lfcs', profiles: ['orders'] }]);
  });

  it("keeps lfcs.serviceAccountName's sidecar meaning: the pod runs as lfcs's ServiceAccount, the sidecar takes the role", () => {
    const manifests = renderOk({ valuesFiles: [NATIVE], values: [{ agent: { consumer: { serviceAccountName: 'ignored' } } }] });
    expect(podSpecOf(findManifest(manifests, 'Deployment', 'lfcs-example')).serviceAccountName).toBe(
      findManifest(manifests, 'ServiceAccount').metadata.name,
    );
  });

  it("tells in NOTES.txt that the namespace is the agent's alone, and warns about a binding in it", () => {
    const result = renderNotes({ valuesFiles: [AGENT], kubeVersion: KUBE });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("ServiceAccount data/lfcs holds lfcs's IAM role");
    expect(result.stdout).toContain('kubectl label namespace data pod-security.kubernetes.io/enforce=privileged');
    expect(result.stdout).toContain('ConfigMap       lfcs   (agent config, region us-east-1)');
    // ci/agent-values.yaml binds the demo consumer data/orders-reader, in the agent's namespace.
    expect(result.stdout).toContain("WARNING: binding data/orders-reader is in the agent's own namespace");
    const elsewhere = renderNotes({
      valuesFiles: [AGENT],
      namespace: 'lfcs-system',
      kubeVersion: KUBE,
      values: [{ example: { enabled: false } }],
    });
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).not.toContain('WARNING');
  });
});

describe('agent.install: one agent per cluster, consumer templates everywhere', () => {
  const agentObjects = ['DaemonSet', 'ClusterRoleBinding', 'ConfigMap', 'ServiceAccount', 'PodMonitor'];

  it("renders none of the agent's objects with agent.install=false, and the consumer side unchanged", () => {
    const installed = agent();
    const consumerOnly = agent([{ agent: { install: false } }]);
    const kinds = consumerOnly.map((m) => `${m.kind}/${m.metadata.name}`);
    // Only the demo consumer (example.enabled) and its own ServiceAccount remain.
    expect(kinds).toEqual(['ServiceAccount/orders-reader', 'Deployment/lfcs-example']);
    for (const kind of agentObjects.filter((k) => k !== 'ServiceAccount')) expect(consumerOnly.map((m) => m.kind)).not.toContain(kind);
    expect(examplePod(consumerOnly)).toEqual(examplePod(installed));
  });

  it('is ignored in sidecar mode', () => {
    expect(renderOk({ valuesFiles: [NATIVE], values: [{ agent: { install: false } }] })).toEqual(renderOk({ valuesFiles: [NATIVE] }));
  });

  it('says so in NOTES.txt', () => {
    const result = renderNotes({ valuesFiles: [AGENT], kubeVersion: KUBE, values: [{ agent: { install: false } }] });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('agent.install=false');
    expect(result.stdout).not.toContain('DaemonSet');
    expect(result.stdout).not.toContain('ClusterRoleBinding');
  });

  it.each([
    ['agent.install=maybe', /agent\.install|install/],
    ['agent.consumer.serviceAccountName=Not_A_Name', /serviceAccountName/],
  ])('is checked by values.schema.json: %s', (set, message) => {
    const result = render({ valuesFiles: [AGENT], kubeVersion: KUBE, set: [set] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(result.stderr).toMatch(message);
  });

  describe('from a workload chart (fixtures/workload: lfcs.agent.install=false, its own ServiceAccount "shop")', () => {
    const workload = (set: string[] = []): Manifest[] =>
      renderOk({ chart: workloadChartDir, name: 'shop', kubeVersion: KUBE, set: ['lfcs.config.mode=agent', ...set] });

    it('renders no DaemonSet, ClusterRoleBinding, lfcs ConfigMap or role-carrying ServiceAccount: a second release binds nothing on the nodes', () => {
      const manifests = workload();
      expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(['Deployment/shop-workload', 'ServiceAccount/shop']);
      expect(roleHolders(manifests)).toEqual([]);
    });

    it("runs the workload as its own ServiceAccount, never as the agent's", () => {
      const manifests = workload();
      const spec = podSpecOf(findManifest(manifests, 'Deployment', 'shop-workload'));
      expect(spec.serviceAccountName).toBe('shop');
      expect(findManifest(manifests, 'ServiceAccount', 'shop').metadata['annotations']).toBeUndefined();
    });

    it("still does not run as the agent's ServiceAccount when the workload chart installs the agent too", () => {
      const manifests = workload(['lfcs.agent.install=true']);
      expect(roleHolders(manifests)).toEqual(['data/shop-lfcs', 'data/shop-lfcs']);
      for (const consumer of consumersOf(manifests)) expect(roleHolders(manifests)).not.toContain(consumer);
    });

    it('fails, naming the fix, when the workload chart sets no consumer ServiceAccount', () => {
      const result = render({
        chart: workloadChartDir,
        name: 'shop',
        kubeVersion: KUBE,
        set: ['lfcs.config.mode=agent', 'lfcs.agent.consumer.serviceAccountName='],
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/set.* agent\.consumer\.serviceAccountName|setting agent\.consumer\.serviceAccountName/);
    });
  });
});

describe('helm test and NOTES.txt in agent mode', () => {
  it("points the test's Service at the agents' admin port", () => {
    const service = findManifest(agent(), 'Service', 'lfcs-example');
    expect(service['spec']['selector']['app.kubernetes.io/component']).toBe('agent');
    expect(service['spec']['ports']).toEqual([{ name: 'lfcs-admin', port: 9181, targetPort: 'lfcs-admin', protocol: 'TCP' }]);
  });

  it('lists the agent address, the bindings, the URIs and the token file', () => {
    const result = renderNotes({ valuesFiles: [AGENT], kubeVersion: KUBE });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('every node runs lfcs on 169.254.170.2:80');
    expect(result.stdout).toContain('data/orders-reader: profiles orders');
    expect(result.stdout).toContain('http://169.254.170.2/v1/credentials/events');
    expect(result.stdout).toContain('Token file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE): /var/run/secrets/lfcs/token');
    expect(result.stdout).not.toContain('include "lfcs.initContainers"');
  });
});

describe('what agent mode refuses, with a message', () => {
  const refused: Array<[string, RenderOptions, RegExp]> = [
    ['Kubernetes 1.29 (tokens name no node)', { kubeVersion: '1.29.0' }, /config\.mode=agent needs Kubernetes >= 1\.30/],
    [
      'config.agent.nodeName (the chart sets it per node)',
      { values: [{ config: { agent: { nodeName: 'node-a' } } }] },
      /leave config\.agent\.nodeName out/,
    ],
    [
      'a loopback host (pods cannot reach the node loopback)',
      { values: [{ config: { agent: { host: '127.0.0.1' } } }] },
      /config\.agent\.host must be 169\.254\.170\.2/,
    ],
    ['port 0 (the URI names the port)', { values: [{ config: { agent: { port: 0 } } }] }, /config\.agent\.port must be a fixed port/],
    [
      'the admin port as credentials port',
      { values: [{ config: { agent: { port: 9181 } } }] },
      /config\.agent\.port and ports\.admin must differ/,
    ],
    [
      'lakeformationApi.enabled (no token on that listener)',
      { values: [{ lakeformationApi: { enabled: true } }] },
      /lakeformationApi\.enabled must be false in agent mode/,
    ],
    [
      'config.iceberg.enabled (a loopback listener)',
      { values: [{ config: { iceberg: { enabled: true, catalogs: ['123456789012'] } } }] },
      /config\.iceberg\.enabled must be false in agent mode/,
    ],
  ];

  it.each(refused)('%s', (_label, options, message) => {
    const result = render({ valuesFiles: [AGENT], kubeVersion: KUBE, ...options, values: options.values ?? [] });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
  });

  it('renders from Kubernetes 1.30 on, including EKS version strings', () => {
    expect(render({ valuesFiles: [AGENT], kubeVersion: 'v1.30.4-eks-a737599' }).status).toBe(0);
  });
});
