import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_ARN, type Stack } from '../../support/stack.js';
import { pump, pumpUntilSettled, startFakeClockStack, type EmulatorStats } from './support.js';

/**
 * Profiles have their own cache budget (dynamic keys never evict them), and
 * /readyz turns 503 when a profile loses its lease (here: an outage past its
 * expiry), and 200 again once it is renewed.
 */
const clock = new FakeClock();
let stack: Stack;
beforeAll(async () => {
  stack = await startFakeClockStack(clock, { config: { prewarm: { enabled: true }, cache: { maxEntries: 2 } } });
  await pumpUntilSettled(clock, stack.sidecar.prewarmed());
});
afterAll(async () => stack?.close());

const stats = () => stack.emulatorJson<EmulatorStats>('/_emulator/stats');
const readyz = async () => {
  const res = await fetch(`${stack.sidecar.adminUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as { reasons: string[] } };
};

describe('profile budget and readiness', () => {
  it('never evicts a profile for dynamic keys, however many pass through the LRU', async () => {
    for (let n = 0; n < 20; n++) {
      const res = await pumpUntilSettled(clock, stack.get(`/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=q-${n}`));
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const before = (await stats()).total;
    for (const name of ['orders', 'orders-2024-01-01', 'customers']) {
      const res = await stack.get(`/v1/credentials/${name}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect((await stats()).total).toBe(before); // all three were hits
    expect((await readyz()).status).toBe(200);
  });

  it('reports not ready while a profile has no valid lease, and ready again once it is renewed', async () => {
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ outage: true }) });
    await pump(clock, 3700 * 1000, 10_000); // past every profile lease's expiry
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.reasons.join('; ')).toContain('profiles without a valid lease: orders');

    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    // The prewarm watch started a new prewarm of the lost profiles at their expiry; it succeeds within a backoff period.
    await pump(clock, 130 * 1000, 1000);
    await expect.poll(async () => (await readyz()).status, { timeout: 5000, interval: 50 }).toBe(200);
  });
});
