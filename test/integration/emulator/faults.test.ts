import {
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  InternalServiceException,
} from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_ARN, admin, errorOf, useEmulator, until } from '../../support/emulator.js';

describe('fault injection', () => {
  // Latency waits on this clock, so the test moves time instead of sleeping.
  const clock = new FakeClock(Date.now());
  const lf = useEmulator({ clock, client: { maxAttempts: 1 } });

  const orders = () => lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));

  it('shows the faults, merging each POST into the current ones', async () => {
    expect(await admin(lf.emulator).get('faults')).toEqual({
      throttleNext: 0,
      errorRate: 0,
      errorCode: 'InternalServiceException',
      latencyMs: 0,
      outage: false,
      catalogThrottleNext: 0,
    });
    await admin(lf.emulator).setFaults({ latencyMs: 250 });
    await admin(lf.emulator).setFaults({ errorRate: 0.5, errorCode: 'OperationTimeoutException' });
    expect(await admin(lf.emulator).get('faults')).toEqual({
      throttleNext: 0,
      errorRate: 0.5,
      errorCode: 'OperationTimeoutException',
      latencyMs: 250,
      outage: false,
      catalogThrottleNext: 0,
    });
    const cleared = await admin(lf.emulator).clearFaults();
    expect(cleared.status).toBe(200);
    expect(cleared.json.latencyMs).toBe(0);
  });

  it('rejects invalid faults, naming every bad member', async () => {
    const response = await admin(lf.emulator).call('POST', 'faults', {
      errorRate: 2,
      errorCode: 'TeapotException',
      latencyMs: -1,
      outrage: true,
    });
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe('InvalidFaultsException');
    for (const member of ['errorRate', 'errorCode', 'latencyMs', 'outrage']) {
      expect(response.json.message).toContain(member);
    }
    expect(await admin(lf.emulator).get('faults')).toMatchObject({ errorRate: 0, latencyMs: 0 });
  });

  it('delays answers by latencyMs on the emulator clock', async () => {
    await admin(lf.emulator).setFaults({ latencyMs: 5_000 });
    let settled = false;
    const call = orders().finally(() => {
      settled = true;
    });
    await until(() => clock.pendingTimers === 1);
    await clock.advance(4_999);
    expect(settled).toBe(false);
    await clock.advance(1);
    const out = await call;
    expect(out.AccessKeyId).toMatch(/^ASIA/);
  });

  it('answers errorCode for errorRate of the calls (InternalServiceException by default)', async () => {
    await admin(lf.emulator).setFaults({ errorRate: 1 });
    const err = await errorOf(orders);
    expect(err).toBeInstanceOf(InternalServiceException);
    expect(err.$metadata?.httpStatusCode).toBe(500);

    await admin(lf.emulator).setFaults({ errorCode: 'ThrottlingException' });
    const throttled = await errorOf(orders);
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe('Rate exceeded');

    await admin(lf.emulator).setFaults({ errorRate: 0 });
    expect((await orders()).AccessKeyId).toMatch(/^ASIA/);
  });

  it('drops connections without an answer during an outage, and recovers after DELETE', async () => {
    await admin(lf.emulator).setFaults({ outage: true });
    const err = await errorOf(orders);
    // A network failure, not a service answer.
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(err.name).not.toMatch(/Exception$/);

    // Admin endpoints stay up, so the outage can be ended.
    await admin(lf.emulator).clearFaults();
    expect((await orders()).AccessKeyId).toMatch(/^ASIA/);
    expect(await admin(lf.emulator).get('stats')).toEqual({
      calls: { GetTemporaryGlueTableCredentials: { outage: 1, success: 1 } },
      total: 2,
    });
  });

  it('counts every call by operation and outcome', async () => {
    await orders();
    await orders();
    await admin(lf.emulator).setFaults({ errorRate: 1 });
    await errorOf(orders);
    await admin(lf.emulator).setFaults({ errorRate: 0, throttleNext: 1 });
    await errorOf(() =>
      lf.client.send(new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-01'] } })),
    );
    await admin(lf.emulator).setFaults({ outage: true });
    await errorOf(orders);
    expect(await admin(lf.emulator).get('stats')).toEqual({
      calls: {
        GetTemporaryGlueTableCredentials: { success: 2, InternalServiceException: 1, outage: 1 },
        GetTemporaryGluePartitionCredentials: { ThrottlingException: 1 },
      },
      total: 5,
    });
  });
});
