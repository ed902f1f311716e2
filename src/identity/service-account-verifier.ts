/**
 * Verifies a pod's projected service-account token (agent mode), as a JWT
 * with `jose`: the signature against the issuer's published keys (JWKS),
 * then `iss`, `aud`, `exp` and `nbf`, then the `kubernetes.io` claims that
 * name the pod. Only asymmetric algorithms are accepted, so neither
 * `alg: none` nor an HMAC token "signed" with a public key can pass.
 *
 * The issuer's keys are found by OIDC discovery
 * (`<issuerUrl>/.well-known/openid-configuration`), read once and kept.
 * The key set is re-read every `jwksCacheSeconds` (the last one read stays
 * in use while the issuer is unreachable) and, on a token signed by an
 * unknown `kid`, by `jose` at most every `jwksCooldownSeconds`, so a key
 * rotation at the issuer is picked up. lfcs's own token goes only to the
 * in-cluster API server (`kubernetes.default.svc`, or a loopback proxy),
 * read afresh for each request: never to another origin or issuer.
 *
 * A verified token is remembered by its digest for `verifiedTokenSeconds`
 * (never past its `exp`), so a hit costs one hash and one map lookup.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock, TimerHandle } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import { isHttpsOrLoopbackUrl, isLoopbackHost, urlHostname } from '../core/hosts.js';
import { NodeMismatchError } from './errors.js';
import type { AgentSettings } from './settings.js';

export { NodeMismatchError };

/** Who a verified token says the caller is. */
export interface PodIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly pod: string;
  readonly podUid: string;
  readonly node: string;
}

/** The algorithms Kubernetes signs service-account tokens with (RSA and ECDSA), and EdDSA: all asymmetric. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Clock skew allowed on `exp` and `nbf`, s: the API server and the node keep time apart. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Tokens remembered as verified at once (a node runs at most a few hundred pods, each with one token at a time). */
const VERIFIED_TOKENS_MAX = 10_000;

/** How long a failed discovery is remembered before the next request tries again, ms. */
const DISCOVERY_RETRY_MS = 5_000;

/** After a failed key fetch, none for this long, ms (a little under the start-up retry, which must not hit it). */
const KEY_FETCH_PAUSE_MS = 4_000;

/** Thrown by the key fetch during its pause: the failure it stands for was reported already. */
class KeyFetchPaused extends Error {}

/** Longest Authorization header read as a token (projected tokens are about 1 KB). */
const MAX_TOKEN_LENGTH = 8192;

export type VerifierOptions = Pick<
  AgentSettings,
  'issuerUrl' | 'issuer' | 'jwksUrl' | 'audience' | 'discoveryTokenFile' | 'verifiedTokenSeconds' | 'jwksCacheSeconds' | 'jwksCooldownSeconds'
> & {
  /** The node this agent serves: a token naming another one is refused. */
  nodeName: string;
  clock: Clock;
  /** Called once per failed discovery or key fetch, with a reason that carries no token. */
  onIssuerError?: (reason: string) => void;
};

interface Discovered {
  issuer: string;
  keys: ReturnType<typeof createRemoteJWKSet>;
}

const unauthorized = (reason: string) => new LfcsError('Unauthorized', reason);

export class ServiceAccountVerifier {
  readonly #options: VerifierOptions;
  readonly #verified: LRUCache<string, { identity: PodIdentity; until: number }>;
  #discovery: Promise<Discovered> | undefined;
  #discoveryFailedAt = Number.NEGATIVE_INFINITY;
  #keysRead = false;
  #keysFailedAt = Number.NEGATIVE_INFINITY;
  #lastProblem: string | undefined;
  #retry: TimerHandle | undefined;
  #refresh: TimerHandle | undefined;
  #stopped = false;

  constructor(options: VerifierOptions) {
    this.#options = options;
    this.#verified = new LRUCache({ max: VERIFIED_TOKENS_MAX });
  }

