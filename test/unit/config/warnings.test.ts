import { describe, expect, it } from 'vitest';
import { configWarnings, parseConfig, shortLeaseWarnings } from '../../../src/config/index.js';

const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function config(extra: Record<string, unknown> = {}) {
  return parseConfig({ region: 'us-east-1', ...extra });
}

describe('shortLeaseWarnings', () => {
  it('is silent with the defaults', () => {
    expect(shortLeaseWarnings(config({ profiles: { orders: { tableArn: ORDERS } } }))).toEqual([]);
  });

  it('warns about a profile lease short enough to serve credentials with 15 min or less left', () => {
    const warnings = shortLeaseWarnings(config({ profiles: { quick: { tableArn: ORDERS, durationSeconds: 900 } } }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^profiles\.quick\.durationSeconds is 900 s: /);
    expect(warnings[0]).toContain('botocore and Java will re-fetch on nearly every call');
    expect(warnings[0]).toContain('served down to 240 s left');
    expect(warnings[0]).toContain('3376 s or more avoids this');
  });

  it('draws the line where the scaled minServeSeconds passes 15 min (3375 s with the defaults)', () => {
    const at = (durationSeconds: number) => shortLeaseWarnings(config({ profiles: { p: { tableArn: ORDERS, durationSeconds } } })).length;
    expect(at(3375)).toBe(1);
    expect(at(3376)).toBe(0);
    expect(at(43_200)).toBe(0);
  });

  it('warns once for a short default, naming who inherits it', () => {
    const warnings = shortLeaseWarnings(
      config({ defaults: { durationSeconds: 1800 }, profiles: { a: { tableArn: ORDERS }, b: { tableArn: ORDERS } } }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^defaults\.durationSeconds is 1800 s: .*applies to profiles without their own durationSeconds and to dynamic requests/,
    );
  });

  it("warns once when cache.minServeSeconds itself is within the clients' 15 min window", () => {
    const warnings = shortLeaseWarnings(
      config({ cache: { minServeSeconds: 600 }, profiles: { quick: { tableArn: ORDERS, durationSeconds: 900 } } }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cache\.minServeSeconds is 600 s: .*botocore and Java re-fetch on nearly every call/);
  });
});

describe('configWarnings', () => {
  it('adds profiles whose table is in another region', () => {
    const warnings = configWarnings(config({ profiles: { far: { tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders' } } }));
    expect(warnings).toEqual([
      'profiles.far.tableArn is in region eu-west-1, but region is us-east-1: Lake Formation there will not find the table',
    ]);
  });
});
