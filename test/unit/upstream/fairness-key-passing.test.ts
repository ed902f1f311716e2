/**
 * The fairness key travels from `CredentialCache.get` through the upstream
 * caller to the limiter: a caller's fetches wait in its own turn, and a
 * fetch several callers share waits in its first caller's turn.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { makeCache, tableArnOf, tableRequest } from '../cache/support.js';
import { drain } from '../../support/settle.js';

/** One Lake Formation call per simulated second. */
function oneCallPerSecond() {
  const clock = new FakeClock(0);
  const { cache, fake } = makeCache(clock, { ratePerSecond: 1, burst: 1, maxConcurrency: 10, missDeadlineMs: 60_000 });
  const order = () => fake.calls.map((c) => tableArnOf(c.request)?.split('/').pop());
  const seconds = async (count: number) => {
    for (let i = 0; i < count; i++) await clock.advance(1000);
    await drain();
  };
  return { cache, order, seconds };
}

describe('fairness key from the cache to the limiter', () => {
  it("starts a quiet caller's miss in its own turn, not after a busy caller's misses", async () => {
    const { cache, order, seconds } = oneCallPerSecond();
    const busy = Array.from({ length: 10 }, (_, i) => cache.get(tableRequest(`busy${i}`), { fairnessKey: 'pod:busy' }));
    const quiet = cache.get(tableRequest('quiet'), { fairnessKey: 'pod:quiet' });
    await seconds(2);
    expect(order().slice(0, 3)).toEqual(['tbusy0', 'tbusy1', 'tquiet']);
    await seconds(8);
    await Promise.all([...busy, quiet]);
    expect(order()).toHaveLength(11);
  });

  it("queues a fetch several callers share in its first caller's turn", async () => {
    const { cache, order, seconds } = oneCallPerSecond();
    const busy = Array.from({ length: 5 }, (_, i) => cache.get(tableRequest(`busy${i}`), { fairnessKey: 'pod:busy' }));
    // Started by the busy pod, joined by the quiet one: still one call, in the busy pod's queue.
    const shared = cache.get(tableRequest('shared'), { fairnessKey: 'pod:busy' });
    const joined = cache.get(tableRequest('shared'), { fairnessKey: 'pod:quiet' });
    const quiet = cache.get(tableRequest('quiet'), { fairnessKey: 'pod:quiet' });
    await seconds(6);
    await Promise.all([...busy, shared, joined, quiet]);
    expect(order()).toEqual(['tbusy0', 'tbusy1', 'tquiet', 'tbusy2', 'tbusy3', 'tbusy4', 'tshared']);
    expect((await joined).result).toBe('coalesced');
  });

  it('keeps requests without a key first come, first served', async () => {
    const { cache, order, seconds } = oneCallPerSecond();
    const all = Array.from({ length: 4 }, (_, i) => cache.get(tableRequest(`t${i}`)));
    await seconds(3);
    await Promise.all(all);
    expect(order()).toEqual(['tt0', 'tt1', 'tt2', 'tt3']);
  });
});
