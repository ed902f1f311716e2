/**
 * The service-account token issuer's name and signing keys (agent mode),
 * found by discovery (`issuer-discovery.ts`), read once and kept.
 *
 * The key set is re-read every `jwksCacheSeconds` (the last one read stays
 * in use while the issuer is unreachable) and, on a token signed by an
 * unknown `kid`, by `jose` at most every `jwksCooldownSeconds`, so a key
 * rotation at the issuer is picked up.
 */
import type { JWTVerifyGetKey } from 'jose';
import type { Clock, TimerHandle } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import { describe, discover, KeyFetchPaused, type Discovered, type DiscoveryOptions } from './issuer-discovery.js';
import { KeyStore } from './key-store.js';
import type { AgentSettings } from './settings.js';

/** How long a failed discovery is remembered before the next request tries again, ms. */
const DISCOVERY_RETRY_MS = 5_000;

export type IssuerKeysOptions = DiscoveryOptions &
  Pick<AgentSettings, 'jwksCacheSeconds' | 'keyStoreFile' | 'keyStoreMaxAgeSeconds'> & {
    clock: Clock;
    /** Called once per failed discovery or key fetch, with a reason that carries no token. */
    onIssuerError?: (reason: string) => void;
    /** Called when the saved keys cannot be read or written, once per distinct reason. */
    onKeyStoreError?: (reason: string) => void;
  };

/** The issuer a token must name, and the keys its signature is checked with. */
export interface KeySet {
  readonly issuer: string;
  readonly keys: JWTVerifyGetKey;
  /** When the keys were saved, for keys read from the key store rather than the issuer. */
  readonly savedAt?: number;
}

export class IssuerKeys {
  readonly #options: IssuerKeysOptions;
  #discovery: Promise<Discovered> | undefined;
  #discoveryFailedAt = Number.NEGATIVE_INFINITY;
  #keysRead = false;
  #lastProblem: string | undefined;
  #retry: TimerHandle | undefined;
  #refresh: TimerHandle | undefined;
  #stopped = false;
  readonly #store: KeyStore;
  #storeProblem: string | undefined;

  constructor(options: IssuerKeysOptions) {
    this.#options = options;
    this.#store = new KeyStore(options.keyStoreFile, options.issuerUrl, options.keyStoreMaxAgeSeconds);
  }

