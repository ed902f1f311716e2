// examples/spark and examples/trino are static YAML that people copy. These
// tests prove they parse, carry everything the sidecar needs, and contain the
// very same sidecar container and volumes the chart renders for the same
// values, so the examples cannot drift from the chart.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_ID_PATTERN, ICEBERG_DEFAULTS } from '../../../src/iceberg/settings.js';
import {
  allStrings,
  containerNamed,
  findManifest,
  podSpecOf,
  readYaml,
  renderNotes,
  renderOk,
  repoRoot,
  type Container,
} from './helpers.js';

/** What the chart renders for an example's lfcs values (release "lfcs"). */
function chartRendering(lfcsValuesFile: string): {
  sidecar: Container;
  volumes: unknown[];
  configMapName: string;
  serviceAccountName: string;
  profiles: string[];
} {
  const manifests = renderOk({ valuesFiles: [lfcsValuesFile], values: [{ example: { enabled: true } }], name: 'lfcs' });
  const spec = podSpecOf(findManifest(manifests, 'Deployment', 'lfcs-example'));
  const configMap = findManifest(manifests, 'ConfigMap', 'lfcs');
  const config = readYaml<{ config: { profiles: Record<string, unknown> } }>(lfcsValuesFile);
  return {
    sidecar: containerNamed(spec.initContainers, 'lfcs'),
    volumes: spec.volumes.filter((v: { name: string }) => v.name.startsWith('lfcs-')),
    configMapName: configMap.metadata.name,
    serviceAccountName: findManifest(manifests, 'ServiceAccount').metadata.name,
    profiles: Object.keys(config.config.profiles),
  };
}

function expectConsumer(container: Container, profiles: string[]): void {
  const aws = (container['env'] as Array<{ name: string; value: string }>).filter((e) => e.name.startsWith('AWS_CONTAINER_'));
  expect(aws.map((e) => e.name)).toEqual(['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']);
  const uri = aws[0]!.value.match(/^http:\/\/127\.0\.0\.1:9180\/v1\/credentials\/([A-Za-z0-9_.-]+)$/);
  expect(uri, aws[0]!.value).not.toBeNull();
  expect(profiles).toContain(uri![1]);
  expect(aws[1]!.value).toBe('/var/run/lfcs/token');
}

describe.each([
  ['driver', 'examples/spark/driver-pod-template.yaml', 'spark-kubernetes-driver'],
  ['executor', 'examples/spark/executor-pod-template.yaml', 'spark-kubernetes-executor'],
])('Spark %s pod template', (_role, file, sparkContainer) => {
  const pod = readYaml<{ kind: string; metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: any }>(
    file,
  );
  const chart = (): ReturnType<typeof chartRendering> => chartRendering('examples/spark/lfcs-values.yaml');

  it('is a Pod with the sidecar as a native sidecar (initContainers, restartPolicy Always)', () => {
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.initContainers.map((c: Container) => c.name)).toEqual(['lfcs']);
    expect(pod.spec.initContainers[0].restartPolicy).toBe('Always');
    expect(pod.spec.containers.map((c: Container) => c.name)).toEqual([sparkContainer]);
  });

  it('gives the Spark container the two env vars, pointing at a defined profile', () => {
    expectConsumer(containerNamed(pod.spec.containers, sparkContainer), chart().profiles);
  });

  it('shares the in-memory token volume: read-write in the sidecar, read-only in Spark, readable via fsGroup', () => {
    expect(pod.spec.volumes).toContainEqual({ name: 'lfcs-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(containerNamed(pod.spec.initContainers, 'lfcs')['volumeMounts']).toContainEqual({
      name: 'lfcs-token',
      mountPath: '/var/run/lfcs',
    });
    expect(containerNamed(pod.spec.containers, sparkContainer)['volumeMounts']).toEqual([
      { name: 'lfcs-token', mountPath: '/var/run/lfcs', readOnly: true },
    ]);
    expect(pod.spec.securityContext.fsGroup).toBe(185); // the Spark image's UID/GID
  });

  it('contains exactly the sidecar container and volumes the chart renders for examples/spark/lfcs-values.yaml', () => {
    const rendered = chart();
    expect(containerNamed(pod.spec.initContainers, 'lfcs')).toEqual(rendered.sidecar);
    expect(pod.spec.volumes).toEqual(rendered.volumes);
    expect(pod.spec.serviceAccountName).toBe(rendered.serviceAccountName);
  });

  it('keeps the EKS credential webhook away from the Spark container and carries the PodMonitor label', () => {
    expect(pod.metadata.annotations['eks.amazonaws.com/skip-containers']).toBe(sparkContainer);
    expect(pod.metadata.labels['lakeformation-credential-sidecar/instance']).toBe('lfcs');
  });
});

