import { describe, expect, it } from 'vitest';
import {
  canonicalDataLocation,
  canonicalDataLocations,
  isDataLocationPattern,
  matchesAllowedLocation,
  missingDataLocations,
} from '../../../src/lakeformation/data-location.js';
import { dataLocations } from '../../../src/lakeformation/fields.js';

describe('data locations', () => {
  it('drops a trailing / and keeps the bucket root a location', () => {
    expect(canonicalDataLocation('s3://lake/sales/orders/')).toBe('s3://lake/sales/orders');
    expect(canonicalDataLocation('s3://lake/')).toBe('s3://lake');
    expect(canonicalDataLocation('s3://lake/sales/orders')).toBe('s3://lake/sales/orders');
  });

  it('makes a list canonical: sorted by code units, duplicates (after the / rule) removed', () => {
    expect(canonicalDataLocations(['s3://lake/z/', 's3://lake/a', 's3://lake/z', 's3://lake/B'])).toEqual([
      's3://lake/B',
      's3://lake/a',
      's3://lake/z',
    ]);
  });

  it('names the requested locations an answer does not cover, exact members only', () => {
    expect(missingDataLocations(['s3://lake/a/', 's3://lake/b'], ['s3://lake/a'])).toEqual(['s3://lake/b']);
    // A parent in the answer does not cover a child that was asked for.
    expect(missingDataLocations(['s3://lake/a/x'], ['s3://lake/a'])).toEqual(['s3://lake/a/x']);
    expect(missingDataLocations(['s3://lake/a'], [])).toEqual(['s3://lake/a']);
  });

  it('accepts 1-100 s3:// locations without whitespace, * or empty segments', () => {
    expect(dataLocations.safeParse(['s3://lake/sales/orders/']).success).toBe(true);
    for (const bad of [
      [],
      ['s3://'],
      ['s3://lake//x'],
      ['s3://lake/a b'],
      ['s3://lake/*'],
      ['https://lake/x'],
      [`s3://lake/${'x'.repeat(1020)}`],
    ]) {
      expect(dataLocations.safeParse(bad).success, JSON.stringify(bad).slice(0, 40)).toBe(false);
    }
    expect(dataLocations.safeParse(Array.from({ length: 101 }, (_, i) => `s3://lake/t${i}`)).success).toBe(false);
  });

  it('checks pattern syntax: single * per run, s3:// literal, no **', () => {
    for (const good of ['s3://lake/warehouse/*', 's3://*/sales', 's3://lake/a*b*/c', 's3://lake/sales/']) {
      expect(isDataLocationPattern(good), good).toBe(true);
    }
    for (const bad of ['s3://lake/**', 's3://', 's3:/lake', 'S3://lake', '*://lake/x', 's3://lake/a b']) {
      expect(isDataLocationPattern(bad), bad).toBe(false);
    }
  });

  it('matches whole locations, * within one path segment, trailing / ignored on both sides', () => {
    const patterns = ['s3://lake/warehouse/*'];
    expect(matchesAllowedLocation(patterns, 's3://lake/warehouse/orders')).toBe(true);
    expect(matchesAllowedLocation(patterns, 's3://lake/warehouse/orders/')).toBe(true);
    expect(matchesAllowedLocation(patterns, 's3://lake/warehouse/orders/dt=2024')).toBe(false);
    expect(matchesAllowedLocation(patterns, 's3://lake/warehouse')).toBe(false);
    expect(matchesAllowedLocation(patterns, 's3://lake2/warehouse/orders')).toBe(false);
    expect(matchesAllowedLocation(['s3://lake/warehouse/'], 's3://lake/warehouse')).toBe(true);
    // Regular-expression characters in a pattern are literal.
    expect(matchesAllowedLocation(['s3://lake/a.b/*'], 's3://lake/aXb/t')).toBe(false);
    expect(matchesAllowedLocation([], 's3://lake/warehouse/orders')).toBe(false);
    expect(matchesAllowedLocation(['s3://lake/**'], 's3://lake/x')).toBe(false);
  });
});
