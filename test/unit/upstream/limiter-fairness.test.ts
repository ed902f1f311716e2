import { describe, expect, it } from 'vitest';
import { UpstreamLimiter, type LimiterRunOptions } from '../../../src/upstream/limiter.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain } from '../cache/support.js';

/**
 * One call starts per second (one token a second, burst 1): each second is
 * one turn of the limiter, so the order of starts is the order of service.
 */
function oneCallPerSecond(maxQueuedCalls = 1000) {
  const clock = new FakeClock(0);
  const limiter = new UpstreamLimiter({ clock, maxConcurrency: 100, ratePerSecond: 1, burst: 1, maxQueuedCalls });
  const started: string[] = [];
  const enqueue = (name: string, options: LimiterRunOptions = {}) =>
    limiter.run(async () => void started.push(name), options).catch(() => undefined);
  const turns = async (count: number) => {
    for (let i = 0; i < count; i++) await clock.advance(1000);
    await drain();
  };
  return { clock, limiter, started, enqueue, turns };
}

describe('UpstreamLimiter fairness between callers', () => {
  it("starts a quiet caller's call within two turns, not after a busy caller's 50", async () => {
    const { started, enqueue, turns } = oneCallPerSecond();
    for (let i = 0; i < 50; i++) void enqueue(`a${i}`, { priority: 'client', fairnessKey: 'pod-a' });
    void enqueue('b', { priority: 'client', fairnessKey: 'pod-b' });
    await drain();
    const before = started.length;
    await turns(2);
    expect(started.slice(before)).toContain('b');
    expect(started.indexOf('b')).toBeLessThanOrEqual(2);
  });

  it('serves the callers round-robin, each in its own arrival order', async () => {
    const { started, enqueue, turns } = oneCallPerSecond();
    void enqueue('hold');
    await drain();
    for (let i = 0; i < 3; i++) void enqueue(`a${i}`, { fairnessKey: 'a' });
    for (let i = 0; i < 3; i++) void enqueue(`b${i}`, { fairnessKey: 'b' });
    void enqueue('c0', { fairnessKey: 'c' });
    await turns(7);
    expect(started).toEqual(['hold', 'a0', 'b0', 'c0', 'a1', 'b1', 'a2', 'b2']);
  });

  it("still starts any caller's client call before every background refresh", async () => {
    const { started, enqueue, turns } = oneCallPerSecond();
    void enqueue('first', { fairnessKey: 'a' });
    for (let i = 0; i < 3; i++) void enqueue(`refresh${i}`, { priority: 'background', fairnessKey: 'a' });
    void enqueue('client-b', { priority: 'client', fairnessKey: 'b' });
    void enqueue('client-a', { priority: 'client', fairnessKey: 'a' });
    await turns(5);
    // Client calls go first, each caller in its turn (a's came first); then the refreshes.
    expect(started).toEqual(['first', 'client-a', 'client-b', 'refresh0', 'refresh1', 'refresh2']);
  });

  it('keeps calls without a fairness key in one queue, first come first served (sidecar mode)', async () => {
    const { started, enqueue, turns } = oneCallPerSecond();
    for (let i = 0; i < 4; i++) void enqueue(`call${i}`);
    await turns(3);
    expect(started).toEqual(['call0', 'call1', 'call2', 'call3']);
  });

  it('forgets a caller whose queue emptied, and bounds the total queue as before', async () => {
    const { limiter, started, enqueue, turns } = oneCallPerSecond(3);
    void enqueue('hold', { fairnessKey: 'x' });
    await drain();
    for (let i = 0; i < 3; i++) void enqueue(`k${i}`, { fairnessKey: `key${i}` });
    const refused = limiter.run(async () => undefined, { fairnessKey: 'key9' });
    await expect(refused).rejects.toMatchObject({ code: 'UpstreamBusy' });
    expect(limiter.queued).toBe(3);
    expect(limiter.queuedCallers).toBe(3);
    await turns(3);
    expect(started).toEqual(['hold', 'k0', 'k1', 'k2']);
    expect(limiter.queued).toBe(0);
    expect(limiter.queuedCallers).toBe(0);
  });

  it('forgets a caller whose only queued call was aborted', async () => {
    const { limiter, enqueue } = oneCallPerSecond();
    void enqueue('hold');
    await drain();
    const controller = new AbortController();
    void enqueue('gone', { fairnessKey: 'quiet', signal: controller.signal });
    expect(limiter.queuedCallers).toBe(1);
    controller.abort();
    await drain();
    expect(limiter.queued).toBe(0);
    expect(limiter.queuedCallers).toBe(0);
  });
});