describe.each([
  ['driver', 'examples/spark/iceberg/driver-pod-template.yaml', 'spark-kubernetes-driver'],
  ['executor', 'examples/spark/iceberg/executor-pod-template.yaml', 'spark-kubernetes-executor'],
])('Spark Iceberg %s pod template', (_role, file, sparkContainer) => {
  const pod = readYaml<{ kind: string; metadata: { annotations?: Record<string, string>; labels: Record<string, string> }; spec: any }>(
    file,
  );
  // The example Deployment the comparison renders needs a profile; it changes neither the sidecar container nor the volumes.
  const rendered = (): ReturnType<typeof icebergRendering> => icebergRendering();

  it('has the same native sidecar and volumes the chart renders for examples/spark/iceberg/lfcs-values.yaml', () => {
    expect(pod.spec.initContainers.map((c: Container) => c.name)).toEqual(['lfcs']);
    expect(containerNamed(pod.spec.initContainers, 'lfcs')).toEqual(rendered().sidecar);
    expect(pod.spec.volumes).toEqual(rendered().volumes);
    expect(pod.spec.serviceAccountName).toBe('lfcs');
  });

  it('sends only Lake Formation to the sidecar, with the variable lfcs.lakeformationApiEnv renders', () => {
    const env = containerNamed(pod.spec.containers, sparkContainer)['env'] as Array<{ name: string; value: string }>;
    expect(env).toEqual(rendered().lakeformationEnv);
    expect(env).toEqual([{ name: 'AWS_ENDPOINT_URL_LAKEFORMATION', value: 'http://127.0.0.1:9182' }]);
  });

  it('leaves the pod identity to Spark (no skip-containers): Iceberg assumes its role with it', () => {
    expect(pod.metadata.annotations?.['eks.amazonaws.com/skip-containers']).toBeUndefined();
    expect(pod.metadata.labels['lakeformation-credential-sidecar/instance']).toBe('lfcs');
  });
});

function icebergRendering(): { sidecar: Container; volumes: unknown[]; lakeformationEnv: unknown[] } {
  const manifests = renderOk({
    valuesFiles: ['examples/spark/iceberg/lfcs-values.yaml'],
    values: [
      {
        example: { enabled: true },
        sidecar: { profile: 'orders' },
        config: { profiles: { orders: { tableArn: 'arn:aws:glue:us-east-1:111122223333:table/sales/orders' } } },
      },
    ],
    name: 'lfcs',
  });
  const spec = podSpecOf(findManifest(manifests, 'Deployment', 'lfcs-example'));
  const consumer = containerNamed(spec.containers, 'consumer');
  return {
    sidecar: containerNamed(spec.initContainers, 'lfcs'),
    volumes: spec.volumes.filter((v: { name: string }) => v.name.startsWith('lfcs-')),
    lakeformationEnv: (consumer['env'] as Array<{ name: string }>).filter((e) => e.name === 'AWS_ENDPOINT_URL_LAKEFORMATION'),
  };
}

