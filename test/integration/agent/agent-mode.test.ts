/**
 * Agent mode end to end in one process: the real SDK client against the
 * emulator, tokens minted by a loopback issuer and verified with its JWKS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NODE, OWN_TOKEN, PODS, startAgentStack, type AgentStack } from '../../support/agent.js';
import { ORDERS_ARN, PAYMENTS_ARN } from '../../support/demo.js';
import { until } from '../../support/settle.js';
import { renderStatus } from '../../../src/cli/status.js';

let stack: AgentStack;

beforeAll(async () => {
  stack = await startAgentStack();
});
afterAll(() => stack?.close());
beforeEach(async () => {
  await fetch(`${stack.emulator.url}/_emulator/reset`, { method: 'POST' });
});

const tableCalls = async () => {
  const stats = await stack.emulatorJson<{ calls: Record<string, Record<string, number>> }>('/_emulator/stats');
  return Object.values(stats.calls['GetTemporaryGlueTableCredentials'] ?? {}).reduce((sum, n) => sum + n, 0);
};

async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/json');
  return { status: response.status, ...((await response.json()) as { code: string; message: string }) };
}

const dynamicOrders = `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}`;

describe('agent mode', () => {
  it('serves three pods with different service-account tokens one lease, for one Lake Formation call', async () => {
    const tokens = await Promise.all([PODS.executor, PODS.driver, PODS.reader].map((pod) => stack.issuer.mint(pod)));
    const answers = await Promise.all(tokens.map((token) => stack.as(token, dynamicOrders)));
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, ...((await r.json()) as { AccessKeyId: string }) })));
    expect(bodies.map((b) => b.status)).toEqual([200, 200, 200]);
    expect(new Set(bodies.map((b) => b.AccessKeyId)).size).toBe(1);
    expect(bodies[0]!.AccessKeyId).toMatch(/^ASIA/);
    expect(await tableCalls()).toBe(1);
  });

  it('serves a bound profile, from the fast path once the token is known', async () => {
    const token = await stack.issuer.mint(PODS.reader);
    const first = await stack.as(token, '/v1/credentials/orders');
    expect(first.status).toBe(200);
    const second = await stack.as(token, '/v1/credentials/orders');
    expect(((await second.json()) as { AccessKeyId: string }).AccessKeyId).toBe(
      ((await first.json()) as { AccessKeyId: string }).AccessKeyId,
    );
  });

  it('refuses a pod whose binding does not allow the table, naming the binding', async () => {
    const token = await stack.issuer.mint(PODS.reader);
    const error = await errorOf(await stack.as(token, `/v1/credentials?table=${encodeURIComponent(PAYMENTS_ARN)}`));
    expect(error).toMatchObject({ status: 403, code: 'NoBinding' });
    expect(error.message).toContain('namespace "analytics" service account "reader"');
    expect(error.message).toContain('tables');
  });

  it.each([
    ['more permissions', '&permissions=SELECT,ALTER', 'permission(s) ALTER'],
    ['a policy kind it does not enforce', '&supportedPermissionTypes=COLUMN_PERMISSION,CELL_FILTER_PERMISSION', 'CELL_FILTER_PERMISSION'],
    ['a 12-hour lease', '&durationSeconds=43200', 'durationSeconds up to 3600'],
  ])('refuses a bound table asked for with %s, before calling Lake Formation', async (_name, extra, message) => {
    const before = await tableCalls();
    const error = await errorOf(await stack.as(await stack.issuer.mint(PODS.executor), `${dynamicOrders}${extra}`));
    expect(error).toMatchObject({ status: 403, code: 'NoBinding' });
    expect(error.message).toContain(message);
    expect(await tableCalls()).toBe(before);
  });

  it('refuses a profile the binding does not list', async () => {
    const token = await stack.issuer.mint(PODS.limited);
    const error = await errorOf(await stack.as(token, '/v1/credentials/orders'));
    expect(error).toMatchObject({ status: 403, code: 'NoBinding' });
    expect(error.message).toContain('does not list profile "orders"');
  });

  it('refuses a namespace without a binding', async () => {
    const token = await stack.issuer.mint(PODS.unbound);
    const error = await errorOf(await stack.as(token, '/v1/credentials/orders'));
    expect(error).toMatchObject({ status: 403, code: 'NoBinding' });
    expect(error.message).toContain('namespace "sandbox" service account "default" has no entry in agent.bindings');
  });

  it('refuses a token bound to a pod on another node, naming that pod in the audit line', async () => {
    const error = await errorOf(await stack.as(await stack.issuer.mint(PODS.elsewhere), '/v1/credentials/orders'));
    expect(error).toMatchObject({ status: 403, code: 'NodeMismatch' });
    expect(error.message).toContain(NODE);
    const line = stack
      .logs()
      .split('\n')
      .find((l) => l.includes('"audit":"denied"') && l.includes('"code":"NodeMismatch"'));
    expect(line && JSON.parse(line)).toMatchObject({ namespace: 'spark', serviceAccount: 'executor', pod: 'job-1-exec-9' });
  });

  it.each([
    ['an expired token', () => stack.issuer.mint(PODS.executor, { expiresIn: -60 }), 'expired'],
    ['a token not valid yet', () => stack.issuer.mint(PODS.executor, { notBefore: 120 }), 'not valid yet'],
    ['a wrong audience', () => stack.issuer.mint(PODS.executor, { audience: 'sts.amazonaws.com' }), 'audience'],
    ['a wrong issuer', () => stack.issuer.mint(PODS.executor, { issuer: 'https://evil.example' }), 'issuer'],
    ['alg: none', async () => stack.issuer.unsigned(PODS.executor), 'algorithm'],
    ['an HMAC token keyed with the public key', async () => stack.issuer.hmacWithPublicKey(PODS.executor), 'algorithm'],
    ['a token without node claims', () => stack.issuer.mint(PODS.executor, { kubernetes: { node: undefined } }), 'names no node'],
    ['a token not bound to a pod', () => stack.issuer.mint(PODS.executor, { kubernetes: { pod: undefined } }), 'not bound to a pod'],
    [
      'a token whose sub names another service account',
      () => stack.issuer.mint(PODS.executor, { claims: { sub: 'system:serviceaccount:spark:driver' } }),
      'subject (sub)',
    ],
    ['a token without exp', () => stack.issuer.mint(PODS.executor, { claims: { exp: undefined } }), 'exp'],
    ['no token', async () => undefined, 'missing'],
    ['a shared sidecar-style token', async () => 'x'.repeat(43), 'not a JWT'],
  ])('answers %s with 401, leaking nothing, and keeps serving', async (_name, make, reason) => {
    const token = await make();
    const response = await stack.as(token, '/v1/credentials/orders');
    const text = await response.clone().text();
    const error = await errorOf(response);
    expect(error).toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(error.message).toContain(reason);
    if (token) {
      for (const part of token.split('.').filter((p) => p.length > 8)) expect(text).not.toContain(part);
      expect(stack.logs()).not.toContain(token);
    }
    const good = await stack.as(await stack.issuer.mint(PODS.executor), '/v1/credentials/orders');
    expect(good.status).toBe(200);
  });

  it('refuses a token signed by a key the issuer does not publish, then picks up a rotation', async () => {
    const hidden = await stack.issuer.addKey({ published: false });
    const forged = await stack.issuer.mint(PODS.executor, { kid: hidden });
    const refused = await errorOf(await stack.as(forged, '/v1/credentials/orders'));
    expect(refused).toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(refused.message).toContain('does not publish');

    // The issuer rotates: a new key is published and the old one dropped.
    const oldKid = stack.issuer.jwks().keys[0]!.kid!;
    const fetchesBefore = stack.issuer.jwksFetches;
    const rotated = await stack.issuer.addKey({ alg: 'ES256' });
    stack.issuer.unpublish(oldKid);
    const fresh = await stack.issuer.mint(PODS.executor, { kid: rotated });
    expect((await stack.as(fresh, '/v1/credentials/orders')).status).toBe(200);
    expect(stack.issuer.jwksFetches).toBe(fetchesBefore + 1);
  });

  it("sends lfcs's own token to the issuer's origin for discovery and keys", () => {
    expect(stack.issuer.authorizations.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stack.issuer.authorizations)).toEqual(new Set([`Bearer ${OWN_TOKEN}`]));
  });

  it('does not list the cache to pods, and lfcs status says why', async () => {
    const token = await stack.issuer.mint(PODS.executor);
    const error = await errorOf(await stack.as(token, '/v1/cache'));
    expect(error).toMatchObject({ status: 404, code: 'RouteNotFound' });
    await expect(renderStatus({ credentialsUrl: stack.sidecar.credentialsUrl, adminUrl: stack.sidecar.adminUrl, token })).rejects.toThrow(
      /answered HTTP 404: the cache listing is not served in agent mode/,
    );
  });

  it('writes one served audit line per pod and lease, naming namespace, service account and pod', async () => {
    const token = await stack.issuer.mint(PODS.driver);
    for (let i = 0; i < 3; i++) expect((await stack.as(token, '/v1/credentials/orders')).status).toBe(200);
    const lines = stack
      .logs()
      .split('\n')
      .filter((line) => line.includes('"audit":"served"') && line.includes('"pod":"job-1-driver"') && line.includes('"profile":"orders"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ namespace: 'spark', serviceAccount: 'driver', pod: 'job-1-driver' });
  });

  it('names the refused pod in the denied audit line', async () => {
    await stack.as(await stack.issuer.mint(PODS.limited), '/v1/credentials/orders');
    const line = stack
      .logs()
      .split('\n')
      .find((l) => l.includes('"audit":"denied"') && l.includes('"pod":"limited-1"'));
    expect(line && JSON.parse(line)).toMatchObject({ code: 'NoBinding', namespace: 'analytics', serviceAccount: 'limited' });
  });

  it("spends a pod's own budget once per request, also when the node-wide limit refuses it", async () => {
    const tight = await startAgentStack({
      config: { rateLimit: { requestsPerSecond: 0.001, burst: 2 }, agent: { podRequestsPerSecond: 0.001, podBurst: 3 } },
    });
    try {
      const token = await tight.issuer.mint(PODS.executor);
      // Full path (token not known yet), then the fast path: each takes one of both budgets.
      expect((await tight.as(token, '/v1/credentials/orders')).status).toBe(200);
      expect((await tight.as(token, '/v1/credentials/orders')).status).toBe(200);
      // The pod still has budget (3 - 2 = 1); the node has none: refused by the node-wide limit.
      const third = await errorOf(await tight.as(token, '/v1/credentials/orders'));
      expect(third).toMatchObject({ status: 429, message: 'too many requests; slow down' });
      // That spent the pod's last request, once: the next is refused by its own limit.
      const fourth = await errorOf(await tight.as(token, '/v1/credentials/orders'));
      expect(fourth).toMatchObject({ status: 429, message: expect.stringContaining('from this pod') });
      // Another pod has its own budget, but not the node's.
      const other = await errorOf(await tight.as(await tight.issuer.mint(PODS.driver), '/v1/credentials/orders'));
      expect(other).toMatchObject({ status: 429, message: 'too many requests; slow down' });
    } finally {
      await tight.close();
    }
  });

  it('is ready once the issuer keys were read', () => {
    expect(stack.sidecar.readiness()).toMatchObject({ ready: true, reasons: [] });
  });

  it('is not ready, and answers 503, while the issuer cannot be read', async () => {
    const down = await startAgentStack({ issuerFailing: true });
    try {
      await until(() => down.logs().includes('cannot verify service-account tokens'));
      expect(down.sidecar.readiness().reasons).toEqual([
        expect.stringContaining('service-account token issuer not read yet: OIDC discovery'),
      ]);
      const error = await errorOf(await down.as(await down.issuer.mint(PODS.executor), '/v1/credentials/orders'));
      expect(error).toMatchObject({ status: 503, code: 'IssuerUnavailable' });
    } finally {
      await down.close();
    }
  });

  it('never logs a token or a secret', () => {
    const logs = stack.logs();
    expect(logs).not.toContain(OWN_TOKEN);
    expect(logs).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(logs).not.toMatch(/"(secretAccessKey|SecretAccessKey|sessionToken|SessionToken)":"[^"]/);
  });
});
