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
  /**
   * One FIFO per fairness key, in turn order: the first key is served next,
   * and a served key moves to the back. Never holds an empty queue.
   */
  #queues = new Map<string | undefined, QueuedCall[]>();
  #queued = 0;
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
    return this.#queued;
  }

  /** Fairness keys with at least one call waiting. */
  get queuedCallers(): number {
    return this.#queues.size;
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
      if (this.#queued >= this.#maxQueuedCalls && !this.#makeRoomFor(call)) {
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
      this.#enqueue(call);
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
    const queues = [...this.#queues.values()];
    this.#queues = new Map();
    this.#queued = 0;
    for (const call of queues.flat().sort((x, y) => x.sequence - y.sequence)) {
      this.#detach(call);
      call.reject(reason);
    }
  }

  /** Starts as many queued calls as slots and tokens allow; otherwise waits for the next token. */
  #pump(): void {
    while (!this.#closed && this.#queued > 0 && this.#active < this.#maxConcurrency) {
      const pausedMs = this.#pausedUntilMs - this.#clock.now();
      if (pausedMs > 0) {
        this.#wakeIn(pausedMs);
        return;
      }
      if (!this.#bucket.tryTake()) {
        this.#wakeIn(Math.max(1, this.#bucket.msUntilToken()));
        return;
      }
      this.#start(this.#takeNext());
    }
  }

  #wakeIn(waitMs: number): void {
    if (this.#wakeTimer !== undefined) return;
    this.#wakeTimer = this.#clock.setTimeout(() => {
      this.#wakeTimer = undefined;
      this.#pump();
    }, waitMs);
  }

  #enqueue(call: QueuedCall): void {
    const queue = this.#queues.get(call.fairnessKey);
    // A key new to the queue waits for one turn of each key already waiting.
    if (queue === undefined) this.#queues.set(call.fairnessKey, [call]);
    else queue.push(call);
    this.#queued += 1;
  }

  /**
   * The next call: of the first key in turn order with a client call, its
   * first client call; when no client waits, the oldest call of the key
   * whose turn it is. The key served moves to the back of the turn order.
   */
  #takeNext(): QueuedCall {
    let chosen: [string | undefined, QueuedCall[], number] | undefined;
    for (const [key, queue] of this.#queues) {
      const index = queue.findIndex(isUrgent);
      if (index >= 0) {
        chosen = [key, queue, index];
        break;
      }
    }
    if (chosen === undefined) {
      const [key, queue] = this.#queues.entries().next().value as [string | undefined, QueuedCall[]];
      chosen = [key, queue, 0];
    }
    const [key, queue, index] = chosen;
    const [call] = queue.splice(index, 1) as [QueuedCall];
    this.#queued -= 1;
    this.#queues.delete(key);
    if (queue.length > 0) this.#queues.set(key, queue);
    this.#detach(call);
    return call;
  }

  /** When the queue is full, a client call may push out the newest background one (whichever key it waits under). */
  #makeRoomFor(call: QueuedCall): boolean {
    if (!isUrgent(call)) return false;
    let victim: QueuedCall | undefined;
    for (const queue of this.#queues.values()) {
      for (let i = queue.length - 1; i >= 0; i--) {
        const candidate = queue[i] as QueuedCall;
        if (victim !== undefined && candidate.sequence < victim.sequence) break;
        if (!isUrgent(candidate)) {
          victim = candidate;
          break;
        }
      }
    }
    if (victim === undefined) return false;
    this.#unqueue(victim);
    this.#detach(victim);
    victim.reject(queueFullError(this.#maxQueuedCalls));
    return true;
  }

  /** Takes `call` out of its key's queue, and the key out of the turn order once its queue is empty. */
  #unqueue(call: QueuedCall): void {
    const queue = this.#queues.get(call.fairnessKey);
    const index = queue === undefined ? -1 : queue.indexOf(call);
    if (queue === undefined || index < 0) return;
    queue.splice(index, 1);
    this.#queued -= 1;
    if (queue.length === 0) this.#queues.delete(call.fairnessKey);
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
    this.#unqueue(call);
    // Nothing left to wait a token for: no timer outlives the queue.
    if (this.#queued === 0 && this.#wakeTimer !== undefined) {
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
  return new LfcsError(
    'UpstreamBusy',
    `Too many Lake Formation calls are waiting (maxQueuedCalls=${max}); try again shortly`,
    { retryable: true, retryAfterSeconds: 1 },
  );
}
