import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/index.js';
import { LfcsError } from '../../../src/core/errors.js';
import { configError, problemAt } from './helpers.js';

describe('parseConfig defaults', () => {
  it('fills every field from a region alone', () => {
    expect(parseConfig({ region: 'us-east-1' })).toEqual({
      region: 'us-east-1',
      mode: 'sidecar',
      upstream: {
        timeoutMs: 3000,
        maxAttempts: 3,
        retryBaseDelayMs: 100,
        retryMaxDelayMs: 1000,
        maxConcurrency: 4,
        ratePerSecond: 10,
        burst: 20,
        maxQueuedCalls: 1000,
        throttlePauseMs: 1000,
      },
      listen: { host: '127.0.0.1', port: 9180, allowNonLoopback: false },
      admin: { host: '0.0.0.0', port: 9181, maxConnections: 32 },
      lakeformationApi: { enabled: false, host: '127.0.0.1', port: 9182 },
      iceberg: {
        enabled: false,
        host: '127.0.0.1',
        port: 9183,
        catalogs: [],
        delegation: 'vended-credentials',
        timeoutMs: 5000,
        maxUpstreamResponseBytes: 67_108_864,
      },
      auth: {},
      agent: {
        host: '169.254.170.2',
        port: 80,
        audience: 'lfcs',
        issuerUrl: 'https://kubernetes.default.svc',
        discoveryTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        verifiedTokenSeconds: 60,
        jwksCacheSeconds: 600,
        jwksCooldownSeconds: 30,
        keyStoreFile: '/var/lib/lfcs/issuer-keys.json',
        keyStoreMaxAgeSeconds: 86_400,
        podRequestsPerSecond: 100,
        podBurst: 200,
        podNewRequestsPerSecond: 2,
        podNewRequestsBurst: 10,
        bindings: [],
      },
      rateLimit: { requestsPerSecond: 1000, burst: 500, refusedPerSecond: 20, refusedBurst: 50, deniedLogLinesPerSecond: 10 },
      defaults: {
        durationSeconds: 3600,
        permissions: ['SELECT'],
        supportedPermissionTypes: ['COLUMN_PERMISSION'],
        credentialsScope: 'READ',
      },
      profiles: {},
      dynamic: { enabled: false, allowedTables: [], allowedLocations: [] },
      cache: {
        maxEntries: 10_000,
        refreshBeforeExpirySeconds: 1800,
        minServeSeconds: 960,
        hardMinimumSeconds: 60,
        idleSeconds: 3600,
        negativeTtlSeconds: 30,
        refreshJitterSeconds: 120,
        refreshRetryBaseDelayMs: 10_000,
        refreshRetryMaxDelayMs: 120_000,
        missDeadlineMs: 5000,
        retryAfterSeconds: 1,
      },
      prewarm: { enabled: true, retryBaseDelayMs: 500, retryMaxDelayMs: 30_000 },
      shutdown: { drainSeconds: 5, graceSeconds: 20 },
      log: { level: 'info' },
    });
  });

  it('treats YAML nulls (a section with every line commented out) as "use the defaults"', () => {
    const config = parseConfig({ region: 'us-east-1', upstream: null, cache: { maxEntries: null } });
    expect(config.upstream.timeoutMs).toBe(3000);
    expect(config.cache.maxEntries).toBe(10_000);
  });

  it('requires a region', async () => {
    const error = await configError(() => parseConfig({}));
    expect(problemAt(error, 'region')).toMatchObject({ value: undefined, expected: expect.stringContaining('us-east-1') });
    expect(error.message).toContain('region: missing; expected an AWS region name such as us-east-1');
  });

  it('throws a ConfigError that is an LfcsError with code InvalidConfiguration', async () => {
    const error = await configError(() => parseConfig({ region: 'nowhere' }, 'test.yaml'));
    expect(error).toBeInstanceOf(LfcsError);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('InvalidConfiguration');
    expect(error.message.split('\n')).toEqual([
      'Invalid configuration (test.yaml): 1 problem',
      '  - region: got "nowhere"; expected an AWS region name such as us-east-1',
    ]);
  });

  it('returns a deep-frozen configuration', () => {
    const config = parseConfig({
      region: 'us-east-1',
      profiles: { orders: { tableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/orders', partition: ['x'] } },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cache)).toBe(true);
    expect(Object.isFrozen(config.defaults.permissions)).toBe(true);
    expect(Object.isFrozen(config.profiles.orders?.partition)).toBe(true);
    expect(() => {
      (config.cache as { maxEntries: number }).maxEntries = 1;
    }).toThrow(TypeError);
    expect(() => (config.defaults.permissions as string[]).push('ALL')).toThrow(TypeError);
  });

  it('does not share default arrays between configurations', () => {
    const first = parseConfig({ region: 'us-east-1' });
    const second = parseConfig({ region: 'us-east-1' });
    expect(first.defaults.permissions).not.toBe(second.defaults.permissions);
  });
});