/** Where examples/spark/agent installs the agent (its own namespace) and where Spark runs. */
const AGENT_NAMESPACE = 'lfcs-system';
const SPARK_NAMESPACE = 'spark-jobs';

/** What the chart renders for the agent example's values: the consumer side (env, mounts, volumes) of the demo Deployment. */
function agentRendering(): {
  env: unknown[];
  volumeMounts: unknown[];
  volumes: unknown[];
  bindings: Array<{ namespace: string; serviceAccount: string; profiles: string[] }>;
} {
  // The demo Deployment stands in for Spark's pods: a consumer of the agent, running as the bound "spark".
  const manifests = renderOk({
    valuesFiles: ['examples/spark/agent/lfcs-values.yaml'],
    values: [{ example: { enabled: true }, agent: { consumer: { serviceAccountName: 'spark' } } }],
    name: 'lfcs',
    namespace: AGENT_NAMESPACE,
    kubeVersion: '1.30.0',
  });
  const spec = podSpecOf(findManifest(manifests, 'Deployment', 'lfcs-example'));
  const consumer = containerNamed(spec.containers, 'consumer');
  const config = readYaml<{ config: { agent: { bindings: Array<{ namespace: string; serviceAccount: string; profiles: string[] }> } } }>(
    'examples/spark/agent/lfcs-values.yaml',
  );
  return {
    env: (consumer['env'] as Array<{ name: string }>).filter((e) => e.name.startsWith('AWS_CONTAINER_')),
    volumeMounts: (consumer['volumeMounts'] as Array<{ name: string }>).filter((m) => m.name.startsWith('lfcs')),
    volumes: spec.volumes.filter((v: { name: string }) => v.name.startsWith('lfcs')),
    bindings: config.config.agent.bindings,
  };
}

describe.each([
  ['driver', 'examples/spark/agent/driver-pod-template.yaml', 'spark-kubernetes-driver'],
  ['executor', 'examples/spark/agent/executor-pod-template.yaml', 'spark-kubernetes-executor'],
])('Spark agent-mode %s pod template', (_role, file, sparkContainer) => {
  const pod = readYaml<{ kind: string; metadata: { annotations: Record<string, string>; labels?: Record<string, string> }; spec: any }>(
    file,
  );
  const rendered = (): ReturnType<typeof agentRendering> => agentRendering();

  it('is a Pod with no sidecar container: only the Spark container', () => {
    expect(pod.kind).toBe('Pod');
    expect(pod.spec.initContainers).toBeUndefined();
    expect(pod.spec.containers.map((c: Container) => c.name)).toEqual([sparkContainer]);
    expect(allStrings(pod)).not.toContain('lakeformation-credential-sidecar:0.1.0');
  });

  it('carries exactly the env, token mount and projected token volume the chart renders for the agent values', () => {
    const spark = containerNamed(pod.spec.containers, sparkContainer);
    expect(spark['env']).toEqual(rendered().env);
    expect(spark['volumeMounts']).toEqual(rendered().volumeMounts);
    expect(pod.spec.volumes).toEqual(rendered().volumes);
    expect(spark['env']).toContainEqual({
      name: 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      value: 'http://169.254.170.2/v1/credentials/sales-lake',
    });
    expect(pod.spec.volumes[0].projected.sources[0].serviceAccountToken.audience).toBe('lfcs');
  });

  it('runs as a ServiceAccount that a binding allows the profile it asks for', () => {
    const uri = (containerNamed(pod.spec.containers, sparkContainer)['env'] as Array<{ name: string; value: string }>)[0]!.value;
    const profile = uri.split('/').pop();
    const binding = rendered().bindings.find((b) => b.serviceAccount === pod.spec.serviceAccountName);
    expect(binding, `no binding for ${pod.spec.serviceAccountName}`).toBeDefined();
    expect(binding!.namespace).toBe(SPARK_NAMESPACE);
    expect(binding!.namespace).not.toBe(AGENT_NAMESPACE);
    expect(binding!.profiles).toContain(profile);
    expect(pod.spec.serviceAccountName).not.toBe('lfcs'); // the agent's own identity, with the IAM role
  });

  it('keeps the EKS credential webhook away from the Spark container, and carries no PodMonitor label', () => {
    expect(pod.metadata.annotations['eks.amazonaws.com/skip-containers']).toBe(sparkContainer);
    expect(pod.metadata.labels?.['lakeformation-credential-sidecar/instance']).toBeUndefined();
  });
});

