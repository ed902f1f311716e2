// The ConfigMap the chart renders must be a config file the sidecar accepts:
// run it through the sidecar's own parser (src/config), for every values file
// that ships with the chart or the examples.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { chartDir, findManifest, renderOk, type RenderOptions } from './helpers.js';

const cases: Array<[string, RenderOptions]> = [
  ...readdirSync(join(chartDir, 'ci'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, RenderOptions] => [`ci/${f}`, { valuesFiles: [join(chartDir, 'ci', f)] }]),
  ['examples/spark/lfcs-values.yaml', { valuesFiles: ['examples/spark/lfcs-values.yaml'] }],
  ['examples/trino/lfcs-values.yaml', { valuesFiles: ['examples/trino/lfcs-values.yaml'] }],
  ['examples/spark/iceberg/lfcs-values.yaml', { valuesFiles: ['examples/spark/iceberg/lfcs-values.yaml'] }],
  ['defaults + region', { values: [{ region: 'us-east-1' }] }],
];

describe('rendered sidecar config', () => {
  it.each(cases)('from %s is accepted by the sidecar config parser', (_label, options) => {
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
});
