import { describe, expect, it } from 'vitest';
import { CACHE_DEFAULTS, CredentialCache, cacheTuningProblems } from '../../../src/cache/credential-cache.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';
import type { VendFunction } from '../../../src/lakeformation/types.js';

const vend: VendFunction = () => Promise.reject(new Error('not called'));

function constructionError(options: Record<string, unknown>): LfcsError {
  try {
    new CredentialCache({ vend, clock: new FakeClock(), ...options } as never);
  } catch (err) {
    expect(err).toBeInstanceOf(LfcsError);
    return err as LfcsError;
  }
  throw new Error('constructor accepted invalid options');
}

describe('CredentialCache constructor checks', () => {
  it('accepts the defaults and undefined values (which mean "default")', () => {
    expect(() => new CredentialCache({ vend, clock: new FakeClock(), maxEntries: undefined })).not.toThrow();
  });

  it('requires minServeSeconds below refreshBeforeExpirySeconds', () => {
    const err = constructionError({ minServeSeconds: 1800 });
    expect(err.code).toBe('InvalidConfiguration');
    expect(err.message).toContain('minServeSeconds (1800) must be less than refreshBeforeExpirySeconds (1800)');
  });

  it('requires hardMinimumSeconds below minServeSeconds', () => {
    expect(constructionError({ hardMinimumSeconds: 960 }).message).toContain(
      'hardMinimumSeconds (960) must be less than minServeSeconds (960)',
    );
  });

  it('requires the jitter to fit between refreshBefore and minServe', () => {
    expect(constructionError({ refreshJitterSeconds: 840 }).message).toContain(
      'refreshJitterSeconds (840) must be less than refreshBeforeExpirySeconds - minServeSeconds (840)',
    );
  });

  it('requires positive integers and says what it got', () => {
    const err = constructionError({ maxEntries: 0, idleSeconds: 1.5, negativeTtlSeconds: '30', maxAttempts: -1 });
    expect(err.message).toContain('maxEntries must be a positive integer, got 0');
    expect(err.message).toContain('idleSeconds must be a positive integer, got 1.5');
    expect(err.message).toContain('negativeTtlSeconds must be a positive integer, got "30"');
    expect(err.message).toContain('maxAttempts must be a positive integer, got -1');
  });

  it('checks the limiter settings and the retry delay order', () => {
    const err = constructionError({ ratePerSecond: 0, burst: 2.5, retryBaseDelayMs: 2000, retryMaxDelayMs: 1000 });
    expect(err.message).toContain('ratePerSecond must be a positive finite number, got 0');
    expect(err.message).toContain('burst must be a positive integer, got 2.5');
    expect(err.message).toContain('retryBaseDelayMs (2000) must be at most retryMaxDelayMs (1000)');
  });

  it('rejects unknown options and hooks (typos would otherwise be silently ignored)', () => {
    const err = constructionError({ maxEntry: 5, hooks: { onLookups: () => undefined } });
    expect(err.message).toContain('unknown option "maxEntry"');
    expect(err.message).toContain('unknown hook "onLookups"');
  });

  it('requires vend, a complete clock and a random function', () => {
    const err = constructionError({ vend: undefined, clock: { now: () => 0 }, random: 0.5 });
    expect(err.message).toContain('vend must be a function');
    expect(err.message).toContain('clock must implement now(), setTimeout() and clearTimeout()');
    expect(err.message).toContain('random must be a function');
  });

  it('reports every problem in one message', () => {
    const err = constructionError({ maxEntries: 0, minServeSeconds: 0, maxConcurrency: 0 });
    expect(err.message.split('; ')).toHaveLength(3);
  });

  it('exposes the same checks for the configuration loader', () => {
    expect(cacheTuningProblems({ ...CACHE_DEFAULTS })).toEqual([]);
    expect(cacheTuningProblems({ ...CACHE_DEFAULTS, hardMinimumSeconds: 0 })).toEqual([
      'hardMinimumSeconds must be a positive integer, got 0',
    ]);
  });

  it('freezes CACHE_DEFAULTS', () => {
    expect(Object.isFrozen(CACHE_DEFAULTS)).toBe(true);
  });
});
