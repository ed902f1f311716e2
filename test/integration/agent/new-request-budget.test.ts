/**
 * Agent mode: one pod asking for many distinct requests (a new query id each
 * time, for its own table, well within its request budget) must not fill the
 * node's one Lake Formation queue, so another pod's first fetch is not held
 * behind it. Each pod has a budget of distinct new requests per second,
 * checked at admission before any Lake Formation call. Time is a fake clock:
 * the quiet pod's wait is counted in simulated milliseconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PODS, startAgentStack, type AgentStack } from '../../support/agent.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { FakeClock } from '../../support/fake-clock.mjs';

let stack: AgentStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const withQuery = (queryId: string) =>
  `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=${queryId}&queryStartTime=2026-01-01T00:00:00Z`;

describe('distinct new requests per pod', () => {
  it("a pod flooding distinct query ids does not delay another pod's first fetch", async () => {
    const clock = new FakeClock(Date.now());
    stack = await startAgentStack({ sidecar: { clock } });
    const noisy = await stack.issuer.mint(PODS.executor);
    const quiet = await stack.issuer.mint(PODS.reader);
    // Both tokens verified first, so only the flood is measured.
    expect((await stack.as(noisy, '/v1/credentials/orders')).status).toBe(200);
    expect((await stack.as(quiet, '/v1/credentials/orders')).status).toBe(200);

    // 60 distinct requests: well within the pod's 100/s, but 60 Lake Formation calls against the node's 10/s (burst 20).
    const flood = Array.from({ length: 60 }, (_, i) => stack!.as(noisy, withQuery(`noisy-${i}`)).then((r) => r.status));
    // Let the flood reach lfcs before the quiet pod asks.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 200));

    let answered: number | undefined;
    const first = stack.as(quiet, withQuery('quiet-1')).then((r) => (answered = r.status));
    let waitedMs = 0;
    // An answer that needs no Lake Formation queue comes without the clock moving (given a few real seconds for the
    // emulator's round trip); one held in the queue needs simulated time: up to the miss deadline (5 s), in 100 ms steps.
    for (let i = 0; i < 150 && answered === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    while (answered === undefined && waitedMs < 6000) {
      await clock.advance(100);
      waitedMs += 100;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await first;
    expect({ status: answered, waitedMs }).toEqual({ status: 200, waitedMs: 0 });

    // Let the flood finish; the requests past the pod's budget of new requests were refused with 429.
    while ((await Promise.race([Promise.all(flood), new Promise((resolve) => setTimeout(() => resolve(undefined), 20))])) === undefined) {
      await clock.advance(100);
    }
    const statuses = await Promise.all(flood);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  }, 60_000);
});
