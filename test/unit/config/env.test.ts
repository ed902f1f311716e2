import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, envToOverrides, loadConfig, parseConfig, readEnvironment, REDACTED } from '../../../src/config/index.js';
import { configError, problemAt } from './helpers.js';

describe('envToOverrides', () => {
  it('maps every LFCS_* variable onto its field', () => {
    const overrides = envToOverrides({
      LFCS_REGION: 'eu-west-1',
      LFCS_UPSTREAM_ENDPOINT: 'http://127.0.0.1:4599',
      LFCS_UPSTREAM_TIMEOUT_MS: '5000',
      LFCS_UPSTREAM_MAX_ATTEMPTS: '5',
      LFCS_UPSTREAM_MAX_CONCURRENCY: '8',
      LFCS_UPSTREAM_RATE_PER_SECOND: '2.5',
      LFCS_UPSTREAM_BURST: '7',
      LFCS_LISTEN_HOST: '127.0.0.2',
      LFCS_LISTEN_PORT: '8080',
      LFCS_ADMIN_HOST: '127.0.0.1',
      LFCS_ADMIN_PORT: '8081',
      LFCS_AUTH_TOKEN_FILE: '/run/token',
      LFCS_AUTH_TOKEN: 'a-token-of-sixteen-chars',
      LFCS_DYNAMIC_ENABLED: 'true',
      LFCS_DYNAMIC_ALLOWED_TABLES:
        'arn:aws:glue:us-east-1:123456789012:table/sales/*, arn:aws:glue:us-east-1:123456789012:table/hr/people,',
      LFCS_CACHE_MAX_ENTRIES: '100',
      LFCS_CACHE_REFRESH_BEFORE_EXPIRY_SECONDS: '2000',
      LFCS_CACHE_MIN_SERVE_SECONDS: '1000',
      LFCS_CACHE_HARD_MINIMUM_SECONDS: '30',
      LFCS_CACHE_IDLE_SECONDS: '600',
      LFCS_CACHE_NEGATIVE_TTL_SECONDS: '10',
      LFCS_CACHE_REFRESH_JITTER_SECONDS: '0',
      LFCS_PREWARM_ENABLED: '0',
      LFCS_SHUTDOWN_DRAIN_SECONDS: '3',
      LFCS_SHUTDOWN_GRACE_SECONDS: '9',
      LFCS_LOG_LEVEL: 'debug',
      LFCS_CONFIG: '/etc/lfcs.yaml',
      PATH: '/usr/bin',
    });
    expect(overrides).toEqual({
      region: 'eu-west-1',
      upstream: {
        endpoint: 'http://127.0.0.1:4599',
        timeoutMs: 5000,
        maxAttempts: 5,
        maxConcurrency: 8,
        ratePerSecond: 2.5,
        burst: 7,
      },
      listen: { host: '127.0.0.2', port: 8080 },
      admin: { host: '127.0.0.1', port: 8081 },
      auth: { tokenFile: '/run/token', token: 'a-token-of-sixteen-chars' },
      dynamic: {
        enabled: true,
        allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*', 'arn:aws:glue:us-east-1:123456789012:table/hr/people'],
      },
      cache: {
        maxEntries: 100,
        refreshBeforeExpirySeconds: 2000,
        minServeSeconds: 1000,
        hardMinimumSeconds: 30,
        idleSeconds: 600,
        negativeTtlSeconds: 10,
        refreshJitterSeconds: 0,
      },
      prewarm: { enabled: false },
      shutdown: { drainSeconds: 3, graceSeconds: 9 },
      log: { level: 'debug' },
    });
  });

  it('has a variable for every cache knob, named in SCREAMING_SNAKE', () => {
    const cacheVariables = ENV_VARIABLES.filter((variable) => variable.path[0] === 'cache').map((v) => v.name);
    expect(cacheVariables).toEqual([
      'LFCS_CACHE_MAX_ENTRIES',
      'LFCS_CACHE_REFRESH_BEFORE_EXPIRY_SECONDS',
      'LFCS_CACHE_MIN_SERVE_SECONDS',
      'LFCS_CACHE_HARD_MINIMUM_SECONDS',
      'LFCS_CACHE_REFRESH_JITTER_SECONDS',
      'LFCS_CACHE_IDLE_SECONDS',
      'LFCS_CACHE_NEGATIVE_TTL_SECONDS',
      'LFCS_CACHE_REFRESH_RETRY_BASE_DELAY_MS',
      'LFCS_CACHE_REFRESH_RETRY_MAX_DELAY_MS',
      'LFCS_CACHE_MISS_DEADLINE_MS',
      'LFCS_CACHE_RETRY_AFTER_SECONDS',
    ]);
  });

  it('has a variable for every field except the profiles mapping and the bindings list, rateLimit and defaults included', () => {
    const leaves: string[] = [];
    const walk = (value: unknown, path: string[]) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && path[0] !== 'profiles') {
        for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
      } else if (path[0] !== 'profiles') leaves.push(path.join('.'));
    };
    // Every field with a default, plus the optional ones.
    walk(parseConfig({ region: 'us-east-1' }), []);
    const covered = ENV_VARIABLES.map((variable) => variable.path.join('.'));
    // A list of mappings is set in the file only, like profiles.
    expect(leaves.filter((leaf) => !covered.includes(leaf))).toEqual(['agent.bindings']);
    for (const optional of ['upstream.endpoint', 'auth.tokenFile', 'auth.token', 'agent.nodeName', 'agent.issuer']) {
      expect(covered).toContain(optional);
    }
    expect(covered).toContain('rateLimit.requestsPerSecond');
    expect(envToOverrides({ LFCS_RATE_LIMIT_BURST: '50' })).toEqual({ rateLimit: { burst: 50 } });
  });

  it('treats an empty value as unset (compose and Helm render unset variables as VAR=)', () => {
    expect(envToOverrides({ LFCS_LISTEN_PORT: '', LFCS_AUTH_TOKEN: '' })).toEqual({});
  });

  it.each([
    ['LFCS_LISTEN_PORT', 'abc'],
    ['LFCS_LISTEN_PORT', '12abc'],
    ['LFCS_LISTEN_PORT', '0x10'],
    ['LFCS_LISTEN_PORT', '1e3'],
    ['LFCS_LISTEN_PORT', '80.5'],
    ['LFCS_UPSTREAM_RATE_PER_SECOND', 'fast'],
    ['LFCS_UPSTREAM_RATE_PER_SECOND', '1e2'],
    ['LFCS_DYNAMIC_ENABLED', 'yes'],
    ['LFCS_PREWARM_ENABLED', 'on'],
  ])('rejects %s=%s, naming the variable', async (name, text) => {
    const error = await configError(() => envToOverrides({ [name]: text }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ value: text, source: name });
    expect(error.message).toContain(`got ${JSON.stringify(text)} (from ${name}); expected`);
  });

  it('says what a number variable accepts', async () => {
    const error = await configError(() => envToOverrides({ LFCS_LISTEN_PORT: 'abc' }));
    expect(problemAt(error, 'listen.port').expected).toBe('an integer from 0 to 65535 (0 picks a free port), written in decimal digits');
    const boolError = await configError(() => envToOverrides({ LFCS_DYNAMIC_ENABLED: 'yes' }));
    expect(problemAt(boolError, 'dynamic.enabled').expected).toBe('true or false (1 or 0 also accepted)');
  });

  it('accepts booleans as true/false in any case, or 1/0', () => {
    expect(envToOverrides({ LFCS_DYNAMIC_ENABLED: 'TRUE', LFCS_PREWARM_ENABLED: 'False' })).toEqual({
      dynamic: { enabled: true },
      prewarm: { enabled: false },
    });
    expect(envToOverrides({ LFCS_DYNAMIC_ENABLED: '1' })).toEqual({ dynamic: { enabled: true } });
  });

  it('reports unknown LFCS_* variables with the likely intended name, without echoing the value', async () => {
    const error = await configError(() => envToOverrides({ LFCS_LISTEN_PROT: '9180', LFCS_CONFIG: 'x.yaml' }));
    expect(error.problems).toHaveLength(1);
    const problem = problemAt(error, 'LFCS_LISTEN_PROT');
    expect(problem.value).toBe(REDACTED);
    expect(problem.expected).toMatch(
      /^no such variable \(did you mean LFCS_LISTEN_PORT\?\); the known LFCS_\* variables are LFCS_CONFIG, LFCS_REGION, /,
    );
  });

  it('collects every problem instead of stopping at the first', () => {
    const layer = readEnvironment({ LFCS_LISTEN_PORT: 'abc', LFCS_ADMIN_PORT: 'def', LFCS_NOPE: '1', LFCS_REGION: 'us-east-1' });
    expect(layer.problems.map((problem) => problem.path)).toEqual(['listen.port', 'admin.port', 'LFCS_NOPE']);
    expect(layer.overrides).toEqual({ region: 'us-east-1' });
    expect(layer.origins.get('region')).toBe('LFCS_REGION');
  });

  it('leaves range checks to the schema, which names the variable too', async () => {
    const error = await configError(() => loadConfig({ env: { LFCS_REGION: 'us-east-1', LFCS_LISTEN_PORT: '70000' } }));
    expect(problemAt(error, 'listen.port')).toMatchObject({ value: 70000, source: 'LFCS_LISTEN_PORT' });
  });
});
