// The ConfigMap the chart renders must be a config file the sidecar accepts:
// run it through the sidecar's own parser (src/config), for every values file
// that ships with the chart or the examples.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../../src/config/index.js';
import { chartDir, findManifest, podSpecOf, renderOk, scratchFile, type RenderOptions } from './helpers.js';

const cases: Array<[string, RenderOptions]> = [
  ...readdirSync(join(chartDir, 'ci'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, RenderOptions] => [`ci/${f}`, { valuesFiles: [join(chartDir, 'ci', f)] }]),
  ['examples/spark/lfcs-values.yaml', { valuesFiles: ['examples/spark/lfcs-values.yaml'] }],
  ['examples/trino/lfcs-values.yaml', { valuesFiles: ['examples/trino/lfcs-values.yaml'] }],
  ['examples/spark/iceberg/lfcs-values.yaml', { valuesFiles: ['examples/spark/iceberg/lfcs-values.yaml'] }],
  ['defaults + region', { values: [{ region: 'us-east-1' }] }],
];
const sidecarCases = cases.filter(([label]) => label !== 'ci/agent-values.yaml');

// Agent mode: the ConfigMap plus the env the DaemonSet sets (LFCS_AGENT_NODE_NAME
// comes from spec.nodeName at run time; a node name stands in for it here).
const agentCases: Array<[string, RenderOptions]> = [
  ['ci/agent-values.yaml', { valuesFiles: [join(chartDir, 'ci/agent-values.yaml')], kubeVersion: '1.30.0' }],
  ['examples/spark/agent/lfcs-values.yaml', { valuesFiles: ['examples/spark/agent/lfcs-values.yaml'], kubeVersion: '1.30.0' }],
];

describe('rendered sidecar config', () => {
  it('covers every values file under ci/ (agent mode separately)', () => {
    expect(cases.length - sidecarCases.length).toBe(1);
  });

  it.each(agentCases)('from %s, with the DaemonSet env, is accepted by lfcs as agent mode', async (label, options) => {
    const manifests = renderOk(options);
    const file = scratchFile(
      `agent-config-${label.replace(/\W+/g, '-')}.yaml`,
      findManifest(manifests, 'ConfigMap', 'lfcs')['data']['config.yaml'] as string,
    );
    const container = podSpecOf(findManifest(manifests, 'DaemonSet', 'lfcs-agent')).containers[0];
    const env: Record<string, string> = {};
    for (const e of container.env as Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>) {
      if (e.valueFrom?.fieldRef?.fieldPath === 'spec.nodeName') env[e.name] = 'ip-10-0-1-23.ec2.internal';
      else if (e.value !== undefined) env[e.name] = e.value;
    }
    const config = await loadConfig({ file, env });
    expect(config.mode).toBe('agent');
    expect(config.agent.nodeName).toBe('ip-10-0-1-23.ec2.internal');
    expect(config.agent.host).toBe('169.254.170.2');
    expect(config.agent.port).toBe(80);
    expect(config.admin.host).toBe('0.0.0.0');
    expect(config.agent.bindings.length).toBeGreaterThan(0);
    expect(config.shutdown.graceSeconds).toBeGreaterThan(config.shutdown.drainSeconds);
  });

  it.each(sidecarCases)('from %s is accepted by the sidecar config parser', (_label, options) => {
    const configMap = findManifest(renderOk(options), 'ConfigMap', 'lfcs');
    const raw: unknown = parse(configMap['data']['config.yaml'] as string);
    const config = parseConfig(raw, 'config.yaml');
    expect(config.listen.host).toBe('127.0.0.1');
    expect(config.admin.host).toBe('0.0.0.0');
    expect(config.auth.tokenFile).toBe('/var/run/lfcs/token');
    expect(config.shutdown.graceSeconds).toBeGreaterThan(config.shutdown.drainSeconds);
  });

  it('carries the Lake Formation API listener on loopback, on ports.lakeformationApi, only when enabled', () => {
    const render = (values: Record<string, unknown>) =>
      parseConfig(parse(findManifest(renderOk({ values: [values] }), 'ConfigMap', 'lfcs')['data']['config.yaml'] as string), 'config.yaml');
    const dynamic = { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:111122223333:table/sales/*'] };
    const on = render({ region: 'us-east-1', lakeformationApi: { enabled: true }, ports: { lakeformationApi: 9300 }, config: { dynamic } });
    expect(on.lakeformationApi).toEqual({ enabled: true, host: '127.0.0.1', port: 9300 });
    const off = parse(findManifest(renderOk({ values: [{ region: 'us-east-1' }] }), 'ConfigMap', 'lfcs')['data']['config.yaml'] as string);
    expect(off).not.toHaveProperty('lakeformationApi');
  });

  it('carries the Iceberg REST gateway on loopback, on ports.iceberg, when config.iceberg.enabled', () => {
    const render = (values: Record<string, unknown>) =>
      parseConfig(parse(findManifest(renderOk({ values: [values] }), 'ConfigMap', 'lfcs')['data']['config.yaml'] as string), 'config.yaml');
    const dynamic = { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:111122223333:table/sales/*'] };
    const on = render({
      region: 'us-east-1',
      ports: { iceberg: 9300 },
      config: { dynamic, iceberg: { enabled: true, catalogs: ['111122223333'] } },
    });
    expect(on.iceberg).toMatchObject({ enabled: true, host: '127.0.0.1', port: 9300, catalogs: ['111122223333'] });
    const byDefault = render({ region: 'us-east-1', config: { dynamic, iceberg: { enabled: true, catalogs: ['111122223333'] } } });
    expect(byDefault.iceberg.port).toBe(9183);
    const off = parse(findManifest(renderOk({ values: [{ region: 'us-east-1' }] }), 'ConfigMap', 'lfcs')['data']['config.yaml'] as string);
    expect(off).not.toHaveProperty('iceberg');
  });
});
