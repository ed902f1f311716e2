import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { createLakeFormationVending, type LakeFormationVending } from '../../../src/upstream/lakeformation-client.js';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * Lake Formation answers slowly (latency fault). Only requests that need a
 * new lease wait for it; cached keys are served as before.
 */
let stack: Stack;
let vending: LakeFormationVending | undefined;
/** Upstream calls started: the real client, counted as each call leaves the sidecar. */
let callsStarted = 0;
beforeAll(async () => {
  stack = await startStack({
    sidecar: {
      vend: (request, signal) => {
        callsStarted++;
        vending ??= createLakeFormationVending({
          region: 'us-east-1',
          endpoint: stack.emulator.url,
          credentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
        });
        return vending.vend(request, signal);
      },
    },
  });
});
afterAll(async () => {
  await stack.close();
  vending?.destroy();
});

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
    // Wait until the miss's upstream call has started (bounded polling, no timing claim).
    await expect.poll(() => callsStarted, { timeout: 5000 }).toBe(2);

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
