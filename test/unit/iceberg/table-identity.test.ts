import { describe, expect, it } from 'vitest';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { databaseOf, partitionOf, tableIdentity } from '../../../src/iceberg/table-identity.js';
import { parseTableArn } from '../../../src/lakeformation/table-arn.js';
import { CATALOG, REGION, TABLE_ARN } from './support.js';

function refusal(fn: () => unknown): IcebergError {
  try {
    fn();
  } catch (err) {
    return err as IcebergError;
  }
  throw new Error('no refusal');
}

describe('table identity', () => {
  it('names the Glue table ARN of (catalog, namespace, table), as the table-ARN module parses it', () => {
    const identity = tableIdentity(REGION, CATALOG, 'sales', 'orders');
    expect(identity).toEqual({ catalogId: CATALOG, database: 'sales', table: 'orders', tableArn: TABLE_ARN });
    expect(parseTableArn(identity.tableArn)).toMatchObject({ accountId: CATALOG, database: 'sales', table: 'orders' });
  });

  it('lower-cases names as Glue stores them, so one table is one cache key', () => {
    expect(tableIdentity(REGION, CATALOG, 'Sales', 'ORDERS').tableArn).toBe(TABLE_ARN);
  });

  it('uses the partition of the region', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(tableIdentity('cn-north-1', CATALOG, 'a', 'b').tableArn).toBe(`arn:aws-cn:glue:cn-north-1:${CATALOG}:table/a/b`);
  });

  it('refuses a multi-level namespace: 404 NoSuchTableException on table routes (Java then tries the metadata table)', () => {
    const error = refusal(() => tableIdentity(REGION, CATALOG, 'sales\u001forders', 'snapshots'));
    expect(error).toBeInstanceOf(IcebergError);
    expect([error.status, error.type]).toEqual([404, 'NoSuchTableException']);
    expect(error.message).toContain('"sales.orders"');
  });

  it('refuses a multi-level or empty namespace with 404 NoSuchNamespaceException on namespace routes', () => {
    expect(refusal(() => databaseOf('a\u001fb', 'namespace')).type).toBe('NoSuchNamespaceException');
    expect(refusal(() => databaseOf('', 'namespace')).status).toBe(404);
  });

  it('refuses names that can never be Glue tables with 400', () => {
    for (const name of ['a/b', 'a:b', 'a b', 'a*', 'x\u0000']) {
      const error = refusal(() => tableIdentity(REGION, CATALOG, 'sales', name));
      expect([error.status, error.type], name).toEqual([400, 'BadRequestException']);
    }
  });
});
