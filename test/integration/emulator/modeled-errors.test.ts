import {
  AccessDeniedException,
  EntityNotFoundException,
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  InternalServiceException,
  InvalidInputException,
  LakeFormationServiceException,
  OperationTimeoutException,
  PermissionTypeMismatchException,
} from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import {
  CUSTOMERS_ARN,
  ORDERS_ARN,
  PAYMENTS_ARN,
  admin,
  errorOf,
  lakeFormationClient,
  noGrantsKeys,
  signedRequest,
  useEmulator,
} from '../../support/emulator.js';

// Each modeled error must reach the caller as the SDK's own exception class,
// because that (and err.name) is what the sidecar classifies by.
describe('modeled errors', () => {
  // One attempt: the 500 would otherwise be retried.
  const lf = useEmulator({ client: { maxAttempts: 1 } });

  it('AccessDeniedException (403) when the grant lacks the permission', async () => {
    const err = await errorOf(() =>
      lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: PAYMENTS_ARN, Permissions: ['SELECT'] })),
    );
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.name).toBe('AccessDeniedException');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toContain('SELECT');
  });

  it('AccessDeniedException for SELECT, the default, when the caller names no permission', async () => {
    const err = await errorOf(() => lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: PAYMENTS_ARN })));
    expect(err).toBeInstanceOf(AccessDeniedException);
  });

  it('allows what the grant holds: DESCRIBE on payments', async () => {
    const out = await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: PAYMENTS_ARN, Permissions: ['DESCRIBE'] }));
    expect(out.VendedS3Path).toEqual(['s3://demo-lake/sales/payments/']);
  });

  it('AccessDeniedException for a principal with no grants, on both operations', async () => {
    const stranger = lakeFormationClient(lf.emulator, { maxAttempts: 1, credentials: noGrantsKeys() });
    try {
      const table = await errorOf(() => stranger.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
      expect(table).toBeInstanceOf(AccessDeniedException);
      const partition = await errorOf(() =>
        stranger.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-01'] } })),
      );
      expect(partition).toBeInstanceOf(AccessDeniedException);
      expect(partition.$metadata?.httpStatusCode).toBe(403);
    } finally {
      stranger.destroy();
    }
  });

  it('EntityNotFoundException (400) for an unknown database, table or account', async () => {
    for (const arn of [
      'arn:aws:glue:us-east-1:123456789012:table/sales/refunds',
      'arn:aws:glue:us-east-1:123456789012:table/hr/orders',
      'arn:aws:glue:us-east-1:210987654321:table/sales/orders',
    ]) {
      const err = await errorOf(() => lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: arn })));
      expect(err).toBeInstanceOf(EntityNotFoundException);
      expect(err.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('EntityNotFoundException (400) for unknown partition values', async () => {
    const err = await errorOf(() =>
      lf.client.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['1999-12-31'] } })),
    );
    expect(err).toBeInstanceOf(EntityNotFoundException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('EntityNotFoundException comes before AccessDeniedException', async () => {
    const stranger = lakeFormationClient(lf.emulator, { maxAttempts: 1, credentials: noGrantsKeys() });
    try {
      const err = await errorOf(() =>
        stranger.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/nope' })),
      );
      expect(err).toBeInstanceOf(EntityNotFoundException);
    } finally {
      stranger.destroy();
    }
  });

  it('InvalidInputException (400) for a request outside the model constraints', async () => {
    const err = await errorOf(() =>
      lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN, DurationSeconds: 60 })),
    );
    expect(err).toBeInstanceOf(InvalidInputException);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('PermissionTypeMismatchException (400) when the caller cannot enforce the table policy', async () => {
    for (const supported of [undefined, ['CELL_FILTER_PERMISSION' as const]]) {
      const err = await errorOf(() =>
        lf.client.send(
          new GetTemporaryGlueTableCredentialsCommand({
            TableArn: CUSTOMERS_ARN,
            ...(supported ? { SupportedPermissionTypes: supported } : {}),
          }),
        ),
      );
      expect(err).toBeInstanceOf(PermissionTypeMismatchException);
      expect(err.$metadata?.httpStatusCode).toBe(400);
      expect(err.message).toContain('COLUMN_PERMISSION');
    }
  });

  it('AccessDeniedException comes before PermissionTypeMismatchException', async () => {
    const stranger = lakeFormationClient(lf.emulator, { maxAttempts: 1, credentials: noGrantsKeys() });
    try {
      const err = await errorOf(() => stranger.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: CUSTOMERS_ARN })));
      expect(err).toBeInstanceOf(AccessDeniedException);
    } finally {
      stranger.destroy();
    }
  });

  it('InternalServiceException (500) and OperationTimeoutException (400), injected', async () => {
    await admin(lf.emulator).setFaults({ errorRate: 1 });
    const internal = await errorOf(() => lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
    expect(internal).toBeInstanceOf(InternalServiceException);
    expect(internal.$metadata?.httpStatusCode).toBe(500);

    await admin(lf.emulator).setFaults({ errorCode: 'OperationTimeoutException' });
    const timeout = await errorOf(() =>
      lf.client.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-01'] } })),
    );
    expect(timeout).toBeInstanceOf(OperationTimeoutException);
    expect(timeout.$metadata?.httpStatusCode).toBe(400);
  });

  it('sends errors as restJson1 does: x-amzn-errortype, __type, message, a request id', async () => {
    const response = await signedRequest(lf.emulator, '/GetTemporaryGlueTableCredentials', JSON.stringify({ TableArn: PAYMENTS_ARN }));
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json).toEqual({ __type: 'AccessDeniedException', message: expect.any(String) });
  });

  it('every modeled error shares the SDK base class LakeFormationServiceException', async () => {
    const err = await errorOf(() => lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: PAYMENTS_ARN })));
    expect(err).toBeInstanceOf(LakeFormationServiceException);
  });
});
