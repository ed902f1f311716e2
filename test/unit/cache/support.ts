/**
 * Test doubles for the cache tests: a scripted fake `vend` on a FakeClock,
 * error builders, and a cache factory that records every hook call.
 */
import type { FakeClock } from '../../support/fake-clock.mjs';
import { UpstreamError, type UpstreamErrorCode } from '../../../src/core/errors.js';
import type { CredentialRequest, Lease, TableCredentialRequest, VendFunction } from '../../../src/lakeformation/types.js';
import { CredentialCache, type CredentialCacheOptions, type LookupResult, type UpstreamCallEvent } from '../../../src/cache/index.js';
import { drain } from '../../support/settle.js';
import { UpstreamCaller, type UpstreamCallerInit } from '../../../src/upstream/caller.js';
import type { LimiterSettings, RetrySettings } from '../../../src/upstream/settings.js';

/** One call the fake received. */
export interface VendCall {
  request: CredentialRequest;
  signal: AbortSignal | undefined;
  /** Fake-clock time of the call. */
  at: number;
}

/** What one call does: answer with a lease of `lifetimeSeconds`, throw, or hand control to the test. */
export type Behaviour =
  | { kind: 'lease'; lifetimeSeconds?: number }
  | { kind: 'error'; error: unknown }
  | { kind: 'deferred'; deferred: Deferred<Lease> };

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Fake Lake Formation. Each call takes the next scripted behaviour, or the
 * default (`lease` of `lifetimeSeconds`, 3600 unless changed).
 */
export class FakeVend {
  readonly calls: VendCall[] = [];
  lifetimeSeconds = 3600;
  #script: Behaviour[] = [];
  #fallback: Behaviour | undefined;
  #serial = 0;

  constructor(private readonly clock: FakeClock) {}

  readonly vend: VendFunction = (request, signal) => {
    this.calls.push({ request, signal, at: this.clock.now() });
    const behaviour = this.#script.shift() ?? this.#fallback ?? { kind: 'lease' };
    switch (behaviour.kind) {
      case 'lease':
        return Promise.resolve(this.lease(behaviour.lifetimeSeconds ?? this.lifetimeSeconds));
      case 'error':
        return Promise.reject(behaviour.error);
      case 'deferred':
        return behaviour.deferred.promise;
    }
  };

  /** Scripts the next calls, in order. */
  // biome-ignore lint/suspicious/noThenProperty: read as "fails, then answers"; the script builder is never awaited.
  then(...behaviours: Behaviour[]): this {
    this.#script.push(...behaviours);
    return this;
  }

  /** Every call after the script runs out behaves like this (until `always(undefined)`). */
  always(behaviour: Behaviour | undefined): this {
    this.#fallback = behaviour;
    return this;
  }

  /** Scripts the next call to wait for the test; returns its handle. */
  hold(): Deferred<Lease> {
    const handle = deferred<Lease>();
    this.#script.push({ kind: 'deferred', deferred: handle });
    return handle;
  }

  /** A lease expiring `lifetimeSeconds` from now on the fake clock. */
  lease(lifetimeSeconds = this.lifetimeSeconds): Lease {
    const n = ++this.#serial;
    return {
      accessKeyId: `ASIAFAKE${n}`,
      secretAccessKey: `secret-key-${n}`,
      sessionToken: `session-token-${n}`,
      expiration: new Date(this.clock.now() + lifetimeSeconds * 1000),
    };
  }

  callsFor(tableArn: string): VendCall[] {
    return this.calls.filter((c) => tableArnOf(c.request) === tableArn);
  }
}

/** The table ARN of a table or partition request (`undefined` for a data-location one). */
export function tableArnOf(request: CredentialRequest): string | undefined {
  return request.operation === 'GetTemporaryDataLocationCredentials' ? undefined : request.tableArn;
}

export function upstreamError(code: UpstreamErrorCode, retryable: boolean): UpstreamError {
  return new UpstreamError(code, `${code} from the fake`, { upstreamName: code, upstreamStatus: 400, retryable });
}