describe('agent/spark-submit.sh', () => {
  const script = readFileSync(join(repoRoot, 'examples/spark/agent/spark-submit.sh'), 'utf8');
  const conf = (key: string): string | undefined => script.match(new RegExp(`--conf ${key.replace(/\./g, '\\.')}=(\\S+)`))?.[1];

  it('passes the agent pod templates, which exist next to it, and runs Spark as the bound ServiceAccount', () => {
    expect(conf('spark.kubernetes.driver.podTemplateFile')).toBe('driver-pod-template.yaml');
    expect(conf('spark.kubernetes.executor.podTemplateFile')).toBe('executor-pod-template.yaml');
    expect(existsSync(join(repoRoot, 'examples/spark/agent/driver-pod-template.yaml'))).toBe(true);
    expect(existsSync(join(repoRoot, 'examples/spark/agent/executor-pod-template.yaml'))).toBe(true);
    expect(conf('spark.kubernetes.authenticate.driver.serviceAccountName')).toBe('spark');
    expect(conf('spark.kubernetes.authenticate.executor.serviceAccountName')).toBe('spark');
    expect(script).toContain('-f examples/spark/agent/lfcs-values.yaml');
  });

  // The agent's ServiceAccount holds every tenant's rights: whoever can create
  // pods in its namespace can run as it. So Spark (whose driver must create
  // pods) runs in a namespace of its own, and its RBAC is granted only there.
  it("installs the agent in a namespace of its own and gives Spark's pod-creating role only in Spark's namespace", () => {
    const values = readFileSync(join(repoRoot, 'examples/spark/agent/lfcs-values.yaml'), 'utf8');
    for (const text of [script, values]) {
      expect(text).toContain(`helm install lfcs helm/lakeformation-credential-sidecar -n ${AGENT_NAMESPACE} `);
      expect(text).toContain(`kubectl label namespace ${AGENT_NAMESPACE} pod-security.kubernetes.io/enforce=privileged`);
    }
    expect(script).toContain(`NAMESPACE="\${NAMESPACE:-${SPARK_NAMESPACE}}"`);
    const grants = script.split('\n').filter((line) => /create (rolebinding|clusterrolebinding|serviceaccount)/.test(line));
    expect(grants.length).toBeGreaterThanOrEqual(2);
    for (const line of grants) {
      expect(line).toContain(`-n ${SPARK_NAMESPACE} `);
      expect(line).not.toContain(AGENT_NAMESPACE);
    }
    expect(script).not.toMatch(/clusterrolebinding/);
    const bindings = agentRendering().bindings;
    expect(bindings.length).toBeGreaterThan(0);
    for (const binding of bindings) expect(binding.namespace).not.toBe(AGENT_NAMESPACE);
  });

  it("renders NOTES.txt for that install without a warning about a consumer in the agent's namespace", () => {
    const notes = renderNotes({
      valuesFiles: ['examples/spark/agent/lfcs-values.yaml'],
      namespace: AGENT_NAMESPACE,
      kubeVersion: '1.30.0',
    });
    expect(notes.status, notes.stderr).toBe(0);
    expect(notes.stdout).toContain(`spark-jobs/spark: profiles sales-lake`);
    expect(notes.stdout).toContain(`ServiceAccount ${AGENT_NAMESPACE}/lfcs holds lfcs's IAM role`);
    expect(notes.stdout).not.toContain('WARNING');
  });
});

