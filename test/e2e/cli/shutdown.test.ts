import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { serveLfcs, type ServedLfcs } from '../../support/spawn-lfcs.js';
import { startTestEmulator } from '../../support/emulator.js';

/**
 * Graceful shutdown, tested on a real `lfcs serve` process (as pino tests its
 * signal handling): readiness turns 503 at once, requests keep being served
 * during the drain period, and the process exits 0.
 */
let emulator: RunningEmulator;
let lfcs: ServedLfcs | undefined;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await lfcs?.close();
  await emulator.close();
});

describe('SIGTERM', () => {
  it('drains in-flight and new requests, turns unready at once, and exits 0', async () => {
    lfcs = await serveLfcs({
      upstream: { endpoint: emulator.url },
      profiles: { orders: { tableArn: ORDERS_ARN } },
      shutdown: { drainSeconds: 1, graceSeconds: 10 },
    });
    const credentialsUrl = lfcs.listening['credentials'] as string;
    const adminUrl = lfcs.listening['admin'] as string;
    await lfcs.waitForLog((l) => l['msg'] === 'profile prewarmed');
    const token = lfcs.token();
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);

    const fetchCredentials = () =>
      fetch(`${credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: token } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    // Load in flight at the moment of the signal.
    const inFlight = Array.from({ length: 200 }, fetchCredentials);
    process.kill(lfcs.child.pid!, 'SIGTERM');
    await lfcs.waitForLog((l) => l['msg'] === 'shutting down');
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(503);
    // The app container may still fetch while it stops: served during the drain.
    const duringDrain = await Promise.all(Array.from({ length: 50 }, fetchCredentials));
    const statuses = [...(await Promise.all(inFlight)), ...duringDrain];
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await lfcs.exited).toBe(0);
    expect(lfcs.stdout()).not.toContain(token);
  });
});

describe('start-up warnings', () => {
  it('serve logs every configuration warning, the cross-region profile included', async () => {
    const serve = await serveLfcs({
      upstream: { endpoint: emulator.url },
      prewarm: { enabled: false },
      profiles: { eu: { tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders' } },
      shutdown: { drainSeconds: 0, graceSeconds: 5 },
    });
    try {
      // Logged before `lfcs listening`, which serveLfcs waited for.
      const warning = await serve.waitForLog((l) => l['level'] === 'warn');
      expect(warning['msg']).toMatch(/profiles\.eu\.tableArn is in region eu-west-1, but region is us-east-1/);
      process.kill(serve.child.pid!, 'SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      await serve.close();
    }
  });
});
