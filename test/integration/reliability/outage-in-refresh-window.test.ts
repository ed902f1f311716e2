import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import type { Stack } from '../../support/stack.js';
import { outcomes, pump, pumpUntilSettled, startFakeClockStack, type EmulatorStats } from './support.js';

/**
 * A Lake Formation outage that starts in the refresh window of a 1-hour lease
 * (defaults: refresh from 30 min left, serve `hit` above 16 min, `stale`
 * above 60 s). Clients must keep getting the same valid credentials until
 * `hardMinimumSeconds`, then a retryable 503 with Retry-After, and must get
 * fresh credentials on their own next try once Lake Formation is back.
 * Time is a FakeClock; every credential and every failure is the emulator's.
 */
const clock = new FakeClock();
let stack: Stack;

beforeAll(async () => {
  stack = await startFakeClockStack(clock);
});
afterAll(async () => stack.close());

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: Record<string, string>;
}

async function getOrders(): Promise<Answer> {
  const res = await pumpUntilSettled(clock, stack.get('/v1/credentials/orders'));
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    contentType: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, string>,
  };
}

const secondsLeft = (answer: Answer) => (Date.parse(answer.body['Expiration']!) - clock.now()) / 1000;
const setFaults = (faults: Record<string, unknown>) =>
  fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(faults) });
const stats = () => stack.emulatorJson<EmulatorStats>('/_emulator/stats');

describe('emulator outage during the refresh window', () => {
  it('serves the old lease until hardMinimumSeconds, then 503 + Retry-After, then recovers by itself', async () => {
    const first = await getOrders();
    expect(first.status).toBe(200);
    const expiresAt = Date.parse(first.body['Expiration']!);
    const advanceTo = (secondsBeforeExpiry: number) => pump(clock, expiresAt - secondsBeforeExpiry * 1000 - clock.now(), 10_000);

    await setFaults({ outage: true });

    // 25 min left: the background refresh (due from 30 min - jitter) has run and failed.
    await advanceTo(25 * 60);
    const refreshFailures = outcomes(await stats())['outage'] ?? 0;
    expect(refreshFailures).toBeGreaterThan(0);
    const during = await getOrders();
    expect(during.status).toBe(200);
    expect(during.body['AccessKeyId']).toBe(first.body['AccessKeyId']);
    expect(secondsLeft(during)).toBeGreaterThan(15 * 60);

    // 10 min left, below minServeSeconds: still the old, still valid lease (stale beats an error).
    await advanceTo(10 * 60);
    const stale = await getOrders();
    expect(stale.status).toBe(200);
    expect(stale.body['AccessKeyId']).toBe(first.body['AccessKeyId']);
    expect(secondsLeft(stale)).toBeGreaterThan(60);

    // 2 min left: still served.
    await advanceTo(2 * 60);
    expect((await getOrders()).body['AccessKeyId']).toBe(first.body['AccessKeyId']);

    // 30 s left, below hardMinimumSeconds: a retryable error, never an almost-expired key.
    await advanceTo(30);
    const refused = await getOrders();
    expect(refused.status).toBe(503);
    expect(refused.contentType).toBe('application/json');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body['code']).toMatch(/^Upstream/);
    expect(JSON.stringify(refused.body)).not.toContain(first.body['SecretAccessKey']!);

    // Past expiry and still down: still 503, never the expired lease.
    await advanceTo(-60);
    const afterExpiry = await getOrders();
    expect(afterExpiry.status).toBe(503);
    expect(afterExpiry.body['AccessKeyId']).toBeUndefined();

    // Lake Formation is back: while the key still backs off, a request is refused at once
    // without a call; once the period ends (at most refreshRetryMaxDelayMs), the client's
    // own retry gets fresh, long-lived credentials.
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    const callsBefore = (await stats()).total;
    const held = await getOrders();
    expect(held.status).toBe(503);
    expect((await stats()).total).toBe(callsBefore);
    await pump(clock, 120_000, 10_000);
    const recovered = await getOrders();
    expect(recovered.status).toBe(200);
    expect(recovered.body['AccessKeyId']).not.toBe(first.body['AccessKeyId']);
    expect(secondsLeft(recovered)).toBeGreaterThan(50 * 60);
    expect(stack.logs()).not.toContain(recovered.body['SecretAccessKey']!);
  });

  it('during the outage, upstream calls are paced by the refresh backoff, not by client requests', async () => {
    // A fresh key: one good lease, then an outage through its whole serving window.
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
    const path = '/v1/credentials/orders-2024-01-01';
    const first = await pumpUntilSettled(clock, stack.get(path));
    expect(first.status).toBe(200);
    const expiresAt = Date.parse(((await first.json()) as { Expiration: string }).Expiration);
    await setFaults({ outage: true });
    await pump(clock, expiresAt - 10 * 60 * 1000 - clock.now(), 10_000);
    const before = (await stats()).total;
    // 200 client requests over 2 fake minutes below minServeSeconds.
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await pumpUntilSettled(clock, stack.get(path), { stepMs: 100 });
      statuses.push(res.status);
      await res.arrayBuffer();
      await clock.advance(600);
    }
    const calls = (await stats()).total - before;
    expect(statuses.every((s) => s === 200)).toBe(true);
    // Each client-driven fetch costs at most maxAttempts (3); the backoff after a failure
    // answers the requests that follow as `stale` without calling, so far fewer than 200 fetches.
    expect(calls).toBeLessThan(200);
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
  });
});
