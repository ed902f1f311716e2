import { GetTemporaryGluePartitionCredentialsCommand } from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_ARN, admin, useEmulator } from '../../support/emulator.js';

const START_MS = Math.floor(Date.now() / 1000) * 1000;

describe('GetTemporaryGluePartitionCredentials', () => {
  const lf = useEmulator({ clock: new FakeClock(START_MS) });

  it('vends credentials for a known partition, without VendedS3Path', async () => {
    const out = await lf.client.send(
      new GetTemporaryGluePartitionCredentialsCommand({
        TableArn: ORDERS_ARN,
        Partition: { Values: ['2024-01-02'] },
        DurationSeconds: 1200,
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(out.SessionToken!.length).toBeGreaterThanOrEqual(300);
    expect(out.Expiration!.getTime()).toBe(START_MS + 1200 * 1000);
    expect(out).not.toHaveProperty('VendedS3Path');
  });

  it('records the partition location it vended for, which the response cannot carry', async () => {
    const out = await lf.client.send(
      new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-03'] } }),
    );
    const [request] = await admin(lf.emulator).get('requests');
    expect(request).toMatchObject({
      operation: 'GetTemporaryGluePartitionCredentials',
      outcome: 'success',
      vendedPaths: ['s3://demo-lake/sales/orders/dt=2024-01-03/'],
    });
    const [vended] = await admin(lf.emulator).get('vended');
    expect(vended).toMatchObject({
      accessKeyId: out.AccessKeyId,
      partitionValues: ['2024-01-03'],
      vendedPaths: ['s3://demo-lake/sales/orders/dt=2024-01-03/'],
    });
  });
});
