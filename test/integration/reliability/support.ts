/**
 * Helpers for the reliability tests: a sidecar on a FakeClock whose vend
 * calls the real emulator through the real Lake Formation client, and a
 * "pump" that moves fake time forward while real socket I/O completes.
 */
import type { FakeClock } from '../../support/fake-clock.mjs';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { createLakeFormationVending } from '../../../src/upstream/lakeformation-client.js';
import type { Lease, VendFunction } from '../../../src/lakeformation/types.js';
import { startStack, type Stack, type StackOptions } from '../../support/stack.js';
import { realTick } from '../../support/settle.js';

/**
 * A stack whose sidecar runs on `clock`. Its vend calls the emulator with the
 * real SDK and re-bases the returned Expiration onto the fake clock (same
 * lifetime), so hours of lease lifetime pass in milliseconds while every
 * credential still comes from, and every failure from, the emulator.
 */
export async function startFakeClockStack(clock: FakeClock, options: StackOptions = {}): Promise<Stack> {
  let real: VendFunction | undefined;
  const vend: VendFunction = async (request, signal) => {
    if (!real) throw new Error('vend called before the stack started');
    const lease: Lease = await real(request, signal);
    const lifetimeMs = lease.expiration.getTime() - Date.now();
    return { ...lease, expiration: new Date(clock.now() + lifetimeMs) };
  };
  const stack = await startStack({ ...options, sidecar: { ...options.sidecar, clock, vend } });
  real = createLakeFormationVending({
    region: 'us-east-1',
    endpoint: stack.emulator.url,
    credentials: { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey },
    timeoutMs: 2000,
  }).vend;
  return stack;
}

/**
 * Resolves `promise`, moving the fake clock forward `stepMs` at a time (so
 * retry backoffs on the fake clock elapse) and yielding to real I/O between
 * steps. Bounded: throws after `maxSteps`.
 */
export async function pumpUntilSettled<T>(clock: FakeClock, promise: Promise<T>, { stepMs = 100, maxSteps = 600 } = {}): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  for (let step = 0; step < maxSteps && !settled; step++) {
    await realTick();
    if (!settled) await clock.advance(stepMs);
  }
  if (!settled) throw new Error(`still pending after ${maxSteps} pump steps`);
  return tracked;
}

/** Moves the fake clock forward by `ms` in `stepMs` steps, yielding to real I/O between them. */
export async function pump(clock: FakeClock, ms: number, stepMs = 100): Promise<void> {
  for (let done = 0; done < ms; done += stepMs) {
    await clock.advance(Math.min(stepMs, ms - done));
    await realTick();
  }
}

export interface EmulatorStats {
  total: number;
  calls: Record<string, Record<string, number>>;
}

/** Emulator call counts by outcome, summed over both operations. */
export function outcomes(stats: EmulatorStats): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const byOutcome of Object.values(stats.calls)) {
    for (const [outcome, n] of Object.entries(byOutcome)) sum[outcome] = (sum[outcome] ?? 0) + n;
  }
  return sum;
}

export { realTick };
