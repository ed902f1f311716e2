/**
 * The fetches in flight, one per key however many clients wait, and the
 * clients waiting on them: each leaves when its client goes away or after
 * `missDeadlineMs`. When the last client of a foreground fetch leaves, the
 * fetch turns unwanted (nothing new starts for it) and the next request for
 * the key starts afresh. Background refreshes are never dropped here.
 */
import type { Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import type { Entry } from './entry.js';
import type { Flight } from './types.js';

export interface FlightsInit {
  clock: Clock;
  missDeadlineMs: number;
  retryAfterSeconds: number;
}

export class Flights {
  readonly #init: FlightsInit;
  readonly #inflight = new Map<string, Flight>();
  /** Every client waiting on a flight: close() ends each wait (and its deadline timer) at once. */
  readonly #waits = new Set<(err: LfcsError) => void>();

  constructor(init: FlightsInit) {
    this.#init = init;
  }

  get(key: string): Flight | undefined {
    return this.#inflight.get(key);
  }

  has(key: string): boolean {
    return this.#inflight.has(key);
  }

  /**
   * A fetch for `key`, registered but not started; `entry` set means a
   * background refresh of that entry, `fairnessKey` the turn it waits in at
   * the limiter.
   */
  create(key: string, request: CredentialRequest, entry: Entry | undefined, fairnessKey?: string): Flight {
    let resolve!: (lease: Lease) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<Lease>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A background refresh may end with nobody waiting on it.
    promise.catch(() => undefined);
    const flight: Flight = {
      key,
      request,
      background: entry !== undefined,
      entry,
      controller: new AbortController(),
      unwanted: new AbortController(),
      promise,
      resolve,
      reject,
      waiters: 0,
      label: undefined,
      fairnessKey,
    };
    this.#inflight.set(key, flight);
    return flight;
  }

  /** The flight is over: a later request for its key starts a new one. */
  end(flight: Flight): void {
    if (this.#inflight.get(flight.key) === flight) this.#inflight.delete(flight.key);
  }

  /** Cancels `flight` (a queued call never starts, a running one is aborted) with `reason`. */
  cancel(flight: Flight, reason: LfcsError): void {
    this.end(flight);
    flight.controller.abort(reason);
  }

  /** The flight's lease for one waiter, who leaves when `signal` aborts or at the deadline. */
  wait(flight: Flight, signal: AbortSignal | undefined): Promise<Lease> {
    const { clock, missDeadlineMs, retryAfterSeconds } = this.#init;
    return new Promise<Lease>((resolve, reject) => {
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#waits.delete(end);
        return true;
      };
      const end = (err: LfcsError): void => {
        if (settle()) reject(err);
      };
      this.#waits.add(end);
      const leave = (err: LfcsError): void => {
        if (!settle()) return;
        reject(err);
        this.#leave(flight);
      };
      const onAbort = (): void => leave(new LfcsError('InvalidRequest', 'the client went away before the lease arrived'));
      const timer = clock.setTimeout(
        () =>
          leave(
            new LfcsError('UpstreamTimeout', `no lease from Lake Formation within ${missDeadlineMs} ms; try again`, {
              retryable: true,
              retryAfterSeconds,
            }),
          ),
        missDeadlineMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (lease) => settle() && resolve(lease),
        (err: unknown) => settle() && reject(err),
      );
      if (signal?.aborted) onAbort();
    });
  }

  /** Cancels every flight and ends every wait with `reason`. */
  close(reason: LfcsError): void {
    const flights = [...this.#inflight.values()];
    this.#inflight.clear();
    for (const flight of flights) {
      flight.controller.abort(reason);
      flight.reject(reason);
    }
    for (const end of [...this.#waits]) end(reason);
  }

  #leave(flight: Flight): void {
    flight.waiters -= 1;
    if (flight.waiters > 0 || flight.background || this.#inflight.get(flight.key) !== flight) return;
    // Nobody wants this fetch any more: a queued call never reaches Lake
    // Formation and no retry follows, while a call already running may finish
    // and fill the cache. A later request starts afresh.
    this.#inflight.delete(flight.key);
    flight.unwanted.abort();
  }
}
