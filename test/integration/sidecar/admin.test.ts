import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN, startStack, type Stack, type VendedRecord } from '../../support/stack.js';

/**
 * The admin listener of a running sidecar: probes, the cache listing and its
 * refusals. It never serves credentials and never shows key material.
 */
const stacks: Stack[] = [];
afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.close();
});

async function newStack(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const stack = await startStack(options);
  stacks.push(stack);
  return stack;
}

async function adminGet(stack: Stack, path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(stack.sidecar.adminUrl + path, init);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: await res.json() };
}

describe('/healthz', () => {
  it('answers 200 JSON while the process runs, whatever the readiness', async () => {
    const stack = await newStack({ config: { prewarm: { enabled: true }, profiles: { payments: { tableArn: PAYMENTS_ARN } } } });
    const { status, body } = await adminGet(stack, '/healthz');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });
});

describe('/readyz', () => {
  it('answers 200 once every profile is prewarmed', async () => {
    const stack = await newStack({ config: { prewarm: { enabled: true } } });
    await stack.sidecar.prewarmed();
    const { status, body } = await adminGet(stack, '/readyz');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', ready: true, reasons: [] });
    expect(body.profiles).toEqual({
      orders: { state: 'ready' },
      'orders-2024-01-01': { state: 'ready' },
      customers: { state: 'ready' },
    });
  });

  it('answers 503 naming each profile that cannot be prewarmed, with its error code', async () => {
    const stack = await newStack({
      config: {
        prewarm: { enabled: true },
        profiles: {
          // The sidecar may only DESCRIBE payments: SELECT is AccessDenied.
          payments: { tableArn: PAYMENTS_ARN, permissions: ['SELECT'] },
          ghost: { tableArn: `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/ghost` },
        },
      },
    });
    await vi.waitFor(
      () => {
        const profiles = stack.sidecar.readiness().profiles;
        expect(profiles['payments']?.state).toBe('failed');
        expect(profiles['ghost']?.state).toBe('failed');
        expect(profiles['orders']?.state).toBe('ready');
      },
      { timeout: 10_000, interval: 20 },
    );
    const { status, headers, body } = await adminGet(stack, '/readyz');
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBeNull(); // a probe answer, not an error answer
    expect(body.status).toBe('not ready');
    expect(body.ready).toBe(false);
    expect(body.reasons).toHaveLength(1);
    expect(body.reasons[0]).toMatch(/^profiles not prewarmed: /);
    expect(body.reasons[0]).toContain('payments');
    expect(body.reasons[0]).toContain('ghost');
    expect(body.reasons[0]).not.toContain('orders');
    expect(body.profiles.payments).toMatchObject({ state: 'failed', error: { code: 'AccessDeniedException' } });
    expect(body.profiles.ghost).toMatchObject({ state: 'failed', error: { code: 'EntityNotFoundException' } });
    expect(body.profiles.orders).toEqual({ state: 'ready' });
  });

  it('answers 503 as soon as shutdown starts, while credentials are still served during the drain', async () => {
    const clock = new FakeClock(Date.now());
    const stack = await newStack({
      config: { prewarm: { enabled: true }, shutdown: { drainSeconds: 5 } },
      sidecar: { clock },
    });
    await stack.sidecar.prewarmed();
    expect((await adminGet(stack, '/readyz')).status).toBe(200);

    let stopped = false;
    const shutdown = stack.sidecar.shutdown().then(() => (stopped = true));
    const { status, body } = await adminGet(stack, '/readyz');
    expect(status).toBe(503);
    expect(body.reasons).toEqual(['shutting down']);
    // Draining: the app container may still fetch credentials.
    const during = await stack.get('/v1/credentials/orders');
    expect(during.status).toBe(200);
    await during.arrayBuffer();
    expect(stopped).toBe(false);

    await clock.advance(5000);
    await shutdown;
    await expect(fetch(`${stack.sidecar.adminUrl}/readyz`)).rejects.toThrow();
  });
});