describe('iceberg/spark-submit.sh', () => {
  const script = readFileSync(join(repoRoot, 'examples/spark/iceberg/spark-submit.sh'), 'utf8');
  const catalog = (key: string): string | undefined =>
    script.match(new RegExp(`--conf "\\$\\{C\\}"\\.${key.replace(/\./g, '\\.')}=(\\S+)`))?.[1];

  it("turns on Iceberg's Lake Formation client factory with the properties it requires", () => {
    expect(catalog('glue.lakeformation-enabled')).toBe('true');
    expect(catalog('client.factory')).toBe('org.apache.iceberg.aws.lakeformation.LakeFormationAwsClientFactory');
    expect(catalog('client.assume-role.arn')).toBeDefined();
    expect(catalog('client.assume-role.region')).toBeDefined();
    expect(catalog('client.assume-role.tags.LakeFormationAuthorizedCaller')).toBeDefined();
    expect(catalog('glue.account-id')).toBeDefined();
    expect(script).toContain('--conf spark.kubernetes.driver.podTemplateFile=driver-pod-template.yaml');
  });
});

describe('spark-submit.sh', () => {
  const script = readFileSync(join(repoRoot, 'examples/spark/spark-submit.sh'), 'utf8');
  const conf = (key: string): string | undefined => script.match(new RegExp(`--conf ${key.replace(/\./g, '\\.')}=(\\S+)`))?.[1];

  it('passes both pod templates, which exist next to it', () => {
    expect(conf('spark.kubernetes.driver.podTemplateFile')).toBe('driver-pod-template.yaml');
    expect(conf('spark.kubernetes.executor.podTemplateFile')).toBe('executor-pod-template.yaml');
    expect(existsSync(join(repoRoot, 'examples/spark/driver-pod-template.yaml'))).toBe(true);
    expect(existsSync(join(repoRoot, 'examples/spark/executor-pod-template.yaml'))).toBe(true);
    expect(conf('spark.kubernetes.driver.podTemplateContainerName')).toBe('spark-kubernetes-driver');
    expect(conf('spark.kubernetes.executor.podTemplateContainerName')).toBe('spark-kubernetes-executor');
  });

  it('pins the bucket of both tables to the SDK v2 container-credentials provider and runs as the chart ServiceAccount', () => {
    // S3A's per-bucket key: the sidecar's location profile serves this bucket only.
    expect(script).toContain('BUCKET="${BUCKET:-sales-lake-111122223333}"');
    expect(script).toContain(
      '--conf "spark.hadoop.fs.s3a.bucket.${BUCKET}.aws.credentials.provider=software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider"',
    );
    expect(conf('spark.hadoop.fs.s3a.aws.credentials.provider')).toBeUndefined();
    expect(conf('spark.kubernetes.authenticate.driver.serviceAccountName')).toBe('lfcs');
    expect(conf('spark.kubernetes.authenticate.executor.serviceAccountName')).toBe('lfcs');
  });
});

describe('the Spark location profile (examples/spark/lfcs-values.yaml)', () => {
  it('lists the locations of both tables the job reads, in the bucket spark-submit.sh pins to the sidecar', () => {
    const values = readYaml<any>('examples/spark/lfcs-values.yaml');
    const script = readFileSync(join(repoRoot, 'examples/spark/spark-submit.sh'), 'utf8');
    const bucket = /BUCKET="\$\{BUCKET:-([^}]+)\}"/.exec(script)?.[1];
    expect(values.sidecar.profile).toBe('sales-lake');
    const locations: string[] = values.config.profiles['sales-lake'].locations;
    expect(locations).toEqual([`s3://${bucket}/warehouse/orders`, `s3://${bucket}/warehouse/returns`]);
    // The job's two paths are exactly those locations (s3a:// is S3A's scheme for them).
    for (const location of locations) expect(script).toContain(location.replace(`s3://${bucket}`, 's3a://${BUCKET}'));
  });
});

