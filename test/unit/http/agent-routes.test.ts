import { inject } from '../../support/http-inject.js';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { agentAuth } from '../../../src/identity/caller-auth.js';
import { createCredentialsApp } from '../../../src/http/credentials-app.js';
import { Bindings } from '../../../src/identity/bindings.js';
import type { PodIdentity } from '../../../src/identity/service-account-verifier.js';
import { FAKE_LEASE, fakeCredentialsDeps } from '../../support/app-fakes.js';
import { FakeClock } from '../../support/fake-clock.mjs';

/** What a binding that names no limits of its own is held to (`defaults.*`). */
const BINDING_DEFAULTS = {
  permissions: ['SELECT'],
  supportedPermissionTypes: ['COLUMN_PERMISSION'],
  credentialsScope: 'READ',
  durationSeconds: 3600,
} as const;

/**
 * The credentials listener in agent mode, in-process (a fresh lease cached
 * for the profile), with a stand-in verifier (tokens "known:<sa>" are
 * verified moments ago, "new:<sa>" need verifying) and real bindings.
 */
const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';
const HR = 'arn:aws:glue:us-east-1:123456789012:table/hr/people';

const identity = (serviceAccount: string): PodIdentity => ({
  namespace: 'spark',
  serviceAccount,
  pod: `${serviceAccount}-1`,
  podUid: serviceAccount,
  node: 'node-a',
});

function listener() {
  const auth = agentAuth({
    verifier: {
      known: (header) => (header?.startsWith('known:') ? identity(header.slice(6)) : undefined),
      verify: async (header) => {
        if (header?.startsWith('new:') || header?.startsWith('known:')) return identity(header.split(':')[1]!);
        throw new LfcsError('Unauthorized', 'the token signature does not verify');
      },
    },
    bindings: new Bindings(
      [
        {
          namespace: 'spark',
          serviceAccount: 'executor',
          profiles: ['orders'],
          tables: ['arn:aws:glue:us-east-1:123456789012:table/sales/*'],
          locations: [],
        },
        { namespace: 'spark', serviceAccount: 'other', profiles: [], tables: [], locations: [] },
        { namespace: 'spark', serviceAccount: 'driver', profiles: ['orders'], tables: [], locations: [] },
      ],
      BINDING_DEFAULTS,
    ),
    host: '169.254.170.2',

    metrics: createMetrics({ version: 'test', defaultMetrics: false }),
    clock: new FakeClock(),
    podRequestsPerSecond: 1,
    podBurst: 3,
    logger: pino({ level: 'silent' }),
  });
  const fake = fakeCredentialsDeps({
    profiles: { orders: { operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS } },
    allowed: () => true,
    auth,
  });
  fake.fresh = { lease: FAKE_LEASE };
  const app = createCredentialsApp(fake.deps);
  const get = (url: string, authorization: string | undefined, host = '169.254.170.2') =>
    inject(app, { method: 'GET', url, headers: { host, ...(authorization !== undefined && { authorization }) } });
  const getFast = (url: string, authorization: string) =>
    inject(app, { method: 'GET', url, headers: { host: '169.254.170.2:80', authorization } });
  return { fake, get, getFast };
}

describe('credentials listener in agent mode', () => {
  it('serves a bound profile from the cached lease to a known or verified token, and refuses an unbound one before the cache', async () => {
    const l = listener();
    expect((await l.getFast('/v1/credentials/orders', 'known:executor')).statusCode).toBe(200);
    expect(l.fake.freshHits).toBe(1);
    expect((await l.getFast('/v1/credentials/orders', 'new:executor')).statusCode).toBe(200);
    expect(l.fake.freshHits).toBe(2);
    // Known, but not bound to the profile: 403, the cache is not touched.
    const refused = await l.getFast('/v1/credentials/orders', 'known:other');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'NoBinding' });
    expect(l.fake.freshHits).toBe(2);
  });

  it('serves a bound profile through the app to a token it verifies', async () => {
    const l = listener();
    expect((await l.get('/v1/credentials/orders', 'new:executor')).statusCode).toBe(200);
  });

  it('refuses an unbound profile with 403, never touching the cache', async () => {
    const l = listener();
    for (const token of ['known:other', 'new:other']) {
      const res = await l.get('/v1/credentials/orders', token);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'NoBinding' });
    }
    expect(l.fake.requests).toEqual([]);
  });

  it('answers an unbound pod 403 for a profile that does not exist too, so it cannot list profile names', async () => {
    const l = listener();
    expect((await l.get('/v1/credentials/no-such-profile', 'new:other')).json()).toMatchObject({ code: 'NoBinding' });
    expect((await l.get('/v1/credentials/orders', 'new:other')).json()).toMatchObject({ code: 'NoBinding' });
  });

  it('checks dynamic tables against the binding, not a node-wide list', async () => {
    const l = listener();
    expect((await l.get(`/v1/credentials?table=${encodeURIComponent(ORDERS)}`, 'new:executor')).statusCode).toBe(200);
    const refused = await l.get(`/v1/credentials?table=${encodeURIComponent(HR)}`, 'new:executor');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'NoBinding' });
  });

  it('answers 401 JSON to a token that does not verify, and 403 to a foreign Host', async () => {
    const l = listener();
    const bad = await l.get('/v1/credentials/orders', 'forged');
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['content-type']).toBe('application/json');
    expect((await l.get('/v1/credentials/orders', 'known:executor', 'evil.example')).json()).toMatchObject({ code: 'ForbiddenHost' });
    expect((await l.get('/v1/credentials/orders', 'known:executor')).statusCode).toBe(200);
  });

  it('answers 429 to a pod over its own budget on both paths, while another pod is served', async () => {
    const l = listener();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await l.getFast('/v1/credentials/orders', 'known:executor')).statusCode);
    // Three from the pod's burst; the fourth is over it.
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = await l.get('/v1/credentials/orders', 'known:executor');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'RateLimited', message: expect.stringContaining('this pod') });
    expect(refused.headers['retry-after']).toBe('1');
    expect((await l.get('/v1/credentials/orders', 'new:driver')).statusCode).toBe(200);
  });

  it('does not list the cache to a pod', async () => {
    const res = await listener().get('/v1/cache', 'known:executor');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'RouteNotFound', message: expect.stringContaining('agent mode') });
  });
});
