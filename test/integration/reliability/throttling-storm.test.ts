import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { SECOND, makeCache, tableRequest, throttling } from '../../unit/cache/support.js';
import { ORDERS_ARN, startStack, type Stack } from '../../support/stack.js';
import { outcomes, realTick, type EmulatorStats } from './support.js';

/**
 * Lake Formation answers "Rate exceeded" to everything while clients ask for
 * many distinct keys at once. The upstream limiter must hold the call rate to
 * `ratePerSecond · t + burst` (retries included), whatever the client load.
 */
describe('throttling storm against the emulator', () => {
  const ratePerSecond = 20;
  const burst = 5;
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      config: {
        upstream: { ratePerSecond, burst, maxConcurrency: 4 },
        rateLimit: { requestsPerSecond: 100_000, burst: 100_000 },
      },
    });
  });
  afterAll(async () => stack.close());

  it('keeps emulator calls within ratePerSecond · elapsed + burst', async () => {
    await fetch(`${stack.emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttleNext: 1_000_000 }),
    });
    const started = performance.now();
    // 150 distinct keys (one query id each), all at once: 150 fetches × 3 attempts wanted.
    const clients = Array.from({ length: 150 }, (_, i) =>
      stack
        .get(`/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=storm-${i}`)
        .then(async (res) => ({ status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() }))
        .catch(() => undefined),
    );
    // Let the storm reach the emulator: wait for its first calls (bounded), then a little longer.
    let stats = await stack.emulatorJson<EmulatorStats>('/_emulator/stats');
    for (let i = 0; i < 200 && stats.total === 0; i++) {
      await realTick(50);
      stats = await stack.emulatorJson<EmulatorStats>('/_emulator/stats');
    }
    await realTick(400);
    stats = await stack.emulatorJson<EmulatorStats>('/_emulator/stats');
    const elapsedSeconds = (performance.now() - started) / 1000;
    // An invariant of the token bucket, not a timing threshold: a slower run only raises the bound.
    expect(stats.total).toBeLessThanOrEqual(Math.ceil(ratePerSecond * elapsedSeconds) + burst);
    expect(stats.total).toBeGreaterThan(0);
    expect(Object.keys(outcomes(stats))).toEqual(['ThrottlingException']);
    // Abort the queued fetches (their clients get 503 ShuttingDown) instead of draining them.
    stack.sidecar.cache.close();
    // Clients that got an answer got a retryable JSON error, never a 2xx without credentials.
    const answers = await Promise.all(clients);
    // Every client gets an answer: none is left hanging or dropped.
    expect(answers.filter((answer) => answer === undefined)).toHaveLength(0);
    for (const answer of answers) {
      if (answer === undefined) continue;
      expect(answer.status).toBe(503);
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(answer.body)).toHaveProperty('code');
    }
  });
});

describe('throttling storm on a FakeClock (exact bound)', () => {
  it('starts at most burst + ratePerSecond · t upstream attempts over 10 s of fake time', async () => {
    const clock = new FakeClock();
    const { cache, fake } = makeCache(clock, { ratePerSecond: 10, burst: 20, maxConcurrency: 4 });
    fake.always({ kind: 'error', error: throttling() });
    const gets = Array.from({ length: 300 }, (_, i) => cache.get(tableRequest(i)).catch((err: unknown) => err));
    const perSecond: number[] = [];
    for (let second = 0; second < 10; second++) {
      const before = fake.calls.length;
      for (let step = 0; step < 10; step++) await clock.advance(SECOND / 10);
      perSecond.push(fake.calls.length - before);
      expect(fake.calls.length).toBeLessThanOrEqual(20 + 10 * (second + 1));
    }
    // After the burst is spent, the sustained rate is the configured one.
    expect(Math.max(...perSecond.slice(3))).toBeLessThanOrEqual(11);
    cache.close();
    await Promise.all(gets);
  });
});
