import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/cache/index.js';
import type { Lease } from '../../../src/lakeformation/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Prewarmer } from '../../../src/sidecar/prewarm.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain } from '../../support/settle.js';
import { Writable } from 'node:stream';

const ORDERS = 's3://lake/sales/orders';
const RETURNS = 's3://lake/sales/returns';

function lease(accessible: string[] | undefined): Lease {
  return {
    accessKeyId: 'ASIAFAKEPREWARM00001',
    secretAccessKey: 'prewarm-secret',
    sessionToken: 'prewarm-token',
    expiration: new Date(Date.UTC(2030, 0, 1)),
    ...(accessible && { accessibleDataLocations: accessible }),
  };
}

function prewarmer(answers: Lease[]) {
  const clock = new FakeClock();
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  });
  let calls = 0;
  const prewarm = new Prewarmer({
    cache: { getPrepared: async () => ({ lease: answers[Math.min(calls++, answers.length - 1)]! }), peek: () => undefined },
    clock,
    logger,
    profiles: new Map([
      [
        'lake',
        prepareRequest({ operation: 'GetTemporaryDataLocationCredentials', dataLocations: [ORDERS, RETURNS], credentialsScope: 'READ' }),
      ],
    ]),
    retryBaseDelayMs: 100,
    retryMaxDelayMs: 1000,
    random: () => 0.5,
  });
  return { prewarm, clock, logs: () => lines.join(''), calls: () => calls };
}

describe('prewarm coverage of location profiles', () => {
  it('is ready when AccessibleDataLocations names every requested location', async () => {
    const { prewarm } = prewarmer([lease([RETURNS, `${ORDERS}/`])]);
    prewarm.start();
    await prewarm.done();
    expect(prewarm.states()['lake']).toEqual({ state: 'ready' });
  });

  it('is not ready, names the missing locations in state and log, and turns ready once a later answer covers them', async () => {
    const { prewarm, clock, logs, calls } = prewarmer([lease([ORDERS]), lease([ORDERS, RETURNS])]);
    prewarm.start();
    await drain();
    expect(prewarm.states()['lake']).toMatchObject({
      state: 'failed',
      error: { code: 'IncompleteCoverage' },
      missingLocations: [RETURNS],
    });
    expect(logs()).toContain(RETURNS);
    expect(logs()).not.toContain('prewarm-secret');
    await clock.advance(1000);
    await prewarm.done();
    expect(calls()).toBe(2);
    expect(prewarm.states()['lake']).toEqual({ state: 'ready' });
    prewarm.stop();
  });

  it('treats an answer without AccessibleDataLocations as covering nothing', async () => {
    const { prewarm } = prewarmer([lease(undefined)]);
    prewarm.start();
    await drain();
    expect(prewarm.states()['lake']).toMatchObject({ state: 'failed', missingLocations: [ORDERS, RETURNS] });
    prewarm.stop();
  });
});
