/**
 * The upstream the cache is handed: one fetch of a lease from Lake Formation
 * is up to `maxAttempts` attempts, each through the {@link UpstreamLimiter}
 * (which owns the quota), with full-jitter backoff between retryable failures. Every attempt is reported (for metrics and the audit
 * log); every failure leaves here as an {@link UpstreamError} or the
 * {@link LfcsError} that stopped it, normalised once.
 */
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LfcsError, UpstreamError, isPermanentUpstreamError, type ErrorCode } from '../core/errors.js';
import type { CredentialRequest, Lease, VendFunction } from '../lakeformation/types.js';
import { z } from 'zod';
import { parseSettings } from '../core/settings.js';
import { UpstreamLimiter, type CallPriority } from './limiter.js';
import { limiterSettingsShape, retrySettingsShape, UPSTREAM_RELATIONS, type LimiterSettings, type RetrySettings } from './settings.js';

/** One upstream attempt, as reported to `onAttempt`. */
export interface UpstreamCallEvent {
  /** The request sent (no key material; may hold query ids, so keep it out of metric labels). */
  request: CredentialRequest;
  /** `success` or the stable code of the failure. */
  outcome: 'success' | ErrorCode;
  /** Time from the call's start to its answer, on the injected clock. */
  durationSeconds: number;
  /** 1 for the first attempt of a fetch, 2 for its first retry, ... */
  attempt: number;
  /** True for a refresh no client was waiting for. */
  background: boolean;
}

export interface UpstreamCallerInit {
  vend: VendFunction;
  /** The `upstream.*` retry and limiter settings; each optional, defaults in `upstream/settings.ts`. */
  settings?: Partial<RetrySettings & LimiterSettings>;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Uniform random in [0, 1) for backoff. Default `Math.random`. */
  random?: () => number;
  /** Called once per attempt that reached `vend`. */
  onAttempt?: (event: UpstreamCallEvent) => void;
  /** Called each time a ThrottlingException answer (re)starts the throttle brake (`throttlePauseMs`). */
  onThrottlePause?: () => void;
}

/**
 * Who waits for a fetch, read whenever the limiter picks its next call:
 * `client` goes first, `background` (a refresh nobody waits for) yields to it.
 */
export type FetchPriority = CallPriority;

/** Per-fetch options of {@link Upstream.fetch}. */
export interface FetchOptions {
  /** Aborting drops a queued attempt, cancels a running one (through `vend`'s signal) and stops the retries. */
  signal: AbortSignal;
  priority: () => FetchPriority;
  /**
   * Aborts when nobody waits for the answer any more: a queued attempt is
   * dropped and no retry follows, but an attempt already at Lake Formation
   * finishes, so its lease can still serve the next client.
   */
  unwanted?: AbortSignal;
  /** False: one attempt, because the caller already backs this request off between fetches. Default true. */
  retry?: boolean;
  /** Who the fetch is for (opaque; agent mode: the pod): the limiter's callers take turns. Default: the shared queue. */
  fairnessKey?: string;
}

/**
 * What the cache needs from Lake Formation: one lease per call. Rejects with
 * Lake Formation's last answer when it was asked, and otherwise with
 * `UpstreamBusy` (the quota's queue is full), the abort reason, or a drop
 * after every client left.
 */
export interface Upstream {
  fetch(request: CredentialRequest, options: FetchOptions): Promise<Lease>;
}

/** The rejection of a fetch dropped before Lake Formation was asked (again) because nobody waits for it. */
class DroppedFetch extends LfcsError {
  constructor() {
    super('InvalidRequest', 'every client waiting for this lease went away');
  }
}

/** True when `err` (from {@link Upstream.fetch}) means the fetch was dropped through `unwanted`. */
export function isDroppedFetch(err: unknown): boolean {
  return err instanceof DroppedFetch;
}

/** True when `err` (from {@link Upstream.fetch}) is the limiter's refusal: Lake Formation was never asked. */
export function refusedBeforeAnyCall(err: unknown): boolean {
  return err instanceof LfcsError && err.code === 'UpstreamBusy';
}

const callerSettingsSchema = z.strictObject({ ...retrySettingsShape, ...limiterSettingsShape });

/**
 * The {@link Upstream} of the sidecar: built by the composition root from the
 * `upstream.*` settings, so the cache never sees retry or limiter settings.
 */
export class UpstreamCaller implements Upstream {
  readonly #vend: VendFunction;
  readonly #settings: RetrySettings;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onAttempt: ((event: UpstreamCallEvent) => void) | undefined;
  readonly #onThrottlePause: (() => void) | undefined;
  readonly #limiter: UpstreamLimiter;

  /** Checks every setting at once and throws `LfcsError('InvalidConfiguration')` naming each bad field. */
  constructor(init: UpstreamCallerInit) {
    const defined = Object.fromEntries(Object.entries(init.settings ?? {}).filter(([, v]) => v !== undefined));
    const settings = parseSettings(callerSettingsSchema, defined, 'upstream options', UPSTREAM_RELATIONS);
    this.#vend = init.vend;
    this.#settings = settings;
    this.#clock = init.clock ?? systemClock;
    this.#random = init.random ?? Math.random;
    this.#onAttempt = init.onAttempt;
    this.#onThrottlePause = init.onThrottlePause;
    const { maxConcurrency, ratePerSecond, burst, maxQueuedCalls } = settings;
    this.#limiter = new UpstreamLimiter({ clock: this.#clock, maxConcurrency, ratePerSecond, burst, maxQueuedCalls });
  }