describe('Trino chart values (examples/trino/values.yaml)', () => {
  const values = readYaml<any>('examples/trino/values.yaml');
  const chart = (): ReturnType<typeof chartRendering> => chartRendering('examples/trino/lfcs-values.yaml');

  it.each(['coordinator', 'worker'])('adds the native sidecar to the %s, identical to the chart rendering', (role) => {
    const sidecars: Container[] = values.initContainers[role];
    expect(sidecars.map((c) => c.name)).toEqual(['lfcs']);
    expect(sidecars[0]!['restartPolicy']).toBe('Always');
    expect(sidecars[0]).toEqual(chart().sidecar);
  });

  it.each(['coordinator', 'worker'])('gives the %s pod the token and config volumes and a read-only token mount', (role) => {
    const rendered = chart();
    expect(values[role].additionalVolumes).toEqual(rendered.volumes);
    expect(values[role].additionalVolumes).toContainEqual({ name: 'lfcs-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(values[role].additionalVolumeMounts).toEqual([{ name: 'lfcs-token', mountPath: '/var/run/lfcs', readOnly: true }]);
    expect(values[role].annotations['eks.amazonaws.com/skip-containers']).toBe(`trino-${role}`);
    expect(values[role].labels['lakeformation-credential-sidecar/instance']).toBe('lfcs');
    expect(values[role].terminationGracePeriodSeconds).toBeGreaterThanOrEqual(10);
  });

  it('sets the two env vars on the Trino containers and runs the pods as the chart ServiceAccount with an fsGroup', () => {
    expectConsumer({ name: 'trino', env: values.env }, chart().profiles);
    expect(values.serviceAccount).toEqual({ create: false, name: chart().serviceAccountName });
    expect(values.securityContext.fsGroup).toEqual(expect.any(Number));
    expect(values.catalogs.lakehouse).toContain('fs.native-s3.enabled=true');
  });
});

describe('Trino catalog for the Iceberg REST gateway (examples/trino/iceberg-gateway.properties)', () => {
  const properties = new Map(
    readFileSync(join(repoRoot, 'examples/trino/iceberg-gateway.properties'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)] as const;
      }),
  );

  it("names the gateway on loopback at lfcs's default port, a Glue catalog id, and vended credentials over the bearer token", () => {
    expect(properties.get('connector.name')).toBe('iceberg');
    expect(properties.get('iceberg.catalog.type')).toBe('rest');
    expect(properties.get('iceberg.rest-catalog.uri')).toBe(`http://127.0.0.1:${ICEBERG_DEFAULTS.port}`);
    expect(properties.get('iceberg.rest-catalog.warehouse')).toMatch(CATALOG_ID_PATTERN);
    expect(properties.get('iceberg.rest-catalog.security')).toBe('OAUTH2');
    expect(properties.get('iceberg.rest-catalog.oauth2.token')).toBe('${ENV:LFCS_TOKEN}');
    expect(properties.get('iceberg.rest-catalog.vended-credentials-enabled')).toBe('true');
    expect(properties.get('fs.native-s3.enabled')).toBe('true');
    // Static keys would win over the vended ones.
    expect([...properties.keys()].filter((key) => /access-key|secret-key|session-token/.test(key))).toEqual([]);
  });
});

describe('all examples', () => {
  it('never set AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or the env-var token', () => {
    for (const file of [
      'examples/spark/driver-pod-template.yaml',
      'examples/spark/executor-pod-template.yaml',
      'examples/spark/agent/driver-pod-template.yaml',
      'examples/spark/agent/executor-pod-template.yaml',
      'examples/trino/values.yaml',
    ]) {
      const strings = allStrings(readYaml(file));
      expect(strings, file).not.toContain('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
      expect(strings, file).not.toContain('AWS_CONTAINER_AUTHORIZATION_TOKEN');
    }
  });
});
