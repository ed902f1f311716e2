/** Pinned keys (the sidecar's profiles) have their own budget: dynamic keys never evict them. */
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/cache/index.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { SECOND, drain, makeCache, tableRequest } from './support.js';
import type { TableCredentialRequest } from '../../../src/lakeformation/types.js';

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);

describe('pinned keys', () => {
  it('keeps a pinned entry however many dynamic keys pass through a full LRU', async () => {
    const clock = new FakeClock(T0);
    const profile = prepareRequest(tableRequest('profile'));
    const { cache, fake } = makeCache(clock, { maxEntries: 2, burst: 100, pinnedKeys: [profile.key] });
    await cache.getPrepared(profile, { label: 'orders' });
    for (let n = 0; n < 50; n++) await cache.get(tableRequest(n));
    expect(cache.peek(profile.key) !== undefined).toBe(true);
    await expect(cache.getPrepared(profile)).resolves.toMatchObject({ result: 'hit' });
    expect(fake.callsFor((profile.request as TableCredentialRequest).tableArn)).toHaveLength(1);
    expect(cache.size).toBe(3); // 2 dynamic + the pinned one
    expect(cache.entries(1)[0]).toMatchObject({ label: 'orders' });
    cache.close();
  });

  it('renews a pinned entry even when nobody asked for it lately', async () => {
    const clock = new FakeClock(T0);
    const profile = prepareRequest(tableRequest('profile'));
    const { cache, fake } = makeCache(clock, { idleSeconds: 60, refreshJitterSeconds: 0, pinnedKeys: [profile.key] });
    await cache.getPrepared(profile);
    await cache.get(tableRequest('dynamic'));
    await clock.advance(1800 * SECOND); // both idle at their refresh time
    await drain();
    expect(fake.callsFor((profile.request as TableCredentialRequest).tableArn)).toHaveLength(2);
    expect(fake.callsFor(tableRequest('dynamic').tableArn)).toHaveLength(1);
    await clock.advance(1800 * SECOND);
    expect(cache.peek(profile.key) !== undefined).toBe(true);
    expect(cache.peek(prepareRequest(tableRequest('dynamic')).key) !== undefined).toBe(false);
    cache.close();
  });
});
