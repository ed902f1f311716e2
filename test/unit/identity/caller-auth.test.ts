import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { agentAuth, tokenAuth } from '../../../src/identity/caller-auth.js';
import { createTokenSource } from '../../../src/identity/token-source.js';
import { Bindings } from '../../../src/identity/bindings.js';
import type { PodIdentity } from '../../../src/identity/service-account-verifier.js';
import { createLogger } from '../../../src/observability/logger.js';
import { FakeClock } from '../../support/fake-clock.mjs';

/** What a binding that names no limits of its own is held to (`defaults.*`). */
const BINDING_DEFAULTS = {
  permissions: ['SELECT'],
  supportedPermissionTypes: ['COLUMN_PERMISSION'],
  credentialsScope: 'READ',
  durationSeconds: 3600,
} as const;

const IDENTITY: PodIdentity = { namespace: 'spark', serviceAccount: 'executor', pod: 'exec-1', podUid: 'u1', node: 'node-a' };

function agent(host = '169.254.170.2', podBurst = 200) {
  const clock = new FakeClock();
  const lines: string[] = [];
  const metrics = createMetrics({ version: 'test', defaultMetrics: false });
  const destination = new PassThrough();
  destination.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const auth = agentAuth({
    verifier: {
      known: (header) => (header === 'good' ? IDENTITY : undefined),
      verify: async (header) => {
        if (header === 'good' || header === 'slow-good') return IDENTITY;
        throw new LfcsError('Unauthorized', 'the token signature does not verify');
      },
    },
    bindings: new Bindings(
      [{ namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [], locations: [] }],
      BINDING_DEFAULTS,
    ),
    host,

    metrics,
    clock,
    podRequestsPerSecond: 1,
    podBurst,
    logger: createLogger({ level: 'info', destination }),
  });
  return { auth, lines, metrics, clock };
}

describe('agentAuth', () => {
  it('knows a verified token without waiting, and verifies the rest', async () => {
    const { auth } = agent();
    expect(auth.known('good')).toEqual({ kind: 'pod', identity: IDENTITY });
    expect(auth.known('slow-good')).toBeUndefined();
    await expect(auth.authenticate('slow-good')).resolves.toEqual({ kind: 'pod', identity: IDENTITY });
    await expect(auth.authenticate('bad')).rejects.toMatchObject({ code: 'Unauthorized' });
  });

  it('counts token checks by outcome', async () => {
    const { auth, metrics } = agent();
    auth.known('good');
    auth.known('unknown');
    await auth.authenticate('slow-good');
    await auth.authenticate('bad').catch(() => undefined);
    const text = await metrics.registry.metrics();
    expect(text).toContain('lfcs_agent_token_checks_total{outcome="remembered"} 1');
    expect(text).toContain('lfcs_agent_token_checks_total{outcome="verified"} 1');
    expect(text).toContain('lfcs_agent_token_checks_total{outcome="refused"} 1');
    expect(text).toContain('lfcs_agent_token_checks_total{outcome="issuer_unavailable"} 0');
  });

  it('authorizes by binding', () => {
    const { auth } = agent();
    const caller = { kind: 'pod', identity: IDENTITY } as const;
    expect(auth.authorize(caller, { profile: 'orders' })).toBeUndefined();
    expect(auth.authorize(caller, { profile: 'hr' })?.code).toBe('NoBinding');
  });

  it.each([
    ['169.254.170.2', true],
    ['169.254.170.2:80', true],
    ['169.254.170.2:8080', true],
    ['127.0.0.1:80', true],
    ['169.254.170.23', false],
    ['169.254.170.2.evil.example', false],
    ['169.254.170.2:80x', false],
    ['evil.example', false],
    [undefined, false],
  ])('accepts Host %s: %s', (host, accepted) => {
    expect(agent().auth.hostAllowed(host)).toBe(accepted);
  });

  it('accepts the bracketed Host of an IPv6 agent address', () => {
    const { auth } = agent('fd00:ec2::23');
    expect(auth.hostAllowed('[fd00:ec2::23]')).toBe(true);
    expect(auth.hostAllowed('[fd00:ec2::23]:80')).toBe(true);
    expect(auth.hostAllowed('fd00:ec2::23')).toBe(false);
  });

  it('writes one served audit line per pod, target and lease', () => {
    const { auth, lines } = agent();
    const caller = { kind: 'pod', identity: IDENTITY } as const;
    const expiration = Date.UTC(2026, 11, 2, 1, 0, 0);
    auth.served(caller, { profile: 'orders' }, expiration);
    auth.served(caller, { profile: 'orders' }, expiration);
    auth.served(caller, { profile: 'orders' }, expiration + 3_600_000);
    auth.served({ kind: 'pod', identity: { ...IDENTITY, pod: 'exec-2', podUid: 'u2' } }, { profile: 'orders' }, expiration);
    const served = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['audit'] === 'served');
    expect(served.map((line) => [line['pod'], line['expiration']])).toEqual([
      ['exec-1', '2026-12-02T01:00:00.000Z'],
      ['exec-1', '2026-12-02T02:00:00.000Z'],
      ['exec-2', '2026-12-02T01:00:00.000Z'],
    ]);
    expect(served[0]).toMatchObject({ namespace: 'spark', serviceAccount: 'executor', profile: 'orders' });
  });

  it("gives each pod its own request budget, so one pod's burst does not spend another's", async () => {
    const { auth, clock } = agent('169.254.170.2', 2);
    const one = { kind: 'pod', identity: IDENTITY } as const;
    const two = { kind: 'pod', identity: { ...IDENTITY, pod: 'exec-2', podUid: 'u2' } } as const;
    expect([auth.admit(one), auth.admit(one), auth.admit(one)]).toEqual([true, true, false]);
    expect([auth.admit(two), auth.admit(two)]).toEqual([true, true]);
    await clock.advance(1000);
    expect(auth.admit(one)).toBe(true);
  });

  it('does not list the cache', () => {
    expect(agent().auth.listsCache).toBe(false);
  });
});

describe('tokenAuth', () => {
  it('accepts the token holder for everything, on loopback Host only', async () => {
    const auth = tokenAuth(createTokenSource({ kind: 'value', token: 'a-token-of-sixteen-chars' }));
    expect(auth.known('a-token-of-sixteen-chars')).toEqual({ kind: 'token' });
    expect(auth.known('wrong')).toBeUndefined();
    await expect(auth.authenticate(undefined)).rejects.toMatchObject({ code: 'Unauthorized', message: expect.stringContaining('missing') });
    expect(auth.authorize({ kind: 'token' }, { profile: 'anything' })).toBeUndefined();
    expect(auth.hostAllowed('127.0.0.1:9180')).toBe(true);
    expect(auth.hostAllowed('169.254.170.2')).toBe(false);
    expect(auth.listsCache).toBe(true);
  });
});