export const throttling = (): UpstreamError => upstreamError('ThrottlingException', true);
export const accessDenied = (): UpstreamError => upstreamError('AccessDeniedException', false);

export const fail = (error: unknown): Behaviour => ({ kind: 'error', error });
export const ok = (lifetimeSeconds?: number): Behaviour =>
  lifetimeSeconds === undefined ? { kind: 'lease' } : { kind: 'lease', lifetimeSeconds };

/** A table request; `n` makes distinct keys. */
export function tableRequest(n: number | string = 1, extra: Partial<TableCredentialRequest> = {}): TableCredentialRequest {
  return {
    operation: 'GetTemporaryGlueTableCredentials',
    tableArn: `arn:aws:glue:eu-west-1:123456789012:table/sales/t${n}`,
    permissions: ['SELECT'],
    ...extra,
  };
}

/** Everything the hooks reported, in order. */
export interface Recorded {
  lookups: LookupResult[];
  refreshes: ('success' | 'failure' | 'dropped')[];
  upstream: UpstreamCallEvent[];
  counts: number[];
  /** Times the throttle brake was (re)started. */
  throttlePauses: number;
}

const UPSTREAM_SETTING_NAMES = [
  'maxAttempts',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'maxConcurrency',
  'ratePerSecond',
  'burst',
  'maxQueuedCalls',
  'throttlePauseMs',
] as const satisfies readonly (keyof (RetrySettings & LimiterSettings))[];

/** What {@link makeCache} accepts: the cache's options, plus the upstream's settings and `vend`, as the sidecar wires them. */
export type TestCacheOptions = Partial<Omit<CredentialCacheOptions, 'clock' | 'hooks' | 'upstream'>> &
  Partial<RetrySettings & LimiterSettings> & { vend?: VendFunction; random?: () => number };

/**
 * A cache on `clock` wired as the sidecar wires it: a fake Lake Formation
 * behind the real {@link UpstreamCaller} (retries, limiter), handed to the
 * cache. `options` may mix cache and upstream settings; each goes to its part.
 */
export function makeCache(
  clock: FakeClock,
  options: TestCacheOptions = {},
): { cache: CredentialCache; fake: FakeVend; recorded: Recorded; upstream: UpstreamCaller } {
  const fake = new FakeVend(clock);
  const recorded: Recorded = { lookups: [], refreshes: [], upstream: [], counts: [], throttlePauses: 0 };
  const { vend, random = () => 0, ...rest } = options;
  const settings: NonNullable<UpstreamCallerInit['settings']> = {};
  const cacheOptions: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(rest)) {
    if ((UPSTREAM_SETTING_NAMES as readonly string[]).includes(name)) (settings as Record<string, unknown>)[name] = value;
    else cacheOptions[name] = value;
  }
  const upstream = new UpstreamCaller({
    vend: vend ?? fake.vend,
    settings,
    clock,
    random,
    onAttempt: (e) => recorded.upstream.push(e),
    onThrottlePause: () => (recorded.throttlePauses += 1),
  });
  const cache = new CredentialCache({
    ...(cacheOptions as Partial<CredentialCacheOptions>),
    upstream,
    random,
    clock,
    hooks: {
      onLookup: (r) => recorded.lookups.push(r),
      onRefresh: (o) => recorded.refreshes.push(o),
      onEntryCountChange: (c) => recorded.counts.push(c),
    },
  });
  return { cache, fake, recorded, upstream };
}

/** Settled state of a promise without awaiting it. */
export async function state(promise: Promise<unknown>): Promise<'pending' | 'fulfilled' | 'rejected'> {
  let result: 'pending' | 'fulfilled' | 'rejected' = 'pending';
  promise.then(
    () => (result = 'fulfilled'),
    () => (result = 'rejected'),
  );
  await drain();
  return result;
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export { drain };
