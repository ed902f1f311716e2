import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CatalogError, DEMO_PRINCIPAL, loadCatalogFile, parseCatalog } from '../../../src/emulator/index.js';
import { DEMO_CATALOG_PATH } from '../../support/emulator.js';

function problemsOf(yaml: string): readonly string[] {
  try {
    parseCatalog(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return (err as CatalogError).problems;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('the demo catalog', () => {
  it('loads, with the tables, partitions and grants the demo relies on', async () => {
    const catalog = await loadCatalogFile(DEMO_CATALOG_PATH);
    expect(catalog.account).toBe('123456789012');
    expect(catalog.region).toBe('us-east-1');
    expect(catalog.maxSessionSeconds).toBe(43_200);
    const sales = catalog.databases.find((d) => d.name === 'sales')!;
    const [orders, customers, payments] = sales.tables;
    expect(orders).toMatchObject({ name: 'orders', location: 's3://demo-lake/sales/orders/', partitionKeys: ['dt'] });
    expect(orders!.partitions).toEqual([
      { values: ['2024-01-01'], location: 's3://demo-lake/sales/orders/dt=2024-01-01/' },
      { values: ['2024-01-02'], location: 's3://demo-lake/sales/orders/dt=2024-01-02/' },
      { values: ['2024-01-03'], location: 's3://demo-lake/sales/orders/dt=2024-01-03/' },
    ]);
    expect(customers).toMatchObject({ location: 's3://demo-lake/sales/customers/', requiredPermissionTypes: ['COLUMN_PERMISSION'] });
    expect(payments!.location).toBe('s3://demo-lake/sales/payments/');
    expect(catalog.principals).toHaveLength(2);
  });

  it('holds DEMO_PRINCIPAL, with a 40-character secret, and its grants', async () => {
    const catalog = await loadCatalogFile(DEMO_CATALOG_PATH);
    expect(catalog.principals[0]).toMatchObject(DEMO_PRINCIPAL);
    expect(DEMO_PRINCIPAL.secretAccessKey).toHaveLength(40);
    expect(catalog.principals[1]!.secretAccessKey).toHaveLength(40);
    const grants = catalog.grants.filter((g) => g.principal === DEMO_PRINCIPAL.principalArn);
    expect(grants).toEqual([
      { principal: DEMO_PRINCIPAL.principalArn, table: 'sales.orders', permissions: ['SELECT', 'DESCRIBE'] },
      { principal: DEMO_PRINCIPAL.principalArn, table: 'sales.customers', permissions: ['SELECT', 'DESCRIBE'] },
      { principal: DEMO_PRINCIPAL.principalArn, table: 'sales.payments', permissions: ['DESCRIBE'] },
      { principal: DEMO_PRINCIPAL.principalArn, table: 'sales.returns', permissions: ['SELECT', 'INSERT', 'DESCRIBE'] },
    ]);
    expect(catalog.grants.some((g) => g.principal === catalog.principals[1]!.principalArn)).toBe(false);
  });

  it('is frozen once validated', async () => {
    const catalog = await loadCatalogFile(DEMO_CATALOG_PATH);
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.databases[0]!.tables[0]!.partitions)).toBe(true);
  });
});

describe('catalog validation', () => {
  it('reports every shape problem at once, each with its path', () => {
    const problems = problemsOf(`
account: 12345678901
region: Virginia
maxSessionSeconds: 60
principals:
  - accessKeyId: short
    principalArn: arn:aws:iam::123456789012:group/admins
databases:
  - name: sales
    tables:
      - name: orders
        location: /data/orders
        partitions:
          - values: [20240101]
            location: s3://demo-lake/sales/orders/dt=2024-01-01/
        requiredPermissionTypes: [ROW_PERMISSION]
grants:
  - principal: arn:aws:iam::123456789012:role/x
    table: sales.orders
    permisions: [SELECT]
`);
    const expected = [
      'account',
      'region',
      'maxSessionSeconds',
      'principals[0].accessKeyId',
      'principals[0].secretAccessKey: is required',
      'principals[0].principalArn',
      'databases[0].tables[0].location',
      'databases[0].tables[0].partitions[0].values[0]',
      'databases[0].tables[0].requiredPermissionTypes[0]',
      'grants[0].permissions: is required',
      'grants[0]: Unrecognized key: "permisions"',
    ];
    for (const start of expected) expect(problems.some((p) => p.startsWith(start))).toBe(true);
    expect(problems).toHaveLength(expected.length);
  });

  it('names the accepted values of an enum', () => {
    const problems = problemsOf(`
account: "123456789012"
region: us-east-1
principals: []
databases: []
grants:
  - principal: arn:aws:iam::123456789012:role/x
    table: "*"
    permissions: [READ]
`);
    expect(problems).toContain('principals: must name at least one principal');
    expect(problems.find((p) => p.startsWith('grants[0].permissions[0]'))).toContain('"SELECT"');
  });

  it('reports every broken reference and duplicate at once', () => {
    const problems = problemsOf(`
account: "123456789012"
region: us-east-1
principals:
  - accessKeyId: AKIAAAAAAAAAAAAAAAAA
    secretAccessKey: one
    principalArn: arn:aws:iam::123456789012:role/a
  - accessKeyId: AKIAAAAAAAAAAAAAAAAA
    secretAccessKey: two
    principalArn: arn:aws:iam::123456789012:role/b
databases:
  - name: sales
    tables:
      - name: orders
        location: s3://lake/orders/
        partitionKeys: [dt, region]
        partitions:
          - values: ["2024-01-01"]
            location: s3://lake/orders/dt=2024-01-01/
      - name: orders
        location: s3://lake/orders2/
grants:
  - principal: arn:aws:iam::123456789012:role/nobody
    table: sales.refunds
    permissions: [SELECT]
  - principal: arn:aws:iam::123456789012:role/a
    table: hr.*
    permissions: [ALL]
`);
    expect(problems).toEqual([
      'principals[1].accessKeyId: duplicates access key id AKIAAAAAAAAAAAAAAAAA',
      'databases[0].tables[1].name: duplicates table orders',
      'databases[0].tables[0].partitions[0].values: has 1 value(s) but the table has 2 partition key(s)',
      'grants[0].principal: names arn:aws:iam::123456789012:role/nobody, which is not in principals or roles',
      'grants[0].table: names sales.refunds, which is not in databases',
      'grants[1].table: names hr.*, which is not in databases',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const problems = problemsOf('account: "123456789012"\nregion: [us-east-1\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^YAML line \d+: /);
  });

  it('names the file in the error message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lfcs-catalog-'));
    try {
      const path = join(dir, 'broken.yaml');
      await writeFile(path, 'account: nope\n');
      await expect(loadCatalogFile(path)).rejects.toThrow(new RegExp(`Invalid catalog ${path}.*\\n  - account:`));
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('never echoes a secret in its messages', () => {
    const problems = problemsOf(`
account: "123456789012"
region: us-east-1
principals:
  - accessKeyId: AKIAAAAAAAAAAAAAAAAA
    secretAccessKey: 12345
    principalArn: arn:aws:iam::123456789012:role/a
databases: []
`);
    expect(problems).toEqual(['principals[0].secretAccessKey: Invalid input: expected string, received number']);
  });
});
