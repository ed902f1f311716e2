import {
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  InvalidInputException,
  type GetTemporaryGluePartitionCredentialsCommandInput,
  type GetTemporaryGlueTableCredentialsCommandInput,
} from '@aws-sdk/client-lakeformation';
import { afterAll, describe, expect, it } from 'vitest';
import { CUSTOMERS_ARN, ORDERS_ARN, admin, errorOf, signedRequest, useEmulator } from '../../support/emulator.js';

const TABLE_PATH = '/GetTemporaryGlueTableCredentials';
const PARTITION_PATH = '/GetTemporaryGluePartitionCredentials';

describe('input validation', () => {
  const lf = useEmulator({ client: { maxAttempts: 1 } });
  // Runs before the fixture stops the emulator: whatever was thrown at it, it still serves.
  afterAll(async () => {
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(out.AccessKeyId).toMatch(/^ASIA/);
  });

  /** Sends through the real SDK (which does not check constraints itself) and returns the error. */
  async function tableError(input: Record<string, unknown>) {
    return errorOf(() =>
      lf.client.send(new GetTemporaryGlueTableCredentialsCommand(input as unknown as GetTemporaryGlueTableCredentialsCommandInput)),
    );
  }
  async function partitionError(input: Record<string, unknown>) {
    return errorOf(() =>
      lf.client.send(new GetTemporaryGluePartitionCredentialsCommand(input as unknown as GetTemporaryGluePartitionCredentialsCommandInput)),
    );
  }
  function expectInvalidInput(err: Error & { $metadata?: { httpStatusCode?: number } }, field: string) {
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toContain(field);
  }

  describe('TableArn', () => {
    it('is required', async () => {
      expectInvalidInput(await tableError({}), 'TableArn');
      expectInvalidInput(await partitionError({ Partition: { Values: ['2024-01-01'] } }), 'TableArn');
    });

    it('must be a Glue table ARN with a 12-digit account', async () => {
      for (const TableArn of [
        'arn:aws:s3:::demo-lake',
        'arn:aws:glue:us-east-1:12345678901:table/sales/orders',
        'arn:aws:glue:us-east-1:123456789012:database/sales',
        'arn:aws:glue:us-east-1:123456789012:table/sales',
        'arn:aws:glue:us-east-1:123456789012:table/sales/orders/extra',
        'sales.orders',
      ]) {
        expectInvalidInput(await tableError({ TableArn }), 'TableArn');
      }
    });
  });

  it('Permissions must come from the Permission enum', async () => {
    expectInvalidInput(await tableError({ TableArn: ORDERS_ARN, Permissions: ['SELECT', 'READ'] }), 'Permissions[1]');
    expectInvalidInput(
      await partitionError({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-01'] }, Permissions: ['select'] }),
      'Permissions[0]',
    );
  });

  it('DurationSeconds must be an integer from 900 to 43200', async () => {
    for (const DurationSeconds of [899, 43_201, 0, -1]) {
      const err = await tableError({ TableArn: ORDERS_ARN, DurationSeconds });
      expectInvalidInput(err, 'DurationSeconds');
      expect(err.message).toContain('900 to 43200');
    }
    const fraction = await signedRequest(lf.emulator, TABLE_PATH, JSON.stringify({ TableArn: ORDERS_ARN, DurationSeconds: 1000.5 }));
    expect(fraction.status).toBe(400);
    expect(fraction.json.__type).toBe('InvalidInputException');
    expect(fraction.json.message).toContain('DurationSeconds');
    // The bounds themselves are accepted.
    for (const DurationSeconds of [900, 43_200]) {
      const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, DurationSeconds }));
      expect(out.AccessKeyId).toMatch(/^ASIA/);
    }
  });

  it('SupportedPermissionTypes must hold 1-255 PermissionType values', async () => {
    expectInvalidInput(await tableError({ TableArn: ORDERS_ARN, SupportedPermissionTypes: [] }), 'SupportedPermissionTypes');
    expectInvalidInput(
      await tableError({ TableArn: ORDERS_ARN, SupportedPermissionTypes: Array(256).fill('COLUMN_PERMISSION') }),
      'SupportedPermissionTypes',
    );
    expectInvalidInput(
      await tableError({ TableArn: ORDERS_ARN, SupportedPermissionTypes: ['ROW_PERMISSION'] }),
      'SupportedPermissionTypes[0]',
    );
  });

  it('Partition.Values is required and must be a non-empty list of strings', async () => {
    expectInvalidInput(await partitionError({ TableArn: ORDERS_ARN }), 'Partition');
    expectInvalidInput(await partitionError({ TableArn: ORDERS_ARN, Partition: {} }), 'Partition.Values');
    expectInvalidInput(await partitionError({ TableArn: ORDERS_ARN, Partition: { Values: [] } }), 'Partition.Values');
    for (const Partition of [{ Values: [20240101] }, { Values: '2024-01-01' }]) {
      const response = await signedRequest(lf.emulator, PARTITION_PATH, JSON.stringify({ TableArn: ORDERS_ARN, Partition }));
      expect(response.status).toBe(400);
      expect(response.json.__type).toBe('InvalidInputException');
      expect(response.json.message).toContain('Partition.Values');
    }
  });

  it('Partition.Values must have one value per partition key', async () => {
    expectInvalidInput(await partitionError({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-01', 'eu'] } }), 'Partition.Values');
    expectInvalidInput(
      await partitionError({
        TableArn: CUSTOMERS_ARN,
        Partition: { Values: ['2024-01-01'] },
        SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      }),
      'Partition.Values',
    );
  });

  describe('QuerySessionContext', () => {
    it('QueryId, ClusterId and QueryAuthorizationId must be 1-255 characters', async () => {
      for (const field of ['QueryId', 'ClusterId', 'QueryAuthorizationId']) {
        for (const value of ['', 'q'.repeat(256)]) {
          expectInvalidInput(
            await tableError({ TableArn: ORDERS_ARN, QuerySessionContext: { [field]: value } }),
            `QuerySessionContext.${field}`,
          );
        }
      }
    });

    it('AdditionalContext must map strings to strings', async () => {
      const response = await signedRequest(
        lf.emulator,
        TABLE_PATH,
        JSON.stringify({ TableArn: ORDERS_ARN, QuerySessionContext: { AdditionalContext: { engine: 7 } } }),
      );
      expect(response.status).toBe(400);
      expect(response.json.message).toContain('QuerySessionContext.AdditionalContext.engine');
    });

    it('QueryStartTime must be epoch seconds', async () => {
      const response = await signedRequest(
        lf.emulator,
        TABLE_PATH,
        JSON.stringify({ TableArn: ORDERS_ARN, QuerySessionContext: { QueryStartTime: '2024-01-01T00:00:00Z' } }),
      );
      expect(response.status).toBe(400);
      expect(response.json.message).toContain('QuerySessionContext.QueryStartTime');
    });
  });

  it('S3Path must lie under the table location', async () => {
    for (const S3Path of ['s3://demo-lake/sales/customers/', 's3://demo-lake/sales/orders-archive/', 's3://other/']) {
      expectInvalidInput(await tableError({ TableArn: ORDERS_ARN, S3Path }), 'S3Path');
    }
  });

  it('reports every invalid field at once', async () => {
    const err = await tableError({ TableArn: 'nope', DurationSeconds: 5, Permissions: ['READ'] });
    expectInvalidInput(err, '3 validation error(s)');
    for (const field of ['TableArn', 'DurationSeconds', 'Permissions[0]']) expect(err.message).toContain(field);
  });

  it('answers SerializationException (400) for a body that is not a JSON object', async () => {
    for (const body of ['{"TableArn": ', 'not json', '[1, 2]', '"text"', 'null']) {
      const response = await signedRequest(lf.emulator, TABLE_PATH, body);
      expect(response.status).toBe(400);
      expect(response.headers['x-amzn-errortype']).toBe('SerializationException');
      expect(response.json.__type).toBe('SerializationException');
    }
  });

  it('ignores unknown top-level members, like the service', async () => {
    const response = await signedRequest(
      lf.emulator,
      TABLE_PATH,
      JSON.stringify({ TableArn: ORDERS_ARN, CatalogId: '123456789012', SomethingNew: { x: 1 } }),
    );
    expect(response.status).toBe(200);
    expect(response.json.VendedS3Path).toEqual(['s3://demo-lake/sales/orders/']);
  });

  it('counts validation failures in the stats', async () => {
    await tableError({ TableArn: ORDERS_ARN, DurationSeconds: 1 });
    await signedRequest(lf.emulator, TABLE_PATH, '{');
    expect(await admin(lf.emulator).get('stats')).toEqual({
      calls: { GetTemporaryGlueTableCredentials: { InvalidInputException: 1, SerializationException: 1 } },
      total: 2,
    });
  });
});
