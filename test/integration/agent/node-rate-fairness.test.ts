/**
 * Agent mode: the node-wide rate limit (`rateLimit.*`) is shared fairly. A
 * dozen runaway pods, each within its own budget but together over the
 * node's, must not make a quiet pod on the same node get 429: each caller's
 * share of the listener's bucket is bounded while it is contended. Time is a
 * fake clock, so the rates are exact and nothing sleeps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { NODE, startAgentStack, type AgentStack } from '../../support/agent.js';
import { FakeClock } from '../../support/fake-clock.mjs';

let stack: AgentStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const pod = (name: string) => ({ namespace: 'spark', serviceAccount: 'executor', pod: name, node: NODE });

/** Sum of `lfcs_rate_limited_total` series by `limit`. */
async function rateLimited(s: AgentStack): Promise<Record<string, number>> {
  const text = await (await fetch(`${s.sidecar.adminUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^lfcs_rate_limited_total\{limit="([^"]+)"\} (\d+)/gm)) out[match[1]!] = Number(match[2]);
  return out;
}

describe('node-wide rate limit in agent mode', () => {
  it("keeps a quiet pod's requests answered while 12 runaway pods exceed the node's limit together (defaults)", async () => {
    const clock = new FakeClock(Date.now());
    stack = await startAgentStack({ sidecar: { clock } });
    const noisy = await Promise.all(Array.from({ length: 12 }, (_, i) => stack!.issuer.mint(pod(`runaway-${i}`))));
    const quiet = await stack.issuer.mint(pod('quiet-1'));
    // Each token verified once (and the lease fetched), so every later request is admitted or refused without waiting.
    for (const token of [...noisy, quiet]) expect((await stack.as(token, '/v1/credentials/orders')).status).toBe(200);

    const stepMs = 100;
    // Each runaway pod asks 200/s (twice its own 100/s budget), so together they pass 1200/s against the node's 1000/s.
    const perStep = 20;
    let quietAsked = 0;
    let quiet429 = 0;
    for (let step = 0; step < 30; step++) {
      await clock.advance(stepMs);
      const order: (string | undefined)[] = [];
      for (let i = 0; i < perStep; i++) for (const token of noisy) order.push(token);
      // The quiet pod's request lands somewhere different in each burst.
      order.splice((step * 37) % order.length, 0, undefined);
      const statuses = await Promise.all(order.map(async (token) => (await stack!.as(token ?? quiet, '/v1/credentials/orders')).status));
      const quietStatus = statuses[order.indexOf(undefined)]!;
      quietAsked++;
      if (quietStatus === 429) quiet429++;
      else expect(quietStatus).toBe(200);
    }
    expect({ quietAsked, quiet429 }).toEqual({ quietAsked: 30, quiet429: 0 });
    // The runaway pods were throttled, and the refusals are counted by which limit refused them.
    const limited = await rateLimited(stack);
    expect((limited['pod'] ?? 0) + (limited['fair_share'] ?? 0)).toBeGreaterThan(0);
  }, 60_000);
});
