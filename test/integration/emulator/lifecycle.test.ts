import { GetTemporaryGlueTableCredentialsCommand } from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { admin, errorOf, lakeFormationClient, ORDERS_ARN, rawRequest, startTestEmulator, until } from '../../support/emulator.js';

describe('emulator lifecycle', () => {
  it('listens on 127.0.0.1 on a free port and reports its URL', async () => {
    const emulator = await startTestEmulator();
    try {
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    } finally {
      await emulator.close();
    }
  });

  it('closes promptly while an SDK client holds a keep-alive connection', async () => {
    const emulator = await startTestEmulator();
    const client = lakeFormationClient(emulator);
    try {
      await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
      // The SDK's agent keeps the socket open; close() must not wait for it to idle out.
      // Twice at once, as a signal handler and a test teardown might.
      await Promise.all([emulator.close(), emulator.close()]);
      const err = await errorOf(() => rawRequest(emulator, { method: 'GET', path: '/_emulator/stats' }));
      expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    } finally {
      client.destroy();
    }
  });

  it('closes while a call waits on a latency fault, dropping that call', async () => {
    const clock = new FakeClock(Date.now());
    const emulator = await startTestEmulator({ clock });
    const client = lakeFormationClient(emulator, { maxAttempts: 1 });
    try {
      await admin(emulator).setFaults({ latencyMs: 60_000 });
      const call = errorOf(() => client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
      await until(() => clock.pendingTimers === 1);
      await emulator.close();
      expect(clock.pendingTimers).toBe(0);
      expect((await call).$metadata?.httpStatusCode).toBeUndefined();
    } finally {
      client.destroy();
    }
  });
});
