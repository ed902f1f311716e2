import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_PRINCIPAL, type RunningEmulator } from '../../../src/emulator/index.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { spawnLfcs, type Spawned } from '../../support/spawn-lfcs.js';
import { startTestEmulator } from '../../support/emulator.js';

/**
 * Graceful shutdown, tested on a real `lfcs serve` process (as pino tests its
 * signal handling): readiness turns 503 at once, requests keep being served
 * during the drain period, and the process exits 0.
 */
let emulator: RunningEmulator;
let dir: string;
let lfcs: Spawned | undefined;

beforeAll(async () => {
  emulator = await startTestEmulator();
  dir = mkdtempSync(join(tmpdir(), 'lfcs-shutdown-'));
});
afterAll(async () => {
  await lfcs?.kill();
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGTERM', () => {
  it('drains in-flight and new requests, turns unready at once, and exits 0', async () => {
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      stringify({
        region: 'us-east-1',
        upstream: { endpoint: emulator.url },
        listen: { port: 0 },
        admin: { host: '127.0.0.1', port: 0 },
        auth: { tokenFile: join(dir, 'token') },
        profiles: { orders: { tableArn: ORDERS_ARN } },
        shutdown: { drainSeconds: 1, graceSeconds: 10 },
      }),
    );
    lfcs = spawnLfcs(['serve', '--config', configFile], {
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
    });
    const listening = await lfcs.waitForLog((l) => l['msg'] === 'lfcs listening');
    const credentialsUrl = listening['credentials'] as string;
    const adminUrl = listening['admin'] as string;
    await lfcs.waitForLog((l) => l['msg'] === 'profile prewarmed');
    const token = readFileSync(join(dir, 'token'), 'utf8');
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);

    const fetchCredentials = () =>
      fetch(`${credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: token } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    // Load in flight at the moment of the signal.
    const inFlight = Array.from({ length: 200 }, fetchCredentials);
    process.kill(lfcs.child.pid!, 'SIGTERM');
    await lfcs.waitForLog((l) => l['msg'] === 'shutting down');
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(503);
    // The app container may still fetch while it stops: served during the drain.
    const duringDrain = await Promise.all(Array.from({ length: 50 }, fetchCredentials));
    const statuses = [...(await Promise.all(inFlight)), ...duringDrain];
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await lfcs.exited).toBe(0);
    expect(lfcs.stdout()).not.toContain(token);
  });
});

describe('start-up warnings', () => {
  it('serve logs every configuration warning, the cross-region profile included', async () => {
    const configFile = join(dir, 'warnings.yaml');
    writeFileSync(
      configFile,
      stringify({
        region: 'us-east-1',
        upstream: { endpoint: emulator.url },
        listen: { port: 0 },
        admin: { host: '127.0.0.1', port: 0 },
        auth: { tokenFile: join(dir, 'token-warnings') },
        prewarm: { enabled: false },
        profiles: { eu: { tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders' } },
        shutdown: { drainSeconds: 0, graceSeconds: 5 },
      }),
    );
    const serve = spawnLfcs(['serve', '--config', configFile], {
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
    });
    try {
      const warning = await serve.waitForLog((l) => l['level'] === 'warn');
      expect(warning['msg']).toMatch(/profiles\.eu\.tableArn is in region eu-west-1, but region is us-east-1/);
      await serve.waitForLog((l) => l['msg'] === 'lfcs listening');
      process.kill(serve.child.pid!, 'SIGTERM');
      expect(await serve.exited).toBe(0);
    } finally {
      await serve.kill();
    }
  });
});