  /**
   * Reads the discovery document and the keys now, and again every few
   * seconds until both were read once, so readiness tells whether pods can
   * be verified before the first one asks.
   */
  start(): void {
    this.#storeFailed(this.#store.load(this.#options.issuer));
    const attempt = () => {
      this.#retry = undefined;
      if (this.#stopped) return;
      this.#read().then(
        () => {
          this.#keysRead = true;
          this.#lastProblem = undefined;
          this.#scheduleRefresh();
        },
        (err: unknown) => {
          if (!(err instanceof LfcsError) && !(err instanceof KeyFetchPaused))
            this.#report(`cannot read the signing keys: ${describe(err)}`);
          if (!this.#stopped) this.#retry = this.#options.clock.setTimeout(attempt, DISCOVERY_RETRY_MS);
        },
      );
    };
    attempt();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#retry !== undefined) this.#options.clock.clearTimeout(this.#retry);
    if (this.#refresh !== undefined) this.#options.clock.clearTimeout(this.#refresh);
  }

  /** Discovery, then the key set read from the issuer. */
  async #read(): Promise<Discovered> {
    const discovered = await this.#discover();
    await discovered.keys.reload();
    const jwks = discovered.keys.jwks();
    // In the background: a slow disk delays nothing.
    if (jwks !== undefined)
      void this.#store.save(discovered.issuer, jwks, this.#options.clock.now()).then((problem) => this.#storeFailed(problem));
    return discovered;
  }

  /** Reports a key store problem once (each save would repeat it), and forgets it once resolved. */
  #storeFailed(problem: string | undefined): void {
    if (problem !== undefined && problem !== this.#storeProblem) this.#options.onKeyStoreError?.(problem);
    this.#storeProblem = problem;
  }

  /**
   * Re-reads the keys every `jwksCacheSeconds`, so a key the issuer dropped
   * stops verifying; while the issuer cannot be reached the keys last read
   * stay in use (jose itself is told never to expire them), so an API server
   * outage does not turn into refusing every pod.
   */
  #scheduleRefresh(): void {
    if (this.#stopped) return;
    this.#refresh = this.#options.clock.setTimeout(() => {
      this.#refresh = undefined;
      void this.#read()
        .catch((err: unknown) => {
          if (!(err instanceof LfcsError) && !(err instanceof KeyFetchPaused)) {
            this.#report(`cannot re-read the signing keys; the ones read before stay in use: ${describe(err)}`);
          }
        })
        .finally(() => this.#scheduleRefresh());
    }, this.#options.jwksCacheSeconds * 1000);
  }

  /**
   * Undefined once the issuer's keys were read, or while the saved ones are
   * used (the agent serves: a restart would not help, and the start-up probe
   * must not kill it); otherwise why pods cannot be verified yet.
   */
  get notReadyReason(): string | undefined {
    if (this.#keysRead || this.#savedInUse() !== undefined) return undefined;
    return this.#notRead();
  }

  /** While the saved keys are used instead of the issuer's, says so: for readiness to report. */
  get savedKeysNote(): string | undefined {
    const saved = this.#savedInUse();
    if (saved === undefined) return undefined;
    const age = Math.floor((this.#options.clock.now() - saved.savedAt) / 1000);
    return (
      `${this.#notRead()}; verifying with its keys saved ${age} s ago at ${this.#options.keyStoreFile} ` +
      `(until they are ${this.#options.keyStoreMaxAgeSeconds} s old, agent.keyStoreMaxAgeSeconds)`
    );
  }

  #savedInUse() {
    return this.#keysRead ? undefined : this.#store.usable(this.#options.clock.now());
  }

  #notRead(): string {
    return `service-account token issuer not read yet${this.#lastProblem ? `: ${this.#lastProblem}` : ''}`;
  }

  /**
   * The issuer and its key set. Until the issuer's keys were read once, the
   * keys saved at the last run are used while young enough (a restart during
   * an issuer outage keeps verifying pods); otherwise rejects with
   * `IssuerUnavailable` while discovery fails.
   */
  async current(): Promise<KeySet> {
    return this.#savedInUse() ?? this.#discover();
  }

  /** A token verified with `current()`'s keys: read from the issuer, they were read. */
  verified(keySet: KeySet): void {
    if (keySet.savedAt === undefined) this.#keysRead = true;
  }

  /**
   * A verification that failed for a reason other than the token: the key
   * set could not be read. Reported (unless during the pause after a failed
   * fetch, reported already); returns the caller's `IssuerUnavailable`.
   */
  unavailable(err: unknown, issuer: string): LfcsError {
    if (!(err instanceof KeyFetchPaused)) this.#report(`cannot read the signing keys of ${issuer}: ${describe(err)}`);
    return issuerUnavailable();
  }

  #report(reason: string): void {
    this.#lastProblem = reason;
    this.#options.onIssuerError?.(reason);
  }

  /** The issuer name and key set, from the discovery document; retried after a failure. */
  #discover(): Promise<Discovered> {
    if (this.#discovery) return this.#discovery;
    if (this.#options.clock.now() - this.#discoveryFailedAt < DISCOVERY_RETRY_MS) {
      return Promise.reject(issuerUnavailable());
    }
    this.#discovery = discover(this.#options).catch((err: unknown) => {
      this.#discovery = undefined;
      this.#discoveryFailedAt = this.#options.clock.now();
      this.#report(`OIDC discovery at ${this.#options.issuerUrl} failed: ${describe(err)}`);
      throw issuerUnavailable();
    });
    return this.#discovery;
  }
}

function issuerUnavailable(): LfcsError {
  return new LfcsError('IssuerUnavailable', 'the service-account token issuer cannot be reached; try again', { retryable: true });
}
