import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, startStack, type Stack } from '../../support/stack.js';

/**
 * A client that disconnects while its credentials are fetched takes its
 * queued Lake Formation call with it: the listener passes the request's close
 * to the cache as an AbortSignal.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { upstream: { maxConcurrency: 1 } } });
});
afterAll(async () => stack?.close());

const tablePath = (name: string) => `/v1/credentials?table=${encodeURIComponent(`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/${name}`)}`;
const setFaults = (faults: Record<string, unknown>) =>
  fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
const stats = () => stack.emulatorJson<{ total: number }>('/_emulator/stats');

describe('client disconnect', () => {
  it('drops the queued fetch of a client that hung up before it reached Lake Formation', async () => {
    await setFaults({ latencyMs: 1000 });
    const before = (await stats()).total;
    const load = () => stack.sidecar.upstream.load;
    const first = stack.get(tablePath('orders')); // holds the only upstream slot for 1 s
    await expect.poll(() => load().active, { timeout: 5000, interval: 10 }).toBe(1);
    const controller = new AbortController();
    const gone = stack.get(tablePath('customers'), { signal: controller.signal }).catch((e: unknown) => e);
    await expect.poll(() => load().queued, { timeout: 5000, interval: 10 }).toBe(1);
    controller.abort();
    // Dropped from the queue as soon as the sidecar sees the connection close.
    await expect.poll(() => load().queued, { timeout: 5000, interval: 10 }).toBe(0);
    expect(load().active).toBe(1);
    expect(await gone).toBeInstanceOf(Error);
    expect((await first).status).toBe(200);
    await setFaults({ latencyMs: 0 });
    // Had the customers fetch stayed queued it would have gone next, before this one.
    expect((await stack.get(`${tablePath('orders')}&queryId=q-after`)).status).toBe(200);
    expect((await stats()).total).toBe(before + 2);
  });
});
