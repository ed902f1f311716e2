import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission } from '../../../src/lakeformation/types.js';
import { authorize } from '../../../src/emulator/authorize.js';
import { CatalogIndex } from '../../../src/emulator/catalog-index.js';
import { parseCatalog } from '../../../src/emulator/catalog.js';
import type { ServiceError } from '../../../src/emulator/service-error.js';

const PRINCIPAL_ARN = 'arn:aws:iam::123456789012:role/caller';
const TABLE_ARN = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

function indexGranting(grants: { table: string; permissions: Permission[] }[]): CatalogIndex {
  const grantYaml = grants
    .map((g) => `  - principal: ${PRINCIPAL_ARN}\n    table: "${g.table}"\n    permissions: [${g.permissions.join(', ')}]`)
    .join('\n');
  return new CatalogIndex(
    parseCatalog(`
account: "123456789012"
region: us-east-1
principals:
  - accessKeyId: AKIACALLER0000000001
    secretAccessKey: secret
    principalArn: ${PRINCIPAL_ARN}
databases:
  - name: sales
    tables:
      - name: orders
        location: s3://lake/orders/
grants:
${grantYaml || '  []'}
`),
  );
}

function decide(index: CatalogIndex, permissions: Permission[] | undefined): string {
  const principal = index.principalByAccessKeyId('AKIACALLER0000000001')!;
  try {
    authorize(index, principal, {
      operation: 'GetTemporaryGlueTableCredentials',
      input: { TableArn: TABLE_ARN, ...(permissions ? { Permissions: permissions } : {}) },
    });
    return 'allowed';
  } catch (err) {
    return (err as ServiceError).name;
  }
}

describe('permission checks', () => {
  const permission = fc.constantFrom(...PERMISSIONS);
  const target = fc.constantFrom('sales.orders', 'sales.*', '*');

  it('allow exactly when every requested permission is granted, or ALL/SUPER_USER is', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ table: target, permissions: fc.uniqueArray(permission, { minLength: 1, maxLength: 4 }) }), {
          maxLength: 3,
        }),
        fc.option(fc.uniqueArray(permission, { maxLength: 4 }), { nil: undefined }),
        (grants, requested) => {
          const granted = new Set(grants.flatMap((g) => g.permissions));
          const wanted = requested && requested.length > 0 ? requested : ['SELECT' as const];
          const expected =
            granted.has('ALL') || granted.has('SUPER_USER') || wanted.every((p) => granted.has(p)) ? 'allowed' : 'AccessDeniedException';
          expect(decide(indexGranting(grants), requested)).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
