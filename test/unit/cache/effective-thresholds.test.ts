import { describe, expect, it } from 'vitest';
import { CACHE_DEFAULTS, effectiveThresholds } from '../../../src/cache/index.js';

describe('effectiveThresholds', () => {
  it('uses the configured values unchanged for a 1-hour lease', () => {
    expect(effectiveThresholds(3600)).toEqual({
      refreshBeforeSeconds: 1800,
      minServeSeconds: 960,
      hardMinimumSeconds: 60,
      refreshJitterSeconds: 120,
      scale: 1,
    });
  });

  it('uses the configured values unchanged for a 12-hour lease', () => {
    expect(effectiveThresholds(43200)).toEqual({
      refreshBeforeSeconds: 1800,
      minServeSeconds: 960,
      hardMinimumSeconds: 60,
      refreshJitterSeconds: 120,
      scale: 1,
    });
  });

  it('scales every threshold down for a 15-minute lease, keeping their order', () => {
    const t = effectiveThresholds(900);
    expect(t).toEqual({
      refreshBeforeSeconds: 450,
      minServeSeconds: 240,
      hardMinimumSeconds: 15,
      refreshJitterSeconds: 30,
      scale: 0.25,
    });
    // The refresh is never due at birth, and the jittered start still precedes minServe.
    expect(t.refreshBeforeSeconds).toBeLessThan(900);
    expect(t.refreshBeforeSeconds - t.refreshJitterSeconds).toBeGreaterThan(t.minServeSeconds);
    expect(t.hardMinimumSeconds).toBeGreaterThan(0);
  });

  it('scales relative to the configured values, not the defaults', () => {
    const t = effectiveThresholds(1000, {
      refreshBeforeExpirySeconds: 600,
      minServeSeconds: 300,
      hardMinimumSeconds: 30,
      refreshJitterSeconds: 60,
    });
    expect(t.scale).toBeCloseTo(1000 / 1200);
    expect(t.refreshBeforeSeconds).toBeCloseTo(500);
    expect(t.minServeSeconds).toBeCloseTo(250);
    expect(t.hardMinimumSeconds).toBeCloseTo(25);
    expect(t.refreshJitterSeconds).toBeCloseTo(50);
  });

  it('takes missing settings from CACHE_DEFAULTS', () => {
    expect(effectiveThresholds(7200, { minServeSeconds: 1000 })).toMatchObject({
      refreshBeforeSeconds: CACHE_DEFAULTS.refreshBeforeExpirySeconds,
      minServeSeconds: 1000,
    });
  });

  it('rejects a lifetime that is not positive', () => {
    expect(() => effectiveThresholds(0)).toThrow(/lifetimeSeconds must be a positive finite number, got 0/);
    expect(() => effectiveThresholds(Number.NaN)).toThrow(RangeError);
  });
});
