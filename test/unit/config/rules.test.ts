import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, requireAuthSource, type ConfigOverrides } from '../../../src/config/index.js';
import { configError, problemAt } from './helpers.js';

const base = { region: 'us-east-1' };
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function parse(extra: Record<string, unknown>) {
  return parseConfig({ ...base, ...extra });
}

describe('cross-field rules', () => {
  it('keeps cache.hardMinimumSeconds below cache.minServeSeconds', async () => {
    const error = await configError(() => parse({ cache: { hardMinimumSeconds: 960 } }));
    expect(error.problems).toHaveLength(1);
    expect(problemAt(error, 'cache.hardMinimumSeconds')).toEqual({
      path: 'cache.hardMinimumSeconds',
      value: 960,
      expected: 'an integer from 1 to 43200 below cache.minServeSeconds (960)',
    });
  });

  it('keeps cache.minServeSeconds below cache.refreshBeforeExpirySeconds, blaming the field that was set', async () => {
    const tooHigh = await configError(() => parse({ cache: { minServeSeconds: 2000 } }));
    expect(problemAt(tooHigh, 'cache.minServeSeconds').expected).toBe(
      'an integer from 1 to 43200 above cache.hardMinimumSeconds (60) and below ' +
        'cache.refreshBeforeExpirySeconds (1800) minus cache.refreshJitterSeconds (120)',
    );
    const tooLow = await configError(() => parse({ cache: { refreshBeforeExpirySeconds: 900 } }));
    expect(problemAt(tooLow, 'cache.refreshBeforeExpirySeconds')).toMatchObject({
      value: 900,
      expected: 'an integer from 60 to 43200 above cache.minServeSeconds (960) plus cache.refreshJitterSeconds (120)',
    });
  });

  it('keeps the refresh jitter inside the window between refreshBefore and minServe', async () => {
    const error = await configError(() => parse({ cache: { refreshJitterSeconds: 840 } }));
    expect(problemAt(error, 'cache.refreshJitterSeconds').expected).toBe(
      'an integer from 0 to 3600 below cache.refreshBeforeExpirySeconds (1800) minus cache.minServeSeconds (960)',
    );
    expect(parse({ cache: { refreshJitterSeconds: 839 } }).cache.refreshJitterSeconds).toBe(839);
    // Without jitter, the bound is refreshBefore itself.
    const noJitter = await configError(() => parse({ cache: { refreshJitterSeconds: 0, minServeSeconds: 1800 } }));
    expect(problemAt(noJitter, 'cache.minServeSeconds').expected).toBe(
      'an integer from 1 to 43200 above cache.hardMinimumSeconds (60) and below cache.refreshBeforeExpirySeconds (1800)',
    );
  });

  it('checks relations even when other fields are invalid, using their defaults', async () => {
    const error = await configError(() => parse({ log: { level: 'loud' }, cache: { hardMinimumSeconds: 5000 } }));
    expect(error.problems.map((problem) => problem.path)).toEqual(['log.level', 'cache.hardMinimumSeconds']);
  });

  it('requires shutdown.graceSeconds to exceed shutdown.drainSeconds', async () => {
    const error = await configError(() => parse({ shutdown: { drainSeconds: 20 } }));
    expect(problemAt(error, 'shutdown.drainSeconds').expected).toBe('an integer from 0 to 300 below shutdown.graceSeconds (20)');
    const grace = await configError(() => parse({ shutdown: { graceSeconds: 5 } }));
    expect(problemAt(grace, 'shutdown.graceSeconds').expected).toBe('an integer from 1 to 600 above shutdown.drainSeconds (5)');
  });

  it('requires prewarm.retryBaseDelayMs to be at most prewarm.retryMaxDelayMs', async () => {
    const error = await configError(() => parse({ prewarm: { retryBaseDelayMs: 40_000 } }));
    expect(problemAt(error, 'prewarm.retryBaseDelayMs').expected).toBe(
      'an integer from 1 to 60000 at most prewarm.retryMaxDelayMs (30000)',
    );
    expect(parse({ prewarm: { retryBaseDelayMs: 30_000 } }).prewarm.retryBaseDelayMs).toBe(30_000);
  });

  it('requires distinct listen and admin ports, except 0', async () => {
    const error = await configError(() => parse({ admin: { port: 9180 } }));
    expect(problemAt(error, 'admin.port')).toEqual({
      path: 'admin.port',
      value: 9180,
      expected: 'an integer from 0 to 65535 other than listen.port (9180); 0 picks a free port',
    });
    const config = parse({ listen: { port: 0 }, admin: { port: 0 } });
    expect([config.listen.port, config.admin.port]).toEqual([0, 0]);
  });

  it('keeps the Lake Formation API listener on its own port, when it is enabled', async () => {
    const dynamic = { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'] };
    const error = await configError(() => parse({ dynamic, lakeformationApi: { enabled: true, port: 9181 } }));
    expect(problemAt(error, 'lakeformationApi.port')).toEqual({
      path: 'lakeformationApi.port',
      value: 9181,
      expected: 'an integer from 0 to 65535 other than admin.port (9181); 0 picks a free port',
    });
    // Disabled, its port is not in use and clashes with nothing.
    expect(parse({ lakeformationApi: { port: 9180 } }).lakeformationApi).toEqual({ enabled: false, host: '127.0.0.1', port: 9180 });
    expect(parse({ dynamic, lakeformationApi: { enabled: true } }).lakeformationApi.port).toBe(9182);
  });

  it('keeps the Lake Formation API listener on loopback, with no override', async () => {
    const error = await configError(() => parse({ listen: { allowNonLoopback: true }, lakeformationApi: { host: '0.0.0.0' } }));
    expect(problemAt(error, 'lakeformationApi.host').expected).toMatch(/^a loopback address .*there is no override\)$/);
    expect(parse({ lakeformationApi: { host: '::1' } }).lakeformationApi.host).toBe('::1');
  });

  it('requires dynamic.enabled for the Lake Formation API listener (its callers name any table)', async () => {
    const error = await configError(() => parse({ lakeformationApi: { enabled: true } }));
    expect(problemAt(error, 'dynamic.enabled').expected).toMatch(/^true when lakeformationApi.enabled is true/);
  });

  it('requires allowed tables when dynamic requests are enabled', async () => {
    const error = await configError(() => parse({ dynamic: { enabled: true } }));
    expect(problemAt(error, 'dynamic.allowedTables').expected).toMatch(/^at least one table ARN pattern when dynamic.enabled is true/);
    expect(() => parse({ dynamic: { enabled: true, allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'] } })).not.toThrow();
  });

  it('rejects s3Path on a partition profile (the partition API has no S3Path)', async () => {
    const error = await configError(() =>
      parse({ profiles: { p: { tableArn: ORDERS, partition: ['2024-01-01'], s3Path: 's3://demo-lake/sales/orders/' } } }),
    );
    expect(problemAt(error, 'profiles.p.s3Path')).toMatchObject({
      value: 's3://demo-lake/sales/orders/',
      expected: expect.stringContaining('GetTemporaryGluePartitionCredentials has no S3Path'),
    });
  });

  it('rejects two token sources at once', async () => {
    const error = await configError(() =>
      loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_AUTH_TOKEN: 'sixteen-chars-token-x', LFCS_AUTH_TOKEN_FILE: '/run/t' } }),
    );
    expect(problemAt(error, 'auth.tokenFile')).toMatchObject({ value: '/run/t', source: 'LFCS_AUTH_TOKEN_FILE' });
  });
});

describe('profile and field validation', () => {
  it('validates profile names, ARNs, partitions, permissions and durations', async () => {
    const error = await configError(() =>
      parse({
        profiles: {
          'bad name': { tableArn: ORDERS },
          orders: {
            tableArn: 'arn:aws:glue:us-east-1:1234:table/sales',
            partition: [],
            permissions: ['SELECT', 'SELEKT'],
            supportedPermissionTypes: ['COLUMN_PERMISSION', 'COLUMN_PERMISSION'],
            durationSeconds: 60,
            auditContext: '',
          },
          numbers: { tableArn: ORDERS, partition: [2024] },
        },
      }),
    );
    expect(problemAt(error, 'profiles["bad name"]')).toMatchObject({
      value: 'bad name',
      expected: expect.stringContaining('(it is a URL path segment)'),
    });
    expect(problemAt(error, 'profiles.orders.tableArn').expected).toBe(
      'a Glue table ARN: arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>',
    );
    expect(problemAt(error, 'profiles.orders.partition').expected).toBe('a non-empty list of partition values, in partition-key order');
    expect(problemAt(error, 'profiles.orders.permissions[1]')).toMatchObject({
      value: 'SELEKT',
      expected: expect.stringMatching(/^one of ALL, SELECT, ALTER, /),
    });
    // The API forbids neither duplicates nor an empty AuditContext (lakeformation/fields.ts): both are accepted.
    expect(error.problems.map((p) => p.path)).not.toContain('profiles.orders.supportedPermissionTypes');
    expect(error.problems.map((p) => p.path)).not.toContain('profiles.orders.auditContext');
    expect(problemAt(error, 'profiles.orders.durationSeconds').expected).toBe('an integer from 900 to 43200');
    expect(problemAt(error, 'profiles.numbers.partition[0]')).toMatchObject({
      value: 2024,
      expected: 'a partition value as a string (quote numbers in YAML)',
    });
    expect(error.problems).toHaveLength(6);
  });

  it('accepts profile names that are URL-safe, including dots', () => {
    const config = parse({ profiles: { 'orders.v2_x-1': { tableArn: ORDERS } } });
    expect(Object.keys(config.profiles)).toEqual(['orders.v2_x-1']);
  });

  it('renders a dotted profile name unambiguously in problem paths', async () => {
    const error = await configError(() => parse({ profiles: { 'orders.v2': { tableArn: 'nope' } } }));
    expect(error.problems[0]?.path).toBe('profiles["orders.v2"].tableArn');
  });

  it('accepts only http(s) endpoints without credentials', async () => {
    expect(parse({ upstream: { endpoint: 'https://lakeformation.us-east-1.amazonaws.com/prefix' } }).upstream.endpoint).toBe(
      'https://lakeformation.us-east-1.amazonaws.com/prefix',
    );
    for (const endpoint of ['ftp://x', 'not a url', 'http://h?x=1']) {
      const error = await configError(() => parse({ upstream: { endpoint } }));
      expect(problemAt(error, 'upstream.endpoint').expected).toMatch(/^an http:\/\/ or https:\/\/ URL/);
    }
  });

  it('rejects wrong types with the accepted values', async () => {
    const error = await configError(() => parse({ listen: 'everywhere', prewarm: { enabled: 'yes' }, upstream: { ratePerSecond: 0 } }));
    expect(problemAt(error, 'listen').expected).toBe('a mapping with the keys: host, port, allowNonLoopback');
    expect(problemAt(error, 'prewarm.enabled').expected).toBe('true or false');
    expect(problemAt(error, 'upstream.ratePerSecond').expected).toBe('a number above 0 and at most 1000000');
  });
});

describe('credentials listener host', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1'])('accepts loopback %s', (host) => {
    expect(parse({ listen: { host } }).listen.host).toBe(host);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1'])(
    'refuses %s without allowNonLoopback, naming the flag',
    async (host) => {
      const error = await configError(() => parse({ listen: { host } }));
      const problem = problemAt(error, 'listen.host');
      expect(problem.value).toBe(host);
      expect(problem.expected).toContain('listen.allowNonLoopback: true');
      expect(problem.expected).toContain('--unsafe-allow-non-loopback');
    },
  );

  it('accepts a non-loopback host when the CLI flag sets allowNonLoopback', async () => {
    const overrides: ConfigOverrides = { listen: { allowNonLoopback: true } };
    const config = await loadConfig({ env: { AWS_REGION: 'us-east-1', LFCS_LISTEN_HOST: '0.0.0.0' }, overrides });
    expect(config.listen).toMatchObject({ host: '0.0.0.0', allowNonLoopback: true });
  });

  it('rejects a bracketed IPv6 address', async () => {
    const error = await configError(() => parse({ listen: { host: '[::1]' } }));
    expect(problemAt(error, 'listen.host').expected).toBe('an IP address (IPv6 without brackets) or a host name');
  });
});

describe('requireAuthSource', () => {
  it('passes with a token or a token file', () => {
    expect(() => requireAuthSource(parse({ auth: { tokenFile: '/run/token' } }))).not.toThrow();
    expect(() => requireAuthSource(parse({ auth: { token: 'sixteen-chars-token-x' } }))).not.toThrow();
  });

  it('throws a ConfigError naming both ways to provide one', async () => {
    const config = parse({});
    const error = await configError(() => requireAuthSource(config));
    expect(error.code).toBe('InvalidConfiguration');
    expect(problemAt(error, 'auth.tokenFile').expected).toMatch(/LFCS_AUTH_TOKEN, or auth.tokenFile \/ LFCS_AUTH_TOKEN_FILE/);
  });
});
