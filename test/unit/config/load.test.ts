import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { configError, problemAt, yamlFile } from './helpers.js';

describe('loadConfig sources and precedence', () => {
  it('layers file < LFCS_* environment < overrides', async () => {
    const file = await yamlFile(
      [
        'region: us-east-1',
        'listen: { port: 1000 }',
        'log: { level: debug }',
        'cache: { maxEntries: 5 }',
        'upstream: { timeoutMs: 1000, endpoint: "http://file:1" }',
      ].join('\n'),
    );
    const config = await loadConfig({
      file,
      env: { LFCS_LISTEN_PORT: '2000', LFCS_LOG_LEVEL: 'warn', LFCS_UPSTREAM_ENDPOINT: 'http://127.0.0.1:4599' },
      overrides: { listen: { port: 3000 } },
    });
    expect(config.listen.port).toBe(3000); // override beats env and file
    expect(config.log.level).toBe('warn'); // env beats file
    expect(config.upstream.endpoint).toBe('http://127.0.0.1:4599');
    expect(config.upstream.timeoutMs).toBe(1000); // file beats default; siblings are merged, not replaced
    expect(config.cache.maxEntries).toBe(5);
    expect(config.cache.minServeSeconds).toBe(960);
  });

  it('ignores undefined override values, so unset CLI flags can be passed as they are', async () => {
    const config = await loadConfig({
      env: { LFCS_REGION: 'eu-west-1', LFCS_LISTEN_PORT: '2000' },
      overrides: { region: undefined, listen: { port: undefined, host: undefined } },
    });
    expect(config.region).toBe('eu-west-1');
    expect(config.listen.port).toBe(2000);
  });

  it('replaces lists instead of merging them', async () => {
    const file = await yamlFile('region: us-east-1\ndefaults: { permissions: [SELECT, DESCRIBE] }\n');
    const config = await loadConfig({ file, overrides: { defaults: { permissions: ['ALL'] } } });
    expect(config.defaults.permissions).toEqual(['ALL']);
  });

  it('reads the file named by LFCS_CONFIG when no file is given, and prefers an explicit file', async () => {
    const fromEnv = await yamlFile('region: eu-west-1\n');
    const explicit = await yamlFile('region: ap-south-1\n');
    expect((await loadConfig({ env: { LFCS_CONFIG: fromEnv } })).region).toBe('eu-west-1');
    expect((await loadConfig({ file: explicit, env: { LFCS_CONFIG: fromEnv } })).region).toBe('ap-south-1');
  });

  it('works without any file', async () => {
    const config = await loadConfig({ env: { AWS_REGION: 'us-west-2' } });
    expect(config.region).toBe('us-west-2');
  });

  it('falls back to AWS_REGION, then AWS_DEFAULT_REGION, only when no layer sets region', async () => {
    expect((await loadConfig({ env: { AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'eu-west-1' } })).region).toBe('us-west-2');
    expect((await loadConfig({ env: { AWS_DEFAULT_REGION: 'eu-west-1' } })).region).toBe('eu-west-1');
    const file = await yamlFile('region: ap-south-1\n');
    expect((await loadConfig({ file, env: { AWS_REGION: 'us-west-2' } })).region).toBe('ap-south-1');
    expect((await loadConfig({ file, env: { LFCS_REGION: 'eu-north-1', AWS_REGION: 'us-west-2' } })).region).toBe('eu-north-1');
    const error = await configError(() => loadConfig({ env: { AWS_REGION: 'bogus' } }));
    expect(problemAt(error, 'region')).toMatchObject({ value: 'bogus', source: 'AWS_REGION' });
  });

  it('does not read process.env', async () => {
    process.env.LFCS_LISTEN_PORT = 'not-a-number';
    try {
      const config = await loadConfig({ env: { AWS_REGION: 'us-east-1' } });
      expect(config.listen.port).toBe(9180);
    } finally {
      delete process.env.LFCS_LISTEN_PORT;
    }
  });

  it('returns a frozen configuration', async () => {
    const config = await loadConfig({ env: { LFCS_REGION: 'us-east-1' }, overrides: { listen: { port: 0 } } });
    expect(Object.isFrozen(config.listen)).toBe(true);
  });
});

