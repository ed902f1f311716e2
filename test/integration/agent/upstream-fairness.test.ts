/**
 * Agent mode: several pods, each spending its whole budget of distinct new
 * requests at once, together queue more Lake Formation calls than the node's
 * quota starts in seconds (`upstream.ratePerSecond`). The queue takes the
 * pods in turns, so another pod's first fetch waits a few calls' time (one
 * per busy pod), not behind every call they queued. Time is a fake clock:
 * the quiet pod's wait is counted in simulated upstream slots (100 ms each
 * at the default 10 calls/s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NODE, PODS, startAgentStack, type AgentStack } from '../../support/agent.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { FakeClock } from '../../support/fake-clock.mjs';

let stack: AgentStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const noisyPod = (name: string) => ({ namespace: 'spark', serviceAccount: 'executor', pod: name, node: NODE });
const withQuery = (queryId: string) =>
  `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=${queryId}&queryStartTime=2026-01-01T00:00:00Z`;
const realTime = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const NOISY_PODS = 3;
/** Each noisy pod's budget of new requests, all spent at once: 60 calls against the node's burst of 20. */
const NEW_REQUESTS_BURST = 20;
const SLOT_MS = 100;

describe("Lake Formation's quota shared between pods", () => {
  it("answers a quiet pod's first fetch within a few upstream slots while busy pods spend their whole budget", async () => {
    const clock = new FakeClock(Date.now());
    stack = await startAgentStack({ sidecar: { clock }, config: { agent: { podNewRequestsBurst: NEW_REQUESTS_BURST } } });
    const noisy = await Promise.all(Array.from({ length: NOISY_PODS }, (_, i) => stack!.issuer.mint(noisyPod(`busy-${i}`))));
    const quiet = await stack.issuer.mint(PODS.reader);
    // Every token verified first (the profile's lease fetched once), so only the flood is measured.
    for (const token of [...noisy, quiet]) expect((await stack.as(token, '/v1/credentials/orders')).status).toBe(200);

    const flood = noisy.flatMap((token, p) =>
      Array.from({ length: NEW_REQUESTS_BURST }, (_, i) => stack!.as(token, withQuery(`busy-${p}-${i}`)).then((r) => r.status)),
    );
    // Let the flood reach lfcs, its first calls start and the rest queue, before the quiet pod asks.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    await realTime(300);

    let answered: number | undefined;
    const first = stack.as(quiet, withQuery('quiet-1')).then((r) => (answered = r.status));
    let waitedMs = 0;
    // One upstream slot of simulated time at a time, each given real time for the emulator's round trip.
    await realTime(100);
    while (answered === undefined && waitedMs < 6000) {
      await clock.advance(SLOT_MS);
      waitedMs += SLOT_MS;
      for (let i = 0; i < 10 && answered === undefined; i++) await realTime(20);
    }
    await first;
    // One turn for each busy pod ahead of it, and its own (first come, first served it waited 4,200 ms: 42 slots).
    expect(answered).toBe(200);
    expect(waitedMs).toBeLessThanOrEqual((NOISY_PODS + 1) * SLOT_MS);

    // The flood is answered too (40 calls queued at 10/s: within the 5 s miss deadline), in the pods' turns.
    while ((await Promise.race([Promise.all(flood), realTime(20).then(() => undefined)])) === undefined) await clock.advance(SLOT_MS);
    const statuses = await Promise.all(flood);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 60_000);
});
