import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { realTick } from './support.js';

/**
 * Lake Formation answers slowly (latency fault). Only requests that need a
 * new lease wait for it; cached keys are served as before.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => stack.close());

describe('slow upstream', () => {
  it('serves a hit while a miss for another key is still waiting on Lake Formation', async () => {
    const primed = await stack.get('/v1/credentials/orders');
    expect(primed.status).toBe(200);
    const cached = (await primed.json()) as { AccessKeyId: string };

    await fetch(`${stack.emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ latencyMs: 2000 }),
    });
    let missSettled = false;
    const miss = stack
      .get('/v1/credentials/customers')
      .then((res) => res.arrayBuffer())
      .catch(() => undefined)
      .finally(() => (missSettled = true));
    // Wait until the miss's call has reached the emulator (bounded polling, no timing claim).
    for (let i = 0; i < 100; i++) {
      const requests = await stack.emulatorJson<unknown[]>('/_emulator/requests');
      if (requests.length >= 2) break;
      await realTick(10);
    }

    const hits = await Promise.all(Array.from({ length: 20 }, () => stack.get('/v1/credentials/orders')));
    for (const hit of hits) {
      expect(hit.status).toBe(200);
      expect(((await hit.json()) as { AccessKeyId: string }).AccessKeyId).toBe(cached.AccessKeyId);
    }
    expect(missSettled).toBe(false);

    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    stack.sidecar.cache.close(); // aborts the pending call instead of draining it
    await miss;
  });
});
