import { describe, expect, it } from 'vitest';
import type { Lease } from '../../../src/emulator/leases.js';
import { S3Error } from '../../../src/emulator/s3-errors.js';
import { checkScope } from '../../../src/emulator/s3-scope.js';

const lease = (paths: string[], write = false): Lease => ({
  credentials: { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't' },
  expiresAtMs: 0,
  principalArn: 'arn:aws:iam::123456789012:role/r',
  paths,
  write,
});

function denied(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return err instanceof S3Error ? `${err.status} ${err.code}` : String(err);
  }
}

describe("checkScope: Lake Formation's scope-down policy", () => {
  const orders = lease(['s3://demo-lake/sales/orders/']);

  it('allows reads and listings under the vended path', () => {
    expect(denied(() => checkScope(orders, 'read', 'demo-lake', 'sales/orders/data/a.parquet'))).toBeUndefined();
    expect(denied(() => checkScope(orders, 'list', 'demo-lake', 'sales/orders/'))).toBeUndefined();
  });

  it('denies another table, a sibling sharing the name as a prefix, a parent listing, another bucket', () => {
    expect(denied(() => checkScope(orders, 'read', 'demo-lake', 'sales/returns/data/a.parquet'))).toBe('403 AccessDenied');
    expect(denied(() => checkScope(orders, 'read', 'demo-lake', 'sales/orders_old/a.parquet'))).toBe('403 AccessDenied');
    expect(denied(() => checkScope(orders, 'list', 'demo-lake', 'sales/'))).toBe('403 AccessDenied');
    expect(denied(() => checkScope(orders, 'list', 'demo-lake', 'sales/orders'))).toBe('403 AccessDenied');
    expect(denied(() => checkScope(orders, 'read', 'other-lake', 'sales/orders/a'))).toBe('403 AccessDenied');
  });

  it('treats a vended path without a trailing slash as the folder', () => {
    const noSlash = lease(['s3://demo-lake/sales/orders']);
    expect(denied(() => checkScope(noSlash, 'read', 'demo-lake', 'sales/orders/a'))).toBeUndefined();
    expect(denied(() => checkScope(noSlash, 'read', 'demo-lake', 'sales/orders_old/a'))).toBe('403 AccessDenied');
  });

  it('allows writes only to a lease that may write', () => {
    expect(denied(() => checkScope(orders, 'write', 'demo-lake', 'sales/orders/a'))).toBe('403 AccessDenied');
    expect(denied(() => checkScope(lease(['s3://demo-lake/sales/orders/'], true), 'write', 'demo-lake', 'sales/orders/a'))).toBeUndefined();
  });
});
