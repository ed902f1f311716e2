/** What a fetch sends: a frozen snapshot of the caller's request, taken once and only when needed. */
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/cache/index.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { makeCache, tableRequest } from './support.js';

const T0 = Date.UTC(2026, 10, 25, 6);

describe('request snapshots', () => {
  it('sends a prepared (already frozen) request as it is, without copying it', async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const prepared = prepareRequest(tableRequest());
    await cache.getPrepared(prepared);
    expect(fake.calls[0]?.request).toBe(prepared.request);
    cache.close();
  });

  it("sends a frozen copy of a caller's request: changing it afterwards changes nothing", async () => {
    const clock = new FakeClock(T0);
    const { cache, fake } = makeCache(clock);
    const request = tableRequest();
    await cache.get(request);
    const sent = fake.calls[0]?.request;
    expect(sent).not.toBe(request);
    expect(sent).toEqual(request);
    expect(Object.isFrozen(sent)).toBe(true);
    request.permissions!.push('ALTER');
    expect(sent).toEqual(tableRequest());
    cache.close();
  });
});