describe('loadConfig problems', () => {
  it('names both mistakes of a file with two: field, value given and accepted values', async () => {
    const file = await yamlFile('region: us-east-1\ncache:\n  minServeSeconds: -5\nlisten:\n  port: 70000\n');
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems).toHaveLength(2);
    expect(problemAt(error, 'cache.minServeSeconds')).toEqual({
      path: 'cache.minServeSeconds',
      value: -5,
      expected:
        'an integer from 1 to 43200 above cache.hardMinimumSeconds (60) and below ' +
        'cache.refreshBeforeExpirySeconds (1800) minus cache.refreshJitterSeconds (120)',
    });
    expect(problemAt(error, 'listen.port')).toEqual({
      path: 'listen.port',
      value: 70000,
      expected: 'an integer from 0 to 65535 (0 picks a free port)',
    });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`Invalid configuration (${file}): 2 problems`);
    expect(lines).toContain(
      '  - cache.minServeSeconds: got -5; expected an integer from 1 to 43200 above cache.hardMinimumSeconds (60) ' +
        'and below cache.refreshBeforeExpirySeconds (1800) minus cache.refreshJitterSeconds (120)',
    );
    expect(lines).toContain('  - listen.port: got 70000; expected an integer from 0 to 65535 (0 picks a free port)');
  });

  it('reports unknown keys at every level with the accepted keys and a likely correction', async () => {
    const file = await yamlFile(
      [
        'region: us-east-1',
        'cahce: { maxEntries: 5 }',
        'listen: { prot: 1 }',
        'profiles:',
        '  orders: { tableArn: "arn:aws:glue:us-east-1:123456789012:table/sales/orders", partitions: ["x"] }',
      ].join('\n'),
    );
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems.map((problem) => problem.path).sort()).toEqual(['cahce', 'listen.prot', 'profiles.orders.partitions']);
    const top = problemAt(error, 'cahce');
    expect(top.value).toEqual({ maxEntries: 5 });
    expect(top.expected).toBe(
      'no such key (did you mean "cache"?); the keys accepted at the top level are region, mode, upstream, listen, ' +
        'admin, lakeformationApi, iceberg, auth, agent, rateLimit, defaults, profiles, dynamic, cache, prewarm, shutdown, log',
    );
    expect(problemAt(error, 'listen.prot').expected).toBe(
      'no such key (did you mean "port"?); the keys accepted in listen are host, port, allowNonLoopback',
    );
    expect(problemAt(error, 'profiles.orders.partitions').expected).toMatch(
      /did you mean "partition"\?.*tableArn, locations, credentialsScope, partition,/,
    );
  });

  it('keeps a "__proto__" key an ordinary unknown key', async () => {
    const file = await yamlFile('region: us-east-1\n__proto__: { polluted: true }\n');
    const error = await configError(() => loadConfig({ file }));
    expect(problemAt(error, '__proto__').expected).toMatch(/^no such key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports values from the environment and overrides with their source', async () => {
    const error = await configError(() =>
      loadConfig({
        env: { LFCS_REGION: 'us-east-1', LFCS_CACHE_MIN_SERVE_SECONDS: '5000' },
        overrides: { admin: { port: 99999 } },
      }),
    );
    expect(problemAt(error, 'cache.minServeSeconds')).toMatchObject({
      value: 5000,
      source: 'LFCS_CACHE_MIN_SERVE_SECONDS',
    });
    expect(problemAt(error, 'admin.port')).toMatchObject({ value: 99999, source: 'command-line flags' });
    expect(error.message).toContain('cache.minServeSeconds: got 5000 (from LFCS_CACHE_MIN_SERVE_SECONDS); expected');
    expect(error.message).toContain('admin.port: got 99999 (from command-line flags); expected');
  });

  it('reports file, environment, schema and cross-field problems together in one error', async () => {
    const file = await yamlFile('region: us-east-1\nlisten: { host: 0.0.0.0 }\nlog: { level: loud }\n');
    const error = await configError(() => loadConfig({ file, env: { LFCS_LISTEN_PORT: 'abc', LFCS_LISTN_HOST: 'x' } }));
    expect(error.problems.map((problem) => problem.path).sort()).toEqual(['LFCS_LISTN_HOST', 'listen.host', 'listen.port', 'log.level']);
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('reports a YAML syntax error with its line, without quoting the file', async () => {
    const file = await yamlFile('region: us-east-1\nlisten:\n  port: [1\n');
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems[0]).toMatchObject({ path: 'config file', value: file });
    expect(error.problems[0]?.expected).toMatch(/^valid YAML \(line \d+, column \d+: /);
  });

  it('reports duplicate keys in the file', async () => {
    const file = await yamlFile('region: us-east-1\nregion: eu-west-1\n');
    const error = await configError(() => loadConfig({ file }));
    expect(error.problems[0]?.expected).toMatch(/line 2, column 1: Map keys must be unique/);
  });

  it('reports a missing file', async () => {
    const error = await configError(() => loadConfig({ file: '/nonexistent/lfcs.yaml', env: { AWS_REGION: 'us-east-1' } }));
    expect(error.problems).toEqual([
      {
        path: 'config file',
        value: '/nonexistent/lfcs.yaml',
        expected: 'a readable YAML file (reading it failed: ENOENT)',
      },
    ]);
  });

  it('reports a file that is not a mapping', async () => {
    const file = await yamlFile('- region: us-east-1\n');
    const error = await configError(() => loadConfig({ file, env: { AWS_REGION: 'us-east-1' } }));
    expect(problemAt(error, 'config file').expected).toMatch(/^a YAML mapping/);
  });

  it('accepts an empty file', async () => {
    const file = await yamlFile('# nothing yet\n');
    expect((await loadConfig({ file, env: { AWS_REGION: 'us-east-1' } })).listen.port).toBe(9180);
  });
});
