import { describe, expect, it } from 'vitest';
import { CACHE_DEFAULTS, CredentialCache } from '../../../src/cache/index.js';
import { cacheSettingsSchema } from '../../../src/cache/settings.js';
import { parseConfig } from '../../../src/config/index.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import type { VendFunction } from '../../../src/lakeformation/types.js';
import { UpstreamCaller } from '../../../src/upstream/caller.js';

const vend: VendFunction = () => Promise.reject(new Error('not called'));
const upstream = new UpstreamCaller({ vend });

function constructionError(options: Record<string, unknown>): LfcsError {
  try {
    new CredentialCache({ upstream, clock: new FakeClock(), ...options } as never);
  } catch (err) {
    expect(err).toBeInstanceOf(LfcsError);
    return err as LfcsError;
  }
  throw new Error('constructor accepted invalid options');
}

/** The upstream is built apart (by the composition root) and checks its own retry and limiter settings. */
function upstreamConstructionError(settings: Record<string, unknown>): LfcsError {
  try {
    new UpstreamCaller({ vend, clock: new FakeClock(), settings } as never);
  } catch (err) {
    expect(err).toBeInstanceOf(LfcsError);
    return err as LfcsError;
  }
  throw new Error('constructor accepted invalid settings');
}

describe('CredentialCache constructor checks', () => {
  it('accepts the defaults and undefined values (which mean "default")', () => {
    expect(() => new CredentialCache({ upstream, clock: new FakeClock(), maxEntries: undefined })).not.toThrow();
    expect(() => new UpstreamCaller({ vend, settings: { maxAttempts: undefined } })).not.toThrow();
  });

  it('requires minServeSeconds below refreshBeforeExpirySeconds', () => {
    const err = constructionError({ minServeSeconds: 1800 });
    expect(err.code).toBe('InvalidConfiguration');
    expect(err.message).toContain(
      'minServeSeconds (1800) plus refreshJitterSeconds (120) must be less than refreshBeforeExpirySeconds (1800)',
    );
  });

  it('requires hardMinimumSeconds below minServeSeconds', () => {
    expect(constructionError({ hardMinimumSeconds: 960 }).message).toContain(
      'hardMinimumSeconds (960) must be less than minServeSeconds (960)',
    );
  });

  it('requires the jitter to fit between refreshBefore and minServe', () => {
    expect(constructionError({ refreshJitterSeconds: 840 }).message).toContain(
      'minServeSeconds (960) plus refreshJitterSeconds (840) must be less than refreshBeforeExpirySeconds (1800), ' +
        'so every (jittered) refresh starts while the lease is still served',
    );
  });

  it('requires integers in range and says what is accepted', () => {
    const err = constructionError({ maxEntries: 0, idleSeconds: 1.5, negativeTtlSeconds: '30' });
    expect(err.message).toContain('maxEntries: an integer from 1 to 1000000');
    expect(err.message).toContain('idleSeconds: an integer from 60 to 604800');
    expect(err.message).toContain('negativeTtlSeconds: an integer from 1 to 3600');
    expect(upstreamConstructionError({ maxAttempts: -1 }).message).toContain('maxAttempts: an integer from 1 to 10');
  });

  it('leaves retry and limiter settings to the upstream: the cache refuses them', () => {
    expect(constructionError({ maxAttempts: 3 }).message).toMatch(/Unrecognized key: "maxAttempts"/);
  });

  it('checks the limiter settings and the retry delay order (in the upstream)', () => {
    const err = upstreamConstructionError({ ratePerSecond: 0, burst: 2.5, retryBaseDelayMs: 2000, retryMaxDelayMs: 1000 });
    expect(err.message).toContain('ratePerSecond: a number above 0 and at most 1000000');
    expect(err.message).toContain('burst: an integer from 1 to 1000000');
    const order = upstreamConstructionError({ retryBaseDelayMs: 2000, retryMaxDelayMs: 1000 });
    expect(order.message).toContain('retryBaseDelayMs (2000) must be at most retryMaxDelayMs (1000)');
  });

  it('rejects unknown options and hooks (typos would otherwise be silently ignored)', () => {
    const err = constructionError({ maxEntry: 5, hooks: { onLookups: () => undefined } });
    expect(err.message).toMatch(/Unrecognized key: "maxEntry"/);
    expect(err.message).toMatch(/hooks: Unrecognized key: "onLookups"/);
  });

  it('requires an upstream, a complete clock and a random function', () => {
    const err = constructionError({ upstream: undefined, clock: { now: () => 0 }, random: 0.5 });
    expect(err.message).toContain('upstream: an object with fetch(request, { signal, priority }) => Promise<Lease>');
    expect(err.message).toContain('clock: an object with now(), setTimeout() and clearTimeout()');
    expect(err.message).toContain('random: a function returning a number in [0, 1)');
  });

  it('reports every problem in one message', () => {
    const err = constructionError({ maxEntries: 0, minServeSeconds: 0, idleSeconds: 0 });
    expect(err.message.split('; ')).toHaveLength(3);
    expect(upstreamConstructionError({ maxAttempts: 0, burst: 0, maxConcurrency: 0 }).message.split('; ')).toHaveLength(3);
  });

  it('checks with the same field definitions as the configuration loader', () => {
    expect(cacheSettingsSchema.parse({})).toEqual(CACHE_DEFAULTS);
    expect(constructionError({ hardMinimumSeconds: 0 }).message).toContain('hardMinimumSeconds: an integer from 1 to 43200');
    expect(() => parseConfig({ region: 'us-east-1', cache: { hardMinimumSeconds: 0 } })).toThrow(
      /cache\.hardMinimumSeconds[\s\S]*an integer from 1 to 43200/,
    );
  });

  it('freezes CACHE_DEFAULTS', () => {
    expect(Object.isFrozen(CACHE_DEFAULTS)).toBe(true);
  });
});
