/**
 * Protects Lake Formation's request quota: every upstream call (first
 * attempts, retries and background refreshes) runs through one limiter that
 * allows at most `maxConcurrency` calls at a time and starts at most
 * `ratePerSecond` calls per second on average, with bursts of `burst`
 * (a token bucket on the injected clock).
 *
 * Calls that cannot start yet wait in one FIFO queue per caller (the call's
 * opaque `fairnessKey`; calls without one share a queue), and the callers
 * take turns, one call each (deficit round robin with a quantum of one call):
 * in agent mode a pod that queues 50 calls delays another pod's first call
 * by at most one call per other waiting pod, not by its 50. Calls a client
 * waits for (priority `client`) start before background refreshes, whoever
 * the caller, since a client gives up after 1-2 s while a refresh has
 * minutes of slack. A queued call whose `signal` aborts is removed without
 * ever reaching Lake Formation. A caller's queue is forgotten once empty, so
 * memory follows the queued calls, bounded by `maxQueuedCalls` in all.
 */
import { FairQueue } from './fair-queue.js';
import { z } from 'zod';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { LfcsError, shuttingDownError } from '../core/errors.js';
import { parseSettings } from '../core/settings.js';
import { TokenBucket } from '../core/token-bucket.js';
import { limiterSettingsShape, type LimiterSettings } from './settings.js';

/**
 * Options of {@link UpstreamLimiter}: the `upstream.*` limiter settings
 * (`upstream/settings.ts` has each default and reason; beyond
 * `maxQueuedCalls` a new call is refused at once with `UpstreamBusy`, and an
 * urgent call instead pushes out the newest non-urgent one).
 */
export interface UpstreamLimiterOptions extends Partial<LimiterSettings> {
  /** Time source for the token bucket. Default `systemClock`. */
  clock?: Clock;
}

const limiterOptionsSchema = z.strictObject(limiterSettingsShape);

/** Who waits for a call: a client request, or nobody yet (a background refresh). */
export type CallPriority = 'client' | 'background';

/** Per-call options of {@link UpstreamLimiter.run}. */
export interface LimiterRunOptions {
  /** Read again each time the limiter picks the next call, so a queued refresh a client joins goes first. Default `background`. */
  priority?: CallPriority | (() => CallPriority);
  /** Aborting removes the call from the queue (rejecting with `signal.reason`) if it has not started. */
  signal?: AbortSignal;
  /**
   * Who the call is for, opaque (agent mode: the pod): each key has its own
   * queue and the keys take turns. Never a metric label. Default: the one
   * shared queue of calls without a key.
   */
  fairnessKey?: string;
}

interface QueuedCall {
  task: () => Promise<unknown>;
  priority: CallPriority | (() => CallPriority);
  fairnessKey: string | undefined;
  /** Arrival order across every queue: the newest background call makes room first. */
  sequence: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** Concurrency limit plus token bucket for upstream calls. */
export class UpstreamLimiter {
  readonly #clock: Clock;
  readonly #maxConcurrency: number;
  readonly #maxQueuedCalls: number;
  readonly #bucket: TokenBucket;
  #active = 0;
  /** One FIFO per fairness key, served in turns. */
  readonly #waiting = new FairQueue<QueuedCall>();
  #sequence = 0;
  #wakeTimer: TimerHandle | undefined;
  /** The throttle brake: no call starts before this time. */
  #pausedUntilMs = 0;
  #closedReason: unknown;
  #closed = false;

  constructor(options: UpstreamLimiterOptions = {}) {
    const { clock, ...settings } = options;
    const resolved = parseSettings(limiterOptionsSchema, settings, 'upstream limiter options');
    this.#clock = clock ?? systemClock;
    this.#maxConcurrency = resolved.maxConcurrency;
    this.#maxQueuedCalls = resolved.maxQueuedCalls;
    // Starts full: after start-up the first `burst` misses should not wait.
    this.#bucket = new TokenBucket({ clock: this.#clock, ratePerSecond: resolved.ratePerSecond, burst: resolved.burst });
  }

  /** Calls currently running. */
  get active(): number {
    return this.#active;
  }

  /** Calls waiting for a slot or a token. */
  get queued(): number {
    return this.#waiting.size;
  }

  /** Fairness keys with at least one call waiting. */
  get queuedCallers(): number {
    return this.#waiting.keys;
  }

