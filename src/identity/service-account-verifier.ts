/**
 * Verifies a pod's projected service-account token (agent mode), as a JWT
 * with `jose`: the signature against the issuer's published keys
 * (`issuer-keys.ts`), then `iss`, `aud`, `exp` and `nbf`, then the
 * `kubernetes.io` claims that name the pod (`token-claims.ts`). Only
 * asymmetric algorithms are accepted, so neither `alg: none` nor an HMAC
 * token "signed" with a public key can pass.
 *
 * A verified token is remembered by its digest for `verifiedTokenSeconds`
 * (never past its `exp`), so a hit costs one hash and one map lookup.
 */
import { createHash } from 'node:crypto';
import { jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { IssuerKeys, type IssuerKeysOptions } from './issuer-keys.js';
import type { AgentSettings } from './settings.js';
import {
  ACCEPTED_ALGORITHMS,
  CLOCK_TOLERANCE_SECONDS,
  NodeMismatchError,
  podIdentity,
  tokenRefusal,
  unauthorized,
  type PodIdentity,
} from './token-claims.js';

export { isApiServer } from './issuer-discovery.js';
export { ACCEPTED_ALGORITHMS, CLOCK_TOLERANCE_SECONDS, NodeMismatchError, type PodIdentity } from './token-claims.js';

/** Tokens remembered as verified at once (a node runs at most a few hundred pods, each with one token at a time). */
const VERIFIED_TOKENS_MAX = 10_000;

/** Longest Authorization header read as a token (projected tokens are about 1 KB). */
const MAX_TOKEN_LENGTH = 8192;

export type VerifierOptions = IssuerKeysOptions &
  Pick<AgentSettings, 'audience' | 'verifiedTokenSeconds'> & {
    /** The node this agent serves: a token naming another one is refused. */
    nodeName: string;
  };

export class ServiceAccountVerifier {
  readonly #options: VerifierOptions;
  readonly #keys: IssuerKeys;
  readonly #verified: LRUCache<string, { identity: PodIdentity; until: number }>;

  constructor(options: VerifierOptions) {
    this.#options = options;
    this.#keys = new IssuerKeys(options);
    this.#verified = new LRUCache({ max: VERIFIED_TOKENS_MAX });
  }

  /** Reads the issuer's keys now and keeps them fresh (see `IssuerKeys.start`). */
  start(): void {
    this.#keys.start();
  }

  stop(): void {
    this.#keys.stop();
  }

  /** Undefined once the issuer's keys were read (or saved ones are in use); otherwise why pods cannot be verified yet. */
  get notReadyReason(): string | undefined {
    return this.#keys.notReadyReason;
  }

  /** While pods are verified with the keys saved at an earlier run (the issuer cannot be reached), says so. */
  get savedKeysNote(): string | undefined {
    return this.#keys.savedKeysNote;
  }

  /** The identity of a token verified within `verifiedTokenSeconds`, without waiting; otherwise undefined. */
  known(header: string | undefined): PodIdentity | undefined {
    if (header === undefined || this.#options.verifiedTokenSeconds === 0) return undefined;
    const digest = digestOf(header);
    const entry = this.#verified.get(digest);
    if (entry === undefined) return undefined;
    if (this.#options.clock.now() >= entry.until) {
      this.#verified.delete(digest);
      return undefined;
    }
    return entry.identity;
  }

  /**
   * Verifies the header's token. Rejects with `Unauthorized` (401) for a
   * token that does not verify, `NodeMismatch` (403) for one bound to a pod
   * on another node, and `IssuerUnavailable` (503) when the issuer's keys
   * cannot be read. No message repeats any part of the token.
   */
  async verify(header: string | undefined): Promise<PodIdentity> {
    if (header === undefined || header === '') {
      throw unauthorized(
        'the Authorization header is missing; send the projected service-account token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)',
      );
    }
    if (header.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(header)) {
      throw unauthorized('the Authorization header is not a JWT; send the projected service-account token itself, without a scheme');
    }
    const keySet = await this.#keys.current();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(header, keySet.keys, {
        issuer: keySet.issuer,
        audience: this.#options.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        currentDate: new Date(this.#options.clock.now()),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      // Anything but a refused token is the key fetch failing: not the caller's fault.
      throw tokenRefusal(err, keySet.issuer, this.#options.audience) ?? this.#keys.unavailable(err, keySet.issuer);
    }
    const identity = podIdentity(payload);
    if (identity.node !== this.#options.nodeName) {
      throw new NodeMismatchError(identity, this.#options.nodeName);
    }
    if (this.#options.verifiedTokenSeconds > 0) {
      const until = Math.min((payload.exp as number) * 1000, this.#options.clock.now() + this.#options.verifiedTokenSeconds * 1000);
      this.#verified.set(digestOf(header), { identity, until });
    }
    this.#keys.verified(keySet);
    return identity;
  }
}

function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}
