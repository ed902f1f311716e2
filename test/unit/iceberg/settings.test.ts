import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/index.js';
import { glueIcebergUri, ICEBERG_DEFAULTS, icebergSettingsSchema } from '../../../src/iceberg/settings.js';
import { configError, problemAt } from '../config/helpers.js';

const base = { region: 'us-east-1' };
const dynamic = { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'] };
const enabled = { enabled: true, catalogs: ['123456789012'] };

describe('iceberg settings', () => {
  it('is off by default, on loopback, vending credentials when the client names no mode', () => {
    expect(ICEBERG_DEFAULTS).toEqual({
      enabled: false,
      host: '127.0.0.1',
      port: 9183,
      catalogs: [],
      delegation: 'vended-credentials',
      timeoutMs: 5000,
      maxUpstreamResponseMiB: 64,
    });
    expect(glueIcebergUri('eu-west-1')).toBe('https://glue.eu-west-1.amazonaws.com/iceberg');
  });

  it('accepts a full section', () => {
    const config = parseConfig({
      ...base,
      dynamic,
      iceberg: {
        ...enabled,
        host: '::1',
        port: 0,
        upstreamUri: 'http://127.0.0.1:4599/iceberg',
        region: 'eu-west-1',
        delegation: 'remote-signing',
        s3Endpoint: 'http://127.0.0.1:4599',
        timeoutMs: 100,
      },
    });
    expect(config.iceberg).toMatchObject({ host: '::1', delegation: 'remote-signing', region: 'eu-west-1' });
  });

  it.each([
    ['host', { host: '0.0.0.0' }, 'a loopback address'],
    ['host', { host: '10.0.0.1' }, 'a loopback address'],
    ['upstreamUri', { upstreamUri: 'http://glue.example/iceberg' }, 'an https:// URL'],
    ['upstreamUri', { upstreamUri: 'https://user:pw@glue.example/iceberg' }, 'an https:// URL'],
    ['s3Endpoint', { s3Endpoint: 'https://s3.example/bucket' }, 'without path'],
    ['catalogs', { catalogs: ['default'] }, '12-digit'],
    ['delegation', { delegation: 'both' }, 'one of vended-credentials, remote-signing'],
    ['region', { region: 'moon-1' }, 'an AWS region name'],
  ])('refuses a bad %s, saying what it accepts', async (field, iceberg, expected) => {
    const error = await configError(() => parseConfig({ ...base, dynamic, iceberg: { ...enabled, ...iceberg } }));
    const problem = error.problems.find((p) => p.path.startsWith(`iceberg.${field}`));
    expect(problem?.expected).toContain(expected);
  });

  it('needs a catalog when enabled', async () => {
    const error = await configError(() => parseConfig({ ...base, dynamic, iceberg: { enabled: true } }));
    expect(problemAt(error, 'iceberg.catalogs').expected).toContain('at least one when enabled is true');
    expect(icebergSettingsSchema.safeParse({ enabled: true }).success).toBe(false);
    expect(icebergSettingsSchema.safeParse({ enabled: false }).success).toBe(true);
  });

  it('needs dynamic.enabled when enabled: its callers name any table, and dynamic.allowedTables decides', async () => {
    const error = await configError(() => parseConfig({ ...base, iceberg: enabled }));
    expect(problemAt(error, 'dynamic.enabled').expected).toContain('iceberg.enabled');
  });

  it('keeps the gateway on its own port when enabled', async () => {
    for (const [other, port] of [
      ['listen.port', 9180],
      ['admin.port', 9181],
      ['lakeformationApi.port', 9182],
    ] as const) {
      const error = await configError(() =>
        parseConfig({ ...base, dynamic, lakeformationApi: { enabled: true }, iceberg: { ...enabled, port } }),
      );
      expect(problemAt(error, 'iceberg.port').expected).toBe(
        `an integer from 0 to 65535 other than ${other} (${port}); 0 picks a free port`,
      );
    }
    // Disabled, its port clashes with nothing.
    expect(parseConfig({ ...base, iceberg: { port: 9180 } }).iceberg.port).toBe(9180);
  });
});

describe('iceberg settings in agent mode', () => {
  it('refuses the gateway: it listens on loopback, which pods on the node cannot reach', async () => {
    const agent = { nodeName: 'node-1' };
    const error = await configError(() => parseConfig({ ...base, mode: 'agent', agent, dynamic: { enabled: true }, iceberg: enabled }));
    expect(problemAt(error, 'iceberg.enabled').expected).toContain('false in agent mode');
  });
});
