/**
 * One segment rule for every place a location or a table name enters: no
 * control character (C0, DEL) and no `.` or `..` segment, refused by the
 * field rules before any Lake Formation call.
 */
import { describe, expect, it } from 'vitest';
import { matchesAllowedLocation } from '../../../src/lakeformation/data-location.js';
import { dataLocation, s3Path, tableArn, wireRequestSchemas } from '../../../src/lakeformation/fields.js';
import { isTableArn, matchesAllowedTable } from '../../../src/lakeformation/table-arn.js';

const CONTROL = { NUL: '\x00', BEL: '\x07', BS: '\x08', ESC: '\x1b', US: '\x1f', DEL: '\x7f' };
const ARN = 'arn:aws:glue:us-east-1:123456789012:table';

describe('locations', () => {
  it.each(Object.entries(CONTROL))('refuse %s anywhere, even where a * allows the segment', (_name, char) => {
    for (const location of [`s3://lake/warehouse/orders${char}`, `s3://lake/ware${char}house/x`, `s3://la${char}ke/x`]) {
      expect(dataLocation.safeParse(location).success).toBe(false);
      expect(matchesAllowedLocation(['s3://*/*', 's3://*/*/*', 's3://lake/warehouse/*'], location)).toBe(false);
    }
  });

  it.each([
    's3://lake/warehouse/..',
    's3://lake/warehouse/.',
    's3://lake/../secret',
    's3://lake/./warehouse',
    's3://..',
    's3://lake/warehouse/../',
  ])('refuse the dot segments of %s', (location) => {
    expect(dataLocation.safeParse(location).success).toBe(false);
    expect(matchesAllowedLocation(['s3://lake/warehouse/*', 's3://lake/*', 's3://*', 's3://lake/*/warehouse'], location)).toBe(false);
  });

  it('accept segments that merely hold dots', () => {
    for (const location of ['s3://lake/.hidden', 's3://lake/..x', 's3://lake/...', 's3://lake/v1.2/a.b', 's3://my.bucket/x']) {
      expect(dataLocation.safeParse(location).success, location).toBe(true);
    }
    expect(matchesAllowedLocation(['s3://lake/*'], 's3://lake/..x')).toBe(true);
  });

  it('refuse the same in S3Path, which still takes empty segments', () => {
    expect(s3Path.safeParse('s3://lake//x/').success).toBe(true);
    for (const bad of ['s3://lake/x\x00', 's3://lake/\x1b[2Jx', 's3://lake/../x', 's3://lake/x/./'])
      expect(s3Path.safeParse(bad).success).toBe(false);
  });

  it('refuse them on every operation body, so the routes and the emulator agree', () => {
    for (const strict of [true, false]) {
      const schemas = wireRequestSchemas({ strict, queryStartTime: s3Path });
      expect(schemas.GetTemporaryDataLocationCredentials.safeParse({ DataLocations: ['s3://lake/a\x07'] }).success).toBe(false);
      expect(schemas.GetTemporaryDataLocationCredentials.safeParse({ DataLocations: ['s3://lake/a/..'] }).success).toBe(false);
      expect(schemas.GetTemporaryGlueTableCredentials.safeParse({ TableArn: `${ARN}/db/t`, S3Path: 's3://lake/a/../b' }).success).toBe(
        false,
      );
    }
  });
});

describe('table ARNs, by the same rule', () => {
  it.each(Object.entries(CONTROL))('refuse %s in a database or table name', (_name, char) => {
    for (const arn of [`${ARN}/sales/orders${char}`, `${ARN}/sa${char}les/orders`]) {
      expect(tableArn.safeParse(arn).success).toBe(false);
      expect(matchesAllowedTable([`${ARN}/*/*`], arn)).toBe(false);
    }
  });

  it('refuse . and .. as a name, and accept names that hold dots', () => {
    for (const arn of [`${ARN}/../orders`, `${ARN}/sales/..`, `${ARN}/./orders`]) {
      expect(isTableArn(arn), arn).toBe(false);
      expect(matchesAllowedTable([`${ARN}/*/*`], arn)).toBe(false);
    }
    for (const arn of [`${ARN}/sales/.orders`, `${ARN}/sales/orders..v2`, `${ARN}/${'a'.repeat(255)}/${'.'.repeat(3)}`])
      expect(isTableArn(arn), arn).toBe(true);
    expect(isTableArn(`${ARN}/${'a'.repeat(256)}/t`)).toBe(false);
    expect(isTableArn(`${ARN}/.${'a'.repeat(255)}/t`)).toBe(false);
  });
});
