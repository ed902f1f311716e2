import type { Logger } from 'pino';
import type { PreparedRequest } from '../cache/cache-key.js';
import { backoffDelayMs } from '../core/backoff.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import { missingDataLocations } from '../lakeformation/data-location.js';
import type { Lease } from '../lakeformation/types.js';

export type ProfileState = {
  state: 'pending' | 'ready' | 'failed';
  error?: { code: string; message: string };
  /** Location profile: requested locations the lease's `AccessibleDataLocations` does not name. */
  missingLocations?: string[];
};

export interface PrewarmerInit {
  cache: {
    getPrepared(request: PreparedRequest, options?: { label?: string }): Promise<{ lease: Lease }>;
    /** The live lease of `key`, without counting a lookup. */
    peek(key: string): { expiration: Date } | undefined;
  };
  clock: Clock;
  logger: Logger;
  profiles: ReadonlyMap<string, PreparedRequest>;
  /** Cap of the first retry delay after a failed prewarm (full jitter, doubling per failure). */
  retryBaseDelayMs: number;
  /** Largest retry delay cap. */
  retryMaxDelayMs: number;
  /** Uniform random in [0, 1) for the backoff. Default `Math.random`. */
  random?: () => number;
}

/**
 * Fetches every configured profile at start so the first client request is a
 * cache hit, and retries failures with full-jitter exponential backoff until they work:
 * readiness waits for it, so a pod whose grants are wrong never turns ready.
 * A prewarmed profile is watched: if its lease expires with no renewal (Lake
 * Formation failing past it), it is prewarmed again, since nothing else would
 * renew it until a client asks.
 */
export class Prewarmer {
  readonly #init: PrewarmerInit;
  readonly #states = new Map<string, ProfileState>();
  readonly #timers = new Set<TimerHandle>();
  /** One expiry watch per prewarmed profile. */
  readonly #watches = new Map<string, TimerHandle>();
  readonly #everReady = new Set<string>();
  #stopped = false;
  #resolveDone!: () => void;
  readonly #done = new Promise<void>((resolve) => (this.#resolveDone = resolve));

  constructor(init: PrewarmerInit) {
    this.#init = init;
    for (const name of init.profiles.keys()) this.#states.set(name, { state: 'pending' });
  }

  start(): void {
    if (this.#init.profiles.size === 0) this.#resolveDone();
    for (const [name, request] of this.#init.profiles) void this.#attempt(name, request, 0);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of [...this.#timers, ...this.#watches.values()]) this.#init.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#watches.clear();
  }

  /** Whether `name` was prewarmed at least once (its lease may have been lost since). */
  wasReady(name: string): boolean {
    return this.#everReady.has(name);
  }

  /** Checks `name`'s lease when the one last seen expires: renewed, watch the new one; lost, prewarm again. */
  #watch(name: string, request: PreparedRequest, expiresAtMs: number): void {
    const { clock } = this.#init;
    const previous = this.#watches.get(name);
    if (previous !== undefined) clock.clearTimeout(previous);
    const timer = clock.setTimeout(
      () => {
        this.#watches.delete(name);
        if (this.#stopped) return;
        const live = this.#init.cache.peek(request.key);
        if (live) return this.#watch(name, request, live.expiration.getTime());
        this.#states.set(name, { state: 'pending' });
        this.#init.logger.warn({ profile: name }, 'profile lost its lease; prewarming it again');
        void this.#attempt(name, request, 0);
      },
      Math.max(0, expiresAtMs - clock.now()),
    );
    this.#watches.set(name, timer);
  }

  states(): Record<string, ProfileState> {
    return Object.fromEntries(this.#states);
  }

  done(): Promise<void> {
    return this.#done;
  }

  async #attempt(name: string, request: PreparedRequest, failures: number): Promise<void> {
    if (this.#stopped) return;
    try {
      const { lease } = await this.#init.cache.getPrepared(request, { label: name });
      checkCoverage(request, lease);
      this.#states.set(name, { state: 'ready' });
      this.#everReady.add(name);
      if (!this.#stopped) this.#watch(name, request, lease.expiration.getTime());
      this.#init.logger.info({ profile: name }, 'profile prewarmed');
      if ([...this.#states.values()].every((s) => s.state === 'ready')) this.#resolveDone();
    } catch (err) {
      if (this.#stopped) return;
      const error = err instanceof LfcsError ? err : new LfcsError('InternalError', 'prewarm failed');
      const missingLocations = err instanceof IncompleteCoverage ? err.missing : undefined;
      this.#states.set(name, {
        state: 'failed',
        error: { code: error.code, message: error.message },
        ...(missingLocations && { missingLocations }),
      });
      // Full jitter, as every other backoff here: pods started together do not retry in step.
      const delay = backoffDelayMs(failures + 1, {
        baseDelayMs: this.#init.retryBaseDelayMs,
        maxDelayMs: this.#init.retryMaxDelayMs,
        jitter: 'full',
        random: this.#init.random ?? Math.random,
      });
      this.#init.logger.warn(
        { profile: name, code: error.code, reason: error.message, retryInMs: delay, ...(missingLocations && { missingLocations }) },
        'prewarm failed',
      );
      const timer = this.#init.clock.setTimeout(() => {
        this.#timers.delete(timer);
        void this.#attempt(name, request, failures + 1);
      }, delay);
      this.#timers.add(timer);
    }
  }
}

/** A location profile's lease that does not cover every requested location. */
class IncompleteCoverage extends LfcsError {
  constructor(readonly missing: string[]) {
    super('IncompleteCoverage', `Lake Formation granted credentials without ${missing.join(', ')} in AccessibleDataLocations`, {
      retryable: true,
    });
  }
}

/**
 * A location profile is ready only when Lake Formation granted every location
 * it asked for. A retry re-reads the cached lease (a hit) until a refresh
 * brings a new answer, so fixed grants turn the profile ready without a restart.
 */
function checkCoverage(prepared: PreparedRequest, lease: Lease): void {
  const { request } = prepared;
  if (request.operation !== 'GetTemporaryDataLocationCredentials') return;
  const missing = missingDataLocations(request.dataLocations, lease.accessibleDataLocations ?? []);
  if (missing.length > 0) throw new IncompleteCoverage(missing);
}
