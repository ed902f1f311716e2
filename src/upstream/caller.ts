/**
 * One fetch of a lease from Lake Formation: up to `maxAttempts` attempts,
 * each through the {@link UpstreamLimiter}, with full-jitter backoff between
 * retryable failures. Every attempt is reported (for metrics and the audit
 * log); every failure leaves here as an {@link UpstreamError} or the
 * {@link LfcsError} that stopped it, normalised once.
 */
import { backoffDelayMs, sleep } from '../core/backoff.js';
import { systemClock, type Clock } from '../core/clock.js';
import { LfcsError, UpstreamError, isPermanentUpstreamError, type ErrorCode } from '../core/errors.js';
import type { CredentialRequest, Lease, VendFunction } from '../lakeformation/types.js';
import { UpstreamLimiter } from './limiter.js';
import type { LimiterSettings, RetrySettings } from './settings.js';

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
  settings: RetrySettings & LimiterSettings;
  /** Default `systemClock`. */
  clock?: Clock;
  /** Uniform random in [0, 1) for backoff. Default `Math.random`. */
  random?: () => number;
  /** Called once per attempt that reached `vend`. */
  onAttempt?: (event: UpstreamCallEvent) => void;
}

/** Per-fetch options of {@link UpstreamCaller.fetch}. */
export interface FetchOptions {
  /** Aborting drops a queued attempt, cancels a running one (through `vend`'s signal) and stops the retries. */
  signal: AbortSignal;
  /** True while a client waits for this fetch; read again whenever the limiter picks its next call. */
  urgent: () => boolean;
  /** Counted once per attempt that reached `vend`. */
  onStart?: () => void;
  /** Fewer attempts than `settings.maxAttempts` (e.g. 1 while the key backs off after a failure). */
  maxAttempts?: number;
  /** Called when an attempt that reached `vend` has settled. */
  onSettled?: () => void;
  /** Read before each retry: false stops the fetch with the last error (nobody waits for it any more). */
  wanted?: () => boolean;
}

export class UpstreamCaller {
  readonly #vend: VendFunction;
  readonly #settings: RetrySettings;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #onAttempt: ((event: UpstreamCallEvent) => void) | undefined;
  readonly #limiter: UpstreamLimiter;

  constructor(init: UpstreamCallerInit) {
    this.#vend = init.vend;
    this.#settings = init.settings;
    this.#clock = init.clock ?? systemClock;
    this.#random = init.random ?? Math.random;
    this.#onAttempt = init.onAttempt;
    const { maxConcurrency, ratePerSecond, burst, maxQueuedCalls } = init.settings;
    this.#limiter = new UpstreamLimiter({ clock: this.#clock, maxConcurrency, ratePerSecond, burst, maxQueuedCalls });
  }

  /** Calls running and waiting in the limiter. */
  get load(): { active: number; queued: number } {
    return { active: this.#limiter.active, queued: this.#limiter.queued };
  }

  /**
   * A lease for `request`. Rejects with the last attempt's error (already an
   * `LfcsError`), with the limiter's refusal when no attempt could start, or
   * with `signal.reason` once aborted.
   */
  async fetch(request: CredentialRequest, options: FetchOptions): Promise<Lease> {
    const { signal } = options;
    const maxAttempts = Math.min(options.maxAttempts ?? this.#settings.maxAttempts, this.#settings.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      let startedAtMs: number | undefined;
      let lease: Lease | undefined;
      let failure: LfcsError | undefined;
      try {
        const received = await this.#limiter.run(
          () => {
            startedAtMs = this.#clock.now();
            options.onStart?.();
            return this.#vend(request, signal).finally(() => options.onSettled?.());
          },
          { urgent: options.urgent, signal },
        );
        lease = this.#checkLease(received);
      } catch (err) {
        // Refused or dropped by the limiter: no upstream attempt to report.
        if (startedAtMs === undefined) throw err;
        failure = signal.aborted ? asLfcsError(signal.reason) : asLfcsError(err);
      }
      const endedAtMs = this.#clock.now();
      this.#report({
        request,
        outcome: failure?.code ?? 'success',
        durationSeconds: (endedAtMs - (startedAtMs ?? endedAtMs)) / 1000,
        attempt,
        background: !options.urgent(),
      });
      if (signal.aborted) throw signal.reason;
      if (lease) return lease;
      const error = failure as LfcsError;
      if (!error.retryable || isPermanentUpstreamError(error) || attempt >= maxAttempts) throw error;
      if (options.wanted && !options.wanted()) throw error;
      await sleep(
        this.#clock,
        backoffDelayMs(attempt, {
          baseDelayMs: this.#settings.retryBaseDelayMs,
          maxDelayMs: this.#settings.retryMaxDelayMs,
          random: this.#random,
        }),
        signal,
      );
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
