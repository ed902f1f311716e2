/** Readiness is a pure function of the facts; a lost profile lease is prewarmed again by the prewarmer, not by a probe. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/cache/index.js';
import type { Lease } from '../../../src/lakeformation/types.js';
import { createLogger } from '../../../src/observability/logger.js';
import { Prewarmer } from '../../../src/sidecar/prewarm.js';
import { readiness, type ReadinessFacts } from '../../../src/sidecar/readiness.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { drain } from '../../support/settle.js';

const ready: ReadinessFacts = {
  shuttingDown: false,
  listeners: { credentials: true, admin: true },
  issuerProblem: undefined,
  profiles: { orders: { state: 'ready' } },
  leases: { orders: { missingLocations: [] } },
};

describe('readiness', () => {
  it('is ready when every listener listens and every prewarmed profile has a live, complete lease', () => {
    expect(readiness(ready)).toEqual({ ready: true, reasons: [], profiles: ready.profiles });
  });

  it('names each reason: listeners, issuer, prewarm, missing locations, lost leases', () => {
    const report = readiness({
      shuttingDown: false,
      listeners: { credentials: false, admin: true, lakeformationApi: false },
      issuerProblem: 'the issuer is unreachable',
      profiles: { orders: { state: 'ready' }, lake: { state: 'ready' }, late: { state: 'pending' } },
      leases: { orders: undefined, lake: { missingLocations: ['s3://lake/b'] } },
    });
    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual([
      'credentials listener is not listening',
      'Lake Formation API listener is not listening',
      'the issuer is unreachable',
      'profiles not prewarmed: late',
      'profile lake: Lake Formation did not grant s3://lake/b',
      'profiles without a valid lease: orders',
    ]);
  });

  it('returns the same report for the same facts, however often it is asked', () => {
    const facts = { ...ready, leases: { orders: undefined } };
    expect(readiness(facts)).toEqual(readiness(facts));
    expect(facts.leases).toEqual({ orders: undefined });
  });
});

describe('prewarm watch', () => {
  it('prewarms a profile again when its lease expires with no renewal, without any probe', async () => {
    const clock = new FakeClock(0);
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
    const lease = (): Lease => ({
      accessKeyId: 'ASIAFAKEWATCH0000001',
      secretAccessKey: 'watch-secret',
      sessionToken: 'watch-token',
      expiration: new Date(clock.now() + 3600_000),
    });
    let calls = 0;
    let live: { expiration: Date } | undefined;
    const prewarm = new Prewarmer({
      cache: {
        getPrepared: async () => {
          calls += 1;
          const answer = lease();
          live = { expiration: answer.expiration };
          return { lease: answer };
        },
        peek: () => live,
      },
      clock,
      logger,
      profiles: new Map([
        [
          'orders',
          prepareRequest({
            operation: 'GetTemporaryGlueTableCredentials',
            tableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/orders',
          }),
        ],
      ]),
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      random: () => 0.5,
    });
    prewarm.start();
    await prewarm.done();
    expect(calls).toBe(1);
    // Renewed in the cache: the watch follows the new lease and prewarms nothing.
    live = { expiration: new Date(3600_000 + 1800_000) };
    await clock.advance(3600_000);
    await drain();
    expect(calls).toBe(1);
    // Lost: at its expiry the profile is prewarmed again.
    live = undefined;
    await clock.advance(1800_000);
    await drain();
    expect(calls).toBe(2);
    expect(prewarm.wasReady('orders')).toBe(true);
    expect(lines.join('')).toContain('profile lost its lease; prewarming it again');
    prewarm.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