  /** Calls running and waiting in the limiter. */
  get load(): { active: number; queued: number } {
    return { active: this.#limiter.active, queued: this.#limiter.queued };
  }

  /**
   * A lease for `request`, with up to `maxAttempts` attempts (full-jitter
   * backoff between retryable failures). Rejects with the last Lake Formation
   * answer, with the limiter's refusal when no attempt could start, or with
   * `signal.reason` once aborted.
   */
  async fetch(request: CredentialRequest, options: FetchOptions): Promise<Lease> {
    const { signal, unwanted } = options;
    if (!unwanted) return this.#attempts(request, options, signal);
    // Waiting (in the queue, between retries) ends on either signal; a running
    // attempt only on `signal`. Joined by hand rather than with AbortSignal.any:
    // on Node 20 its composite signals stayed alive after the fetch, about 3 KB
    // per fetch (bench/many-keys.mjs: 5.3 KB of heap per lease instead of 2.4).
    const waiting = new AbortController();
    const stop = (): void => waiting.abort(signal.aborted ? signal.reason : unwanted.reason);
    if (signal.aborted || unwanted.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    unwanted.addEventListener('abort', stop, { once: true });
    try {
      return await this.#attempts(request, options, waiting.signal);
    } finally {
      signal.removeEventListener('abort', stop);
      unwanted.removeEventListener('abort', stop);
    }
  }

  async #attempts(request: CredentialRequest, options: FetchOptions, waitSignal: AbortSignal): Promise<Lease> {
    const { signal, priority, unwanted } = options;
    const maxAttempts = options.retry === false ? 1 : this.#settings.maxAttempts;
    const dropped = (err: unknown): unknown => (!signal.aborted && unwanted?.aborted ? new DroppedFetch() : err);
    let lastAnswer: LfcsError | undefined;
    for (let attempt = 1; ; attempt++) {
      let startedAtMs: number | undefined;
      let lease: Lease | undefined;
      let failure: LfcsError | undefined;
      try {
        const received = await this.#limiter.run(
          () => {
            startedAtMs = this.#clock.now();
            return this.#vend(request, signal);
          },
          { priority, signal: waitSignal, fairnessKey: options.fairnessKey },
        );
        lease = this.#checkLease(received);
      } catch (err) {
        // Refused or dropped by the limiter: no upstream attempt to report. A
        // refused retry still answers with what Lake Formation said last.
        if (startedAtMs === undefined) throw signal.aborted || unwanted?.aborted ? dropped(err) : (lastAnswer ?? err);
        failure = signal.aborted ? asLfcsError(signal.reason) : asLfcsError(err);
      }
      const endedAtMs = this.#clock.now();
      this.#report({
        request,
        outcome: failure?.code ?? 'success',
        durationSeconds: (endedAtMs - (startedAtMs ?? endedAtMs)) / 1000,
        attempt,
        background: priority() !== 'client',
      });
      if (signal.aborted) throw signal.reason;
      if (lease) return lease;
      const error = failure as LfcsError;
      if (error.code === 'ThrottlingException') this.#brake(endedAtMs);
      lastAnswer = error;
      if (!error.retryable || isPermanentUpstreamError(error) || attempt >= maxAttempts) throw error;
      // Nobody waits for the answer any more: no further attempt.
      if (unwanted?.aborted) throw error;
      await sleep(
        this.#clock,
        backoffDelayMs(attempt, {
          baseDelayMs: this.#settings.retryBaseDelayMs,
          maxDelayMs: this.#settings.retryMaxDelayMs,
          jitter: 'full',
          random: this.#random,
        }),
        waitSignal,
      ).catch((err: unknown) => {
        throw dropped(err);
      });
    }
  }

  /**
   * Lake Formation's quota is per account: once it throttles, every key that
   * keeps calling on its own backoff prolongs it. So no call for any key
   * starts for `throttlePauseMs` (the EKS Pod Identity Agent pauses about 1 s).
   */
  #brake(now: number): void {
    const pauseMs = this.#settings.throttlePauseMs;
    if (pauseMs === 0) return;
    this.#limiter.pauseUntil(now + pauseMs);
    try {
      this.#onThrottlePause?.();
    } catch {
      // Metrics must not fail a credential request.
    }
  }

  /** Rejects every queued call with `reason`; running ones are left to their signals. */
  close(reason: unknown): void {
    this.#limiter.close(reason);
  }

  /** The cache schedules by `expiration`, so it must be a real, future time. */
  #checkLease(lease: Lease): Lease {
    const expiresAtMs = lease?.expiration instanceof Date ? lease.expiration.getTime() : Number.NaN;
    if (Number.isNaN(expiresAtMs)) {
      throw invalidResponse('Lake Formation returned credentials without a valid Expiration');
    }
    if (expiresAtMs <= this.#clock.now()) {
      throw invalidResponse('Lake Formation returned credentials that have already expired; check the host clock');
    }
    return lease;
  }

  #report(event: UpstreamCallEvent): void {
    try {
      this.#onAttempt?.(event);
    } catch {
      // Metrics and logs must not fail a credential request.
    }
  }
}

function invalidResponse(message: string): UpstreamError {
  return new UpstreamError('InvalidUpstreamResponse', message, { upstreamName: 'InvalidUpstreamResponse', retryable: true });
}

/**
 * Every failure becomes an `LfcsError`. Anything else thrown by `vend` is
 * replaced by a generic retryable `UpstreamUnavailable`: its message or
 * properties could hold request signatures or response bodies, so neither
 * is kept (not even as `cause`). Only a plain identifier-like `name` survives.
 */
function asLfcsError(err: unknown): LfcsError {
  if (err instanceof LfcsError) return err;
  const name = err instanceof Error && /^[A-Za-z_$][\w$]{0,63}$/.test(err.name) ? err.name : 'UnknownError';
  return new UpstreamError('UpstreamUnavailable', 'The Lake Formation call failed unexpectedly', {
    upstreamName: name,
    retryable: true,
  });
}
