import { describe, expect, it } from 'vitest';
import { UpstreamLimiter } from '../../../src/upstream/limiter.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import { deferred, drain } from '../cache/support.js';

/** A limiter with one slot, held busy until `release()`. */
async function busyLimiter(maxQueuedCalls = 1000) {
  const clock = new FakeClock(0);
  const limiter = new UpstreamLimiter({ clock, maxConcurrency: 1, maxQueuedCalls });
  const blocker = deferred<void>();
  const blocked = limiter.run(() => blocker.promise);
  await drain();
  return { clock, limiter, release: () => blocker.resolve(), blocked };
}

describe('UpstreamLimiter queue', () => {
  it('starts urgent calls before older non-urgent ones', async () => {
    const { limiter, release } = await busyLimiter();
    const order: string[] = [];
    const background = limiter.run(async () => void order.push('background'), { priority: 'background' });
    const client = limiter.run(async () => void order.push('client'), { priority: 'client' });
    release();
    await Promise.all([background, client]);
    expect(order).toEqual(['client', 'background']);
  });

  it('re-reads urgency when picking, so a queued refresh a client joined goes first', async () => {
    const { limiter, release } = await busyLimiter();
    const order: string[] = [];
    let joined = false;
    const other = limiter.run(async () => void order.push('other'));
    const refresh = limiter.run(async () => void order.push('joined refresh'), { priority: () => (joined ? 'client' : 'background') });
    joined = true;
    release();
    await Promise.all([other, refresh]);
    expect(order).toEqual(['joined refresh', 'other']);
  });

  it('drops a queued call whose signal aborts, without running it', async () => {
    const { limiter, release } = await busyLimiter();
    const controller = new AbortController();
    let ran = false;
    const dropped = limiter.run(
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const reason = new LfcsError('CacheEvicted', 'gone');
    controller.abort(reason);
    await expect(dropped).rejects.toBe(reason);
    expect(limiter.queued).toBe(0);
    release();
    await drain();
    expect(ran).toBe(false);
  });

  it('refuses calls beyond maxQueuedCalls with a retryable UpstreamBusy error', async () => {
    const { limiter } = await busyLimiter(2);
    void limiter.run(async () => undefined).catch(() => undefined);
    void limiter.run(async () => undefined).catch(() => undefined);
    const refused = limiter.run(async () => undefined);
    await expect(refused).rejects.toMatchObject({ code: 'UpstreamBusy', retryable: true, retryAfterSeconds: 1 });
    expect(limiter.queued).toBe(2);
  });

  it('lets an urgent call push out the newest non-urgent one when the queue is full', async () => {
    const { limiter } = await busyLimiter(2);
    const older = limiter.run(async () => 'older');
    const newer = limiter.run(async () => 'newer');
    void older.catch(() => undefined);
    const urgent = limiter.run(async () => 'urgent', { priority: 'client' });
    void urgent.catch(() => undefined);
    await expect(newer).rejects.toMatchObject({ code: 'UpstreamBusy' });
    expect(limiter.queued).toBe(2);
  });

  it('close() rejects queued calls and refuses new ones, letting running calls finish', async () => {
    const { clock, limiter, release, blocked } = await busyLimiter();
    const queued = limiter.run(async () => 'never');
    limiter.close();
    await expect(queued).rejects.toMatchObject({ code: 'ShuttingDown' });
    await expect(limiter.run(async () => 'late')).rejects.toMatchObject({ code: 'ShuttingDown' });
    release();
    await expect(blocked).resolves.toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('close() cancels the timer that waits for the next token', async () => {
    const clock = new FakeClock(0);
    const limiter = new UpstreamLimiter({ clock, burst: 1, ratePerSecond: 1 });
    await limiter.run(async () => undefined);
    const waiting = limiter.run(async () => undefined);
    await drain();
    expect(clock.pendingTimers).toBe(1);
    limiter.close();
    await expect(waiting).rejects.toMatchObject({ code: 'ShuttingDown' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('validates its options', () => {
    expect(() => new UpstreamLimiter({ maxConcurrency: 0, ratePerSecond: -1 })).toThrow(
      /maxConcurrency: an integer from 1 to 1000; ratePerSecond: a number above 0 and at most 1000000/,
    );
  });
});