  /**
   * Reads the discovery document and the keys now, and again every few
   * seconds until both were read once, so readiness tells whether pods can
   * be verified before the first one asks.
   */
  start(): void {
    const attempt = () => {
      this.#retry = undefined;
      if (this.#stopped) return;
      this.#discover()
        .then(({ keys }) => keys.reload())
        .then(
          () => {
            this.#keysRead = true;
            this.#lastProblem = undefined;
            this.#scheduleRefresh();
          },
          (err: unknown) => {
            if (!(err instanceof LfcsError) && !(err instanceof KeyFetchPaused)) this.#report(`cannot read the signing keys: ${describe(err)}`);
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
      void this.#discover()
        .then(({ keys }) => keys.reload())
        .catch((err: unknown) => {
          if (!(err instanceof LfcsError) && !(err instanceof KeyFetchPaused)) {
            this.#report(`cannot re-read the signing keys; the ones read before stay in use: ${describe(err)}`);
          }
        })
        .finally(() => this.#scheduleRefresh());
    }, this.#options.jwksCacheSeconds * 1000);
  }

  /** Undefined once the issuer's keys were read; otherwise why pods cannot be verified yet. */
  get notReadyReason(): string | undefined {
    if (this.#keysRead) return undefined;
    return `service-account token issuer not read yet${this.#lastProblem ? `: ${this.#lastProblem}` : ''}`;
  }

  #report(reason: string): void {
    this.#lastProblem = reason;
    this.#options.onIssuerError?.(reason);
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
      throw unauthorized('the Authorization header is missing; send the projected service-account token (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)');
    }
    if (header.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(header)) {
      throw unauthorized('the Authorization header is not a JWT; send the projected service-account token itself, without a scheme');
    }
    const { issuer, keys } = await this.#discover();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(header, keys, {
        issuer,
        audience: this.#options.audience,
        algorithms: ACCEPTED_ALGORITHMS,
        currentDate: new Date(this.#options.clock.now()),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw this.#verificationError(err, issuer);
    }
    const identity = podIdentity(payload);
    if (identity.node !== this.#options.nodeName) {
      throw new NodeMismatchError(identity, this.#options.nodeName);
    }
    if (this.#options.verifiedTokenSeconds > 0) {
      const until = Math.min((payload.exp as number) * 1000, this.#options.clock.now() + this.#options.verifiedTokenSeconds * 1000);
      this.#verified.set(digestOf(header), { identity, until });
    }
    this.#keysRead = true;
    return identity;
  }

  #verificationError(err: unknown, issuer: string): LfcsError {
    if (err instanceof errors.JWTExpired) return unauthorized('the token has expired; the kubelet rotates it, so re-read the token file');
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'iss') return unauthorized(`the token's issuer (iss) is not ${issuer}`);
      if (err.claim === 'aud') return unauthorized(`the token's audience (aud) does not include ${this.#options.audience}`);
      if (err.claim === 'nbf') return unauthorized('the token is not valid yet (nbf)');
      return unauthorized(`the token's ${err.claim} claim is invalid`);
    }
    if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
      return unauthorized(`the token's algorithm is not accepted; accepted: ${ACCEPTED_ALGORITHMS.join(', ')}`);
    }
    if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
      return unauthorized('the token is signed by a key the issuer does not publish');
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) return unauthorized('the token signature does not verify');
    if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return unauthorized('the token is not a well-formed JWT');
    // Anything else is the key fetch failing: not the caller's fault. During the pause it was reported already.
    if (!(err instanceof KeyFetchPaused)) this.#report(`cannot read the signing keys of ${issuer}: ${describe(err)}`);
    return new LfcsError('IssuerUnavailable', 'the service-account token issuer cannot be reached; try again', { retryable: true });
  }

  /** The issuer name and key set, from the discovery document; retried after a failure. */
  #discover(): Promise<Discovered> {
    if (this.#discovery) return this.#discovery;
    if (this.#options.clock.now() - this.#discoveryFailedAt < DISCOVERY_RETRY_MS) {
      return Promise.reject(issuerUnavailable());
    }
    this.#discovery = this.#fetchDiscovery().catch((err: unknown) => {
      this.#discovery = undefined;
      this.#discoveryFailedAt = this.#options.clock.now();
      this.#report(`OIDC discovery at ${this.#options.issuerUrl} failed: ${describe(err)}`);
      throw issuerUnavailable();
    });
    return this.#discovery;
  }

  async #fetchDiscovery(): Promise<Discovered> {
    const base = new URL(this.#options.issuerUrl);
    const url = new URL(`${base.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`, base);
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...(isApiServer(base) ? this.#ownTokenHeader() : {}) },
      redirect: 'error',
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) {
      const hint =
        (response.status === 401 || response.status === 403) && !isApiServer(base)
          ? " (lfcs sends its own token only to the in-cluster API server: set agent.issuerUrl to https://kubernetes.default.svc)"
          : '';
      throw new Error(`HTTP ${response.status}${hint}`);
    }
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    const apiServer = isApiServer(base);
    let jwksUrl: URL;
    if (this.#options.jwksUrl !== undefined) {
      jwksUrl = new URL(this.#options.jwksUrl);
    } else {
      const advertised = typeof document.jwks_uri === 'string' && URL.canParse(document.jwks_uri) ? new URL(document.jwks_uri) : undefined;
      if (advertised === undefined) throw new Error('the document has no jwks_uri');
      jwksUrl = keysUrl(advertised, base, apiServer);
      // A query is fine in a key set URL (unlike issuerUrl).
      if (!isHttpsOrLoopbackUrl(jwksUrl)) throw new Error('the jwks_uri is not https:// (http:// only on loopback), or carries credentials');
    }
    const issuer = this.#options.issuer ?? document.issuer;
    if (typeof issuer !== 'string' || issuer === '') throw new Error('the document has no issuer, and agent.issuer is not set');
    // lfcs's own token is a credential: it goes to the in-cluster API server it came from, nowhere else.
    const sendToken = apiServer && jwksUrl.origin === base.origin;
    const keys = createRemoteJWKSet(jwksUrl, {
      // Re-read on the schedule above, not by jose on a request: see #scheduleRefresh.
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: this.#options.jwksCooldownSeconds * 1000,
      timeoutDuration: 5_000,
      [customFetch]: this.#keysFetch(sendToken),
    });
    return { issuer, keys };
  }

  /**
   * jose's key fetch, with lfcs's own token read afresh each time (the
   * kubelet rotates it) and, after a failed fetch, no new one for a few
   * seconds: a flood of tokens with unknown key ids while the issuer is down
   * costs the issuer one request, not one each.
   */
  #keysFetch(sendToken: boolean): FetchImplementation {
    return async (url, options) => {
      const now = this.#options.clock.now();
      if (now - this.#keysFailedAt < KEY_FETCH_PAUSE_MS) throw new KeyFetchPaused('the last key fetch failed moments ago');
      const headers = new Headers(options.headers);
      if (sendToken) for (const [name, value] of Object.entries(this.#ownTokenHeader())) headers.set(name, value);
      try {
        const response = await fetch(url, { ...options, headers });
        if (response.status !== 200) {
          // jose would say only "Expected 200 OK"; the status tells an operator more (401/403: RBAC).
          await response.body?.cancel();
          throw new Error(`HTTP ${response.status} from the key set`);
        }
        return response;
      } catch (err) {
        this.#keysFailedAt = this.#options.clock.now();
        throw err;
      }
    };
  }

  /** `Authorization: Bearer <lfcs's own token>`, re-read each time (the kubelet rotates it); none while the file is absent. */
  #ownTokenHeader(): Record<string, string> {
    try {
      const token = readFileSync(this.#options.discoveryTokenFile, 'utf8').trim();
      return token === '' ? {} : { authorization: `Bearer ${token}` };
    } catch {
      return {};
    }
  }
}

/** The API server's own key set path (kube-apiserver serves it on every address it listens on). */
const API_SERVER_JWKS_PATH = '/openid/v1/jwks';

/**
 * Where the keys are read when `agent.jwksUrl` is not set: the advertised
 * `jwks_uri`, except that a stock API server advertises its keys at its own external
 * address (`https://<node IP>:6443/openid/v1/jwks`), another origin than
 * `https://kubernetes.default.svc`, where lfcs's token would not be sent and
 * anonymous reads are usually refused; the same API server answers that
 * path at the in-cluster origin, so it is read there.
 */
function keysUrl(advertised: URL, base: URL, apiServer: boolean): URL {
  if (apiServer && advertised.origin !== base.origin && advertised.pathname === API_SERVER_JWKS_PATH && advertised.search === '') {
    return new URL(API_SERVER_JWKS_PATH, base);
  }
  return advertised;
}

/**
 * Whether `issuerUrl` is the API server as pods reach it in-cluster
 * (`kubernetes.default.svc`, with or without the cluster domain) or a
 * loopback proxy to it (`kubectl proxy`, tests): the only issuers lfcs's own
 * token, whose audience is the API server, is ever sent to.
 */
export function isApiServer(base: URL): boolean {
  const host = urlHostname(base);
  return IN_CLUSTER_API_SERVER_HOSTS.includes(host) || isLoopbackHost(host);
}

/** The names pods reach the API server by (a custom cluster domain: use `kubernetes.default.svc`). */
const IN_CLUSTER_API_SERVER_HOSTS = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

function issuerUnavailable(): LfcsError {
  return new LfcsError('IssuerUnavailable', 'the service-account token issuer cannot be reached; try again', { retryable: true });
}

/** The pod's identity from the `kubernetes.io` claims, which a projected token bound to a pod always carries. */
function podIdentity(payload: JWTPayload): PodIdentity {
  const claims = payload['kubernetes.io'] as Record<string, unknown> | undefined;
  const name = (value: unknown, key: string) => {
    const inner = (value as Record<string, unknown> | undefined)?.[key];
    return typeof inner === 'string' && inner !== '' ? inner : undefined;
  };
  const namespace = typeof claims?.['namespace'] === 'string' ? claims['namespace'] : undefined;
  const serviceAccount = name(claims?.['serviceaccount'], 'name');
  if (namespace === undefined || serviceAccount === undefined) {
    throw unauthorized('the token is not a Kubernetes service-account token (no kubernetes.io namespace and service account)');
  }
  if (payload.sub !== `system:serviceaccount:${namespace}:${serviceAccount}`) {
    throw unauthorized('the token subject (sub) does not match its kubernetes.io claims');
  }
  const pod = name(claims?.['pod'], 'name');
  const podUid = name(claims?.['pod'], 'uid');
  if (pod === undefined || podUid === undefined) {
    throw unauthorized('the token is not bound to a pod; mount a projected service-account token (serviceAccountToken volume)');
  }
  const node = name(claims?.['node'], 'name');
  if (node === undefined) {
    throw unauthorized('the token names no node (kubernetes.io.node, added by Kubernetes 1.30 and later); this agent needs it');
  }
  return { namespace, serviceAccount, pod, podUid, node };
}

function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** A fetch failure's kind, never a response body (it could echo anything). */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    return typeof cause === 'string' ? `${err.message} (${cause})` : err.message;
  }
  return String(err);
}
