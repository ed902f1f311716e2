import { describe, expect, it } from 'vitest';
import { UpstreamLimiter } from '../../../src/upstream/limiter.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { deferred, drain, type Deferred } from '../cache/support.js';

describe('UpstreamLimiter concurrency', () => {
  it('never runs more than maxConcurrency calls at once, and starts the next when one ends', async () => {
    const clock = new FakeClock(0);
    const limiter = new UpstreamLimiter({ clock, maxConcurrency: 4 });
    const running: Deferred<void>[] = [];
    let peak = 0;
    const runs = Array.from({ length: 10 }, () =>
      limiter.run(() => {
        const d = deferred<void>();
        running.push(d);
        peak = Math.max(peak, limiter.active);
        return d.promise;
      }),
    );
    for (const run of runs) run.catch(() => undefined);
    await drain();
    expect(running).toHaveLength(4);
    expect(limiter.active).toBe(4);
    expect(limiter.queued).toBe(6);

    running[0]?.resolve();
    await drain();
    expect(running).toHaveLength(5);

    // A failing call frees its slot too.
    running[1]?.reject(new Error('boom'));
    await drain();
    expect(running).toHaveLength(6);

    for (let i = 2; i < 10; i++) {
      running[i]?.resolve();
      await drain();
    }
    await Promise.allSettled(runs);
    expect(running).toHaveLength(10);
    expect(peak).toBe(4);
    expect(limiter.active).toBe(0);
  });
});
