import { describe, expect, it } from 'vitest';
import { isTableArn, isTablePattern, matchesAllowedTable, parseConfig, parseTableArn } from '../../../src/config/index.js';
import { configError } from '../config/helpers.js';

const ACCOUNT = 'arn:aws:glue:us-east-1:123456789012';

describe('table ARNs', () => {
  it('recognises Glue table ARNs in every partition', () => {
    expect(isTableArn(`${ACCOUNT}:table/sales/orders`)).toBe(true);
    expect(isTableArn('arn:aws-us-gov:glue:us-gov-west-1:123456789012:table/db/t')).toBe(true);
    expect(isTableArn('arn:aws-cn:glue:cn-north-1:123456789012:table/db/t')).toBe(true);
    expect(isTableArn(`${ACCOUNT}:table/sales`)).toBe(false);
    expect(isTableArn(`${ACCOUNT}:table/sales/orders/extra`)).toBe(false);
    expect(isTableArn(`${ACCOUNT}:database/sales`)).toBe(false);
    expect(isTableArn('arn:aws:glue:us-east-1:12345:table/sales/orders')).toBe(false);
    expect(isTableArn('arn:aws:s3:::bucket')).toBe(false);
  });

  it('splits an ARN into its parts', () => {
    expect(parseTableArn(`${ACCOUNT}:table/sales/orders`)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      database: 'sales',
      table: 'orders',
    });
    expect(parseTableArn('nope')).toBeUndefined();
  });
});

describe('matchesAllowedTable', () => {
  const cases: Array<[pattern: string, arn: string, expected: boolean]> = [
    [`${ACCOUNT}:table/sales/orders`, `${ACCOUNT}:table/sales/orders`, true],
    [`${ACCOUNT}:table/sales/orders`, `${ACCOUNT}:table/sales/orders2`, false],
    [`${ACCOUNT}:table/sales/*`, `${ACCOUNT}:table/sales/orders`, true],
    [`${ACCOUNT}:table/sales/*`, `${ACCOUNT}:table/hr/people`, false],
    [`${ACCOUNT}:table/*/*`, `${ACCOUNT}:table/hr/people`, true],
    [`${ACCOUNT}:table/*/*`, 'arn:aws:glue:us-east-1:999999999999:table/hr/people', false],
    [`${ACCOUNT}:table/*/*`, 'arn:aws:glue:us-west-2:123456789012:table/hr/people', false],
    [`${ACCOUNT}:table/sales/orders_*`, `${ACCOUNT}:table/sales/orders_2024`, true],
    [`${ACCOUNT}:table/sales/orders_*`, `${ACCOUNT}:table/sales/customers`, false],
    [`${ACCOUNT}:table/s*/orders`, `${ACCOUNT}:table/sales/orders`, true],
    ['arn:aws:glue:*:123456789012:table/sales/orders', 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders', true],
    ['arn:aws:glue:us-east-1:*:table/*/*', 'arn:aws:glue:us-east-1:999999999999:table/a/b', true],
    // `*` never crosses a segment: it cannot swallow "/" or ":".
    [`${ACCOUNT}:table/*`, `${ACCOUNT}:table/sales/orders`, false],
    [`${ACCOUNT}:table/sales*`, `${ACCOUNT}:table/sales/orders`, false],
    // Regex characters in a pattern are literal.
    [`${ACCOUNT}:table/sales/ord.rs`, `${ACCOUNT}:table/sales/orders`, false],
    // Only valid table ARNs match, whatever the pattern.
    [`${ACCOUNT}:table/sales/*`, `${ACCOUNT}:table/sales/orders/x`, false],
    [`${ACCOUNT}:table/sales/*`, `${ACCOUNT}:table/sales/`, false],
    // `**` is not supported and never matches.
    ['arn:aws:glue:us-east-1:123456789012:**', `${ACCOUNT}:table/sales/orders`, false],
  ];
  it.each(cases)('%s vs %s -> %s', (pattern, arn, expected) => {
    expect(matchesAllowedTable([pattern], arn)).toBe(expected);
  });

  it('matches if any pattern matches, and nothing with no patterns', () => {
    const arn = `${ACCOUNT}:table/hr/people`;
    expect(matchesAllowedTable([`${ACCOUNT}:table/sales/*`, `${ACCOUNT}:table/hr/*`], arn)).toBe(true);
    expect(matchesAllowedTable([], arn)).toBe(false);
  });
});

describe('allowedTables patterns in the configuration', () => {
  it('accepts well-formed patterns', () => {
    expect(isTablePattern(`${ACCOUNT}:table/*/*`)).toBe(true);
    expect(isTablePattern('arn:*:glue:*:*:table/*/*')).toBe(true);
  });

  it.each([
    'arn:aws:glue:us-east-1:123456789012:**',
    'arn:aws:glue:us-east-1:123456789012:table/**',
    'arn:aws:glue:us-east-1:123456789012:table/sales',
    'arn:aws:*:us-east-1:123456789012:table/sales/*',
    'arn:aws:glue:us-east-1:123456789012:*/sales/orders',
    'sales/*',
  ])('rejects %s with the syntax in the message', async (pattern) => {
    expect(isTablePattern(pattern)).toBe(false);
    const error = await configError(() => parseConfig({ region: 'us-east-1', dynamic: { enabled: true, allowedTables: [pattern] } }));
    expect(error.problems).toEqual([
      {
        path: 'dynamic.allowedTables[0]',
        value: pattern,
        expected:
          'a table ARN pattern such as arn:aws:glue:us-east-1:123456789012:table/sales/* ' +
          '(* matches within one segment; ** is not supported)',
      },
    ]);
  });
});