  /**
   * Runs `task` when a concurrency slot and a token are free, and settles with
   * its result. Rejects without running it if the limiter is closed, the queue
   * is full, or `options.signal` aborts while it waits.
   */
  run<T>(task: () => Promise<T>, options: LimiterRunOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#closed) {
        reject(this.#closedReason);
        return;
      }
      if (options.signal?.aborted) {
        reject(options.signal.reason);
        return;
      }
      const call: QueuedCall = {
        task,
        priority: options.priority ?? 'background',
        fairnessKey: options.fairnessKey,
        sequence: this.#sequence++,
        signal: options.signal,
        onAbort: undefined,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (this.#waiting.size >= this.#maxQueuedCalls && !this.#makeRoomFor(call)) {
        reject(queueFullError(this.#maxQueuedCalls));
        return;
      }
      if (call.signal) {
        call.onAbort = () => {
          this.#remove(call);
          call.reject(call.signal?.reason);
        };
        call.signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.#waiting.push(call);
      this.#pump();
    });
  }

  /**
   * The throttle brake: no queued or new call starts before `untilMs` (an
   * earlier time than a pause already set changes nothing). Calls wait in
   * their order, client calls first, so background refreshes yield to
   * clients when the pause ends.
   */
  pauseUntil(untilMs: number): void {
    if (untilMs <= this.#pausedUntilMs) return;
    this.#pausedUntilMs = untilMs;
    if (this.#wakeTimer !== undefined) {
      this.#clock.clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
    }
    this.#pump();
  }

  /**
   * Refuses new calls and rejects every queued one with `reason` (default
   * `LfcsError('ShuttingDown')`). Running calls are left to finish.
   */
  close(reason: unknown = shuttingDownError()): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedReason = reason;
    if (this.#wakeTimer !== undefined) {
      this.#clock.clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
    }
    for (const call of this.#waiting.drain().sort((x, y) => x.sequence - y.sequence)) {
      this.#detach(call);
      call.reject(reason);
    }
  }

  /** Starts as many queued calls as slots and tokens allow; otherwise waits for the next token. */
  #pump(): void {
    while (!this.#closed && this.#waiting.size > 0 && this.#active < this.#maxConcurrency) {
      const pausedMs = this.#pausedUntilMs - this.#clock.now();
      if (pausedMs > 0) {
        this.#wakeIn(pausedMs);
        return;
      }
      if (!this.#bucket.tryTake()) {
        this.#wakeIn(Math.max(1, this.#bucket.msUntilToken()));
        return;
      }
      const call = this.#waiting.shift(isUrgent) as QueuedCall;
      this.#detach(call);
      this.#start(call);
    }
  }

  #wakeIn(waitMs: number): void {
    if (this.#wakeTimer !== undefined) return;
    this.#wakeTimer = this.#clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#pump();
    }, waitMs);
  }

  /** When the queue is full, a client call may push out the newest background one (whichever key it waits under). */
  #makeRoomFor(call: QueuedCall): boolean {
    if (!isUrgent(call)) return false;
    const victim = this.#waiting.newest((candidate) => !isUrgent(candidate));
    if (victim === undefined) return false;
    this.#waiting.remove(victim);
    this.#detach(victim);
    victim.reject(queueFullError(this.#maxQueuedCalls));
    return true;
  }

  #start(call: QueuedCall): void {
    this.#active += 1;
    const done = (): void => {
      this.#active -= 1;
      this.#pump();
    };
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(call.task());
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (value) => {
        done();
        call.resolve(value);
      },
      (err: unknown) => {
        done();
        call.reject(err);
      },
    );
  }

  #remove(call: QueuedCall): void {
    this.#waiting.remove(call);
    // Nothing left to wait a token for: no timer outlives the queue.
    if (this.#waiting.size === 0 && this.#wakeTimer !== undefined) {
      this.#clock.clearTimeout(this.#wakeTimer);
      this.#wakeTimer = undefined;
    }
  }

  #detach(call: QueuedCall): void {
    if (call.signal && call.onAbort) call.signal.removeEventListener('abort', call.onAbort);
    call.onAbort = undefined;
  }
}

function priorityOf(call: QueuedCall): CallPriority {
  return typeof call.priority === 'function' ? call.priority() : call.priority;
}

function isUrgent(call: QueuedCall): boolean {
  return priorityOf(call) === 'client';
}

function queueFullError(max: number): LfcsError {
  return new LfcsError('UpstreamBusy', `Too many Lake Formation calls are waiting (maxQueuedCalls=${max}); try again shortly`, {
    retryable: true,
    retryAfterSeconds: 1,
  });
}
