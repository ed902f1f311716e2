import { GetTemporaryGluePartitionCredentialsCommand, GetTemporaryGlueTableCredentialsCommand } from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { CUSTOMERS_ARN, ORDERS_ARN, admin, useEmulator } from '../../support/emulator.js';

// Every member the sidecar may send must reach the service as the SDK
// serialized it; /_emulator/requests shows the body as received.
describe('request members round-trip', () => {
  const lf = useEmulator();

  it('carries every table-call member, with QueryStartTime as epoch seconds', async () => {
    const queryStartTime = new Date('2026-01-02T03:04:05.678Z');
    await lf.client.send(
      new GetTemporaryGlueTableCredentialsCommand({
        TableArn: CUSTOMERS_ARN,
        Permissions: ['SELECT', 'DESCRIBE'],
        DurationSeconds: 1800,
        AuditContext: { AdditionalAuditContext: 'spark-app-42/job-7' },
        SupportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
        S3Path: 's3://demo-lake/sales/customers/region=eu/',
        QuerySessionContext: {
          QueryId: 'query-0001',
          QueryStartTime: queryStartTime,
          ClusterId: 'j-2AXXXXXXGAPLF',
          QueryAuthorizationId: 'auth-xyz',
          AdditionalContext: { engine: 'spark', user: 'analyst' },
        },
      }),
    );
    const [request] = await admin(lf.emulator).get('requests');
    expect(request).toMatchObject({
      operation: 'GetTemporaryGlueTableCredentials',
      principalArn: 'arn:aws:iam::123456789012:role/lfcs-demo-sidecar',
      outcome: 'success',
      vendedPaths: ['s3://demo-lake/sales/customers/region=eu/'],
    });
    expect(request.body).toEqual({
      TableArn: CUSTOMERS_ARN,
      Permissions: ['SELECT', 'DESCRIBE'],
      DurationSeconds: 1800,
      AuditContext: { AdditionalAuditContext: 'spark-app-42/job-7' },
      SupportedPermissionTypes: ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION'],
      S3Path: 's3://demo-lake/sales/customers/region=eu/',
      QuerySessionContext: {
        QueryId: 'query-0001',
        QueryStartTime: queryStartTime.getTime() / 1000,
        ClusterId: 'j-2AXXXXXXGAPLF',
        QueryAuthorizationId: 'auth-xyz',
        AdditionalContext: { engine: 'spark', user: 'analyst' },
      },
    });
  });

  it('carries every partition-call member', async () => {
    await lf.client.send(
      new GetTemporaryGluePartitionCredentialsCommand({
        TableArn: ORDERS_ARN,
        Partition: { Values: ['2024-01-01'] },
        Permissions: ['SELECT'],
        DurationSeconds: 900,
        AuditContext: { AdditionalAuditContext: 'trino-query-9' },
        SupportedPermissionTypes: ['NESTED_PERMISSION'],
      }),
    );
    const [request] = await admin(lf.emulator).get('requests');
    expect(request.operation).toBe('GetTemporaryGluePartitionCredentials');
    expect(request.body).toEqual({
      TableArn: ORDERS_ARN,
      Partition: { Values: ['2024-01-01'] },
      Permissions: ['SELECT'],
      DurationSeconds: 900,
      AuditContext: { AdditionalAuditContext: 'trino-query-9' },
      SupportedPermissionTypes: ['NESTED_PERMISSION'],
    });
  });

  it('logs refused requests too, with the error they got', async () => {
    await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: CUSTOMERS_ARN })).catch(() => undefined);
    const [request] = await admin(lf.emulator).get('requests');
    expect(request).toMatchObject({ body: { TableArn: CUSTOMERS_ARN }, outcome: 'PermissionTypeMismatchException' });
    expect(request).not.toHaveProperty('vendedPaths');
  });
});
