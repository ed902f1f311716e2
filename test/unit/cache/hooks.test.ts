/** Hooks see every lookup and upstream attempt, and cannot break serving. */
import { describe, expect, it } from 'vitest';
import { CredentialCache } from '../../../src/cache/index.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { UpstreamCaller } from '../../../src/upstream/caller.js';
import { FakeVend, fail, makeCache, tableRequest, throttling } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('hooks', () => {
  it('reports every upstream attempt with its outcome, attempt number and duration', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake, recorded } = makeCache(clock, { random: () => 1, throttlePauseMs: 0 });
    fake.then(fail(throttling()));
    const held = fake.hold();
    const served = cache.get(tableRequest());
    await clock.advance(100); // retry starts at +100 ms
    await clock.advance(250); // Lake Formation takes 250 ms to answer
    held.resolve(fake.lease());
    await served;
    expect(recorded.upstream).toEqual([
      { request: tableRequest(), outcome: 'ThrottlingException', durationSeconds: 0, attempt: 1, background: false },
      { request: tableRequest(), outcome: 'success', durationSeconds: 0.25, attempt: 2, background: false },
    ]);
    expect(recorded.lookups).toEqual(['miss']);
  });

  it('reports exactly one lookup per get', async () => {
    const clock = new FakeClock(T0);
    const { cache, recorded } = makeCache(clock);
    await Promise.all([cache.get(tableRequest()), cache.get(tableRequest())]);
    await cache.get(tableRequest());
    expect(recorded.lookups).toEqual(['miss', 'coalesced', 'hit']);
  });

  it('keeps serving when a hook throws', async () => {
    const clock = new FakeClock(T0);
    const fake = new FakeVend(clock);
    const boom = () => {
      throw new Error('metrics sink down');
    };
    const cache = new CredentialCache({
      upstream: new UpstreamCaller({ vend: fake.vend, clock, onAttempt: boom }),
      clock,
      hooks: { onLookup: boom, onEntryCountChange: boom, onRefresh: boom },
    });
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'miss' });
    await expect(cache.get(tableRequest())).resolves.toMatchObject({ result: 'hit' });
  });
});
