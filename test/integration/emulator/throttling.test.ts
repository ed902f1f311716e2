import { GetTemporaryGlueTableCredentialsCommand, type LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { ORDERS_ARN, admin, errorOf, lakeFormationClient, startTestEmulator } from '../../support/emulator.js';

// Throttling is not modeled for these operations: it arrives as a 400 named
// ThrottlingException, "Rate exceeded", and the SDK retries it by name.
describe('throttling', () => {
  let emulator: RunningEmulator;
  let retrying: LakeFormationClient;
  let oneShot: LakeFormationClient;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    retrying = lakeFormationClient(emulator); // default retry strategy: 3 attempts
    oneShot = lakeFormationClient(emulator, { maxAttempts: 1 });
  });
  afterAll(async () => {
    retrying.destroy();
    oneShot.destroy();
    await emulator.close();
  });
  beforeEach(() => admin(emulator).reset());

  it('is retried by the SDK until the throttle passes', async () => {
    await admin(emulator).setFaults({ throttleNext: 2 });
    const out = await retrying.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(out.AccessKeyId).toMatch(/^ASIA/);
    expect(out.$metadata.attempts).toBe(3);
    expect(await admin(emulator).get('stats')).toEqual({
      calls: { GetTemporaryGlueTableCredentials: { ThrottlingException: 2, success: 1 } },
      total: 3,
    });
    expect((await admin(emulator).get('faults')).throttleNext).toBe(0);
  });

  it('reaches a client that does not retry as ThrottlingException "Rate exceeded" (400)', async () => {
    await admin(emulator).setFaults({ throttleNext: 1 });
    const err = await errorOf(() => oneShot.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
    expect(err.name).toBe('ThrottlingException');
    expect(err.message).toBe('Rate exceeded');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    // The throttle is spent: the next call succeeds.
    const out = await oneShot.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(out.AccessKeyId).toMatch(/^ASIA/);
  });

  it('applies after authentication: a bad signature does not consume it', async () => {
    await admin(emulator).setFaults({ throttleNext: 1 });
    const forger = lakeFormationClient(emulator, {
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIALFCSDEMO00000001', secretAccessKey: 'z'.repeat(40) },
    });
    try {
      const err = await errorOf(() => forger.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
      expect(err.name).toBe('InvalidSignatureException');
    } finally {
      forger.destroy();
    }
    expect((await admin(emulator).get('faults')).throttleNext).toBe(1);
  });
});