describe('GET /v1/cache (credentials listener, with the token)', () => {
  it('lists each entry with its profile, table, permissions, query id, time left, hits and last refresh, and no key material', async () => {
    const clock = new FakeClock(Date.now());
    const stack = await newStack({ config: { cache: { refreshJitterSeconds: 0 } }, sidecar: { clock } });
    const served: Array<Record<string, string>> = [];
    const fetchJson = async (res: Response) => {
      expect(res.status).toBe(200);
      served.push((await res.json()) as Record<string, string>);
    };
    await fetchJson(await stack.get('/v1/credentials/orders'));
    await fetchJson(await stack.get('/v1/credentials/orders'));
    await fetchJson(
      await stack.get(`/v1/credentials?table=${encodeURIComponent(CUSTOMERS_ARN)}&permissions=SELECT,DESCRIBE&queryId=q-admin-1`),
    );
    // Into the refresh window: both entries are renewed in the background.
    await clock.advance(1900 * 1000);
    await vi.waitFor(() => expect(stack.sidecar.cache.entries().every((e) => e.lastRefreshOutcome === 'success')).toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
    await fetchJson(await stack.get('/v1/credentials/orders')); // the renewed lease

    // Not on the unauthenticated admin listener, nor without the token.
    expect((await fetch(`${stack.sidecar.adminUrl}/v1/cache`)).status).toBe(404);
    expect((await fetch(`${stack.sidecar.credentialsUrl}/v1/cache`)).status).toBe(401);
    const res = await stack.get('/v1/cache');
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { count: number; entries: Array<Record<string, unknown>> };
    expect(body.count).toBe(2);
    const orders = body.entries.find((e) => e['label'] === 'orders');
    const dynamic = body.entries.find((e) => e['tableArn'] === CUSTOMERS_ARN);
    expect(orders).toMatchObject({
      label: 'orders',
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ORDERS_ARN,
      permissions: ['SELECT'],
      hits: 2,
      lastRefreshOutcome: 'success',
    });
    expect(orders!['queryId']).toBeUndefined();
    expect(dynamic).toMatchObject({ permissions: ['DESCRIBE', 'SELECT'], queryId: 'q-admin-1', hits: 0 });
    expect(dynamic!['label']).toBeUndefined();
    for (const entry of [orders!, dynamic!]) {
      expect(typeof entry['remainingSeconds']).toBe('number');
      expect(entry['remainingSeconds']).toBeGreaterThan(0);
      expect(entry['remainingSeconds']).toBeLessThan(3600);
      // Renewed at the moment the fake clock reached the refresh window.
      expect(Date.parse(entry['lastRefreshAt'] as string)).toBe(clock.now());
    }

    // No key material: not the served values, nor any credentials the emulator ever minted.
    const minted = await stack.emulatorJson<VendedRecord[] | { vended: VendedRecord[] }>('/_emulator/vended');
    const mintedKeys = (Array.isArray(minted) ? minted : minted.vended).map((v) => v.accessKeyId);
    expect(mintedKeys.length).toBe(4);
    expect(served).toHaveLength(4);
    const secrets = [...mintedKeys, ...served.flatMap((c) => [c['AccessKeyId']!, c['SecretAccessKey']!, c['Token']!]), stack.token];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(text.includes(secret), `the listing contains ${secret.slice(0, 8)}...`).toBe(false);
    }
    expect(text).not.toMatch(/secret|sessionToken|"token"|accessKeyId/i);
  });
});

describe('refusals', () => {
  it('answers 404 JSON for an unknown route and 405 JSON with Allow for a wrong method', async () => {
    const stack = await newStack();
    const unknown = await adminGet(stack, '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'RouteNotFound', Code: 'RouteNotFound' });

    const post = await adminGet(stack, '/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.body).toMatchObject({ code: 'MethodNotAllowed', Code: 'MethodNotAllowed' });
  });

  it('never serves credentials, even with the right token', async () => {
    const stack = await newStack();
    const auth = { Authorization: stack.token };
    const attempts = [
      await adminGet(stack, '/v1/credentials/orders', { headers: auth }),
      await adminGet(stack, `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}`, { headers: auth }),
      await adminGet(stack, '/v1/table-credentials', {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ TableArn: ORDERS_ARN }),
      }),
    ];
    for (const { status, body } of attempts) {
      expect(status).toBe(404);
      expect(body.code).toBe('RouteNotFound');
      expect(body).not.toHaveProperty('AccessKeyId');
      expect(body).not.toHaveProperty('SecretAccessKey');
    }
    // Nothing reached Lake Formation.
    expect((await stack.emulatorJson<{ total: number }>('/_emulator/stats')).total).toBe(0);
  });
});
