/**
 * Who may call the credentials listener, in each mode:
 *
 * - sidecar mode: whoever sends the pod's shared token (`auth.*`); it may
 *   use every profile, and the dynamic routes within `dynamic.allowed*`.
 * - agent mode: a pod sending its projected service-account token, verified
 *   as a JWT; it may use what its (namespace, service account) is bound to.
 *
 * Both are one interface, so the routes and the fast path make the same
 * calls whatever the mode.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import { TokenBucket } from '../core/token-bucket.js';
import type { Bindings, Target } from './bindings.js';
import { isDataLocationRequest } from '../lakeformation/types.js';
import type { PodIdentity, ServiceAccountVerifier } from './service-account-verifier.js';
import { isLoopbackHostHeader } from './host-check.js';
import { hostForUrl } from '../core/hosts.js';
import type { TokenSource } from './token-source.js';

export type { Target } from './bindings.js';

/**
 * Agent mode: outcomes of `lfcs_agent_token_checks_total{outcome}`. `remembered`
 * is a token verified moments ago; `refused` a 401 or a wrong node;
 * `issuer_unavailable` a token that could not be checked.
 */
export const TOKEN_CHECK_OUTCOMES = ['verified', 'remembered', 'refused', 'issuer_unavailable'] as const;
export type TokenCheckOutcome = (typeof TOKEN_CHECK_OUTCOMES)[number];

/** An authenticated caller: the token holder (sidecar mode), or a pod (agent mode). */
export type Caller = { readonly kind: 'token' } | { readonly kind: 'pod'; readonly identity: PodIdentity };

export interface CallerAuth {
  /** The caller, when its Authorization header is known good without waiting (the fast path); otherwise undefined. */
  known(header: string | undefined): Caller | undefined;
  /** Authenticates the header: rejects with a 401 (or another LfcsError) when it does not. */
  authenticate(header: string | undefined): Promise<Caller>;
  /** Undefined when `caller` may use `target`; otherwise the 403 to answer. */
  authorize(caller: Caller, target: Target): LfcsError | undefined;
  /** Told after `caller` was answered with credentials for `target` expiring at `expiration` (ms). */
  served(caller: Caller, target: Target, expiration: number): void;
  /** Whether a `Host` header names this listener (the DNS-rebinding defence). */
  hostAllowed(host: string | undefined): boolean;
  /** What `hostAllowed` accepts, for the 403. */
  readonly hostRule: string;
  /** Whether the cache listing (every cached table) may be shown: only to the one token holder. */
  readonly listsCache: boolean;
  /** Spends one of the caller's own requests (agent mode: per pod); false means answer 429. */
  admit(caller: Caller): boolean;
}

const TOKEN_CALLER: Caller = Object.freeze({ kind: 'token' });

/** Sidecar mode: the shared token, compared in constant time. */
export function tokenAuth(token: TokenSource): CallerAuth {
  return {
    known: (header) => (token.matches(header) ? TOKEN_CALLER : undefined),
    authenticate: async (header) => {
      if (token.matches(header)) return TOKEN_CALLER;
      throw new LfcsError(
        'Unauthorized',
        header === undefined
          ? 'the Authorization header is missing; send the token from AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE)'
          : 'the Authorization header does not match the token',
      );
    },
    authorize: () => undefined,
    served: () => undefined,
    hostAllowed: isLoopbackHostHeader,
    hostRule: 'a loopback address such as 127.0.0.1',
    listsCache: true,
    // One caller: the listener's own rate limit is its limit.
    admit: () => true,
  };
}

/** Audit lines remembered as written (one per pod, target and lease), at most. */
const SERVED_AUDIT_MEMORY = 10_000;

export interface AgentAuthInit {
  verifier: Pick<ServiceAccountVerifier, 'known' | 'verify'>;
  bindings: Pick<Bindings, 'check'>;
  /** The agent's own listen address: the `Host` its clients send (loopback is accepted too). */
  host: string;
  logger: Logger;
  /** `lfcs_agent_token_checks_total`. */
  metrics: { tokenChecks: { labels(labels: { outcome: TokenCheckOutcome }): { inc(): void } } };
  /** Each pod's own request budget. */
  podRequestsPerSecond: number;
  podBurst: number;
  clock: Clock;
}

/** Pods whose request budget is remembered at once (a node runs a few hundred at most). */
const POD_BUCKETS_MAX = 10_000;

/**
 * Agent mode. Each pod's first answer for a target and lease is an audit
 * line naming its namespace, service account and pod; the cache (and so the
 * lease) is shared by every pod on the node.
 */
export function agentAuth(init: AgentAuthInit): CallerAuth {
  const audited = new LRUCache<string, true>({ max: SERVED_AUDIT_MEMORY });
  const buckets = new LRUCache<string, TokenBucket>({ max: POD_BUCKETS_MAX });
  const ownHost = hostForUrl(init.host);
  const ownHosts = new Set([ownHost, `${ownHost}:80`]);
  const checks = Object.fromEntries(
    TOKEN_CHECK_OUTCOMES.map((outcome) => [outcome, init.metrics.tokenChecks.labels({ outcome })]),
  ) as Record<TokenCheckOutcome, { inc(): void }>;
  return {
    known(header) {
      const identity = init.verifier.known(header);
      if (identity === undefined) return undefined;
      checks.remembered.inc();
      return { kind: 'pod', identity };
    },
    async authenticate(header) {
      try {
        const identity = await init.verifier.verify(header);
        checks.verified.inc();
        return { kind: 'pod', identity };
      } catch (err) {
        checks[err instanceof LfcsError && err.code === 'IssuerUnavailable' ? 'issuer_unavailable' : 'refused'].inc();
        throw err;
      }
    },
    authorize(caller, target) {
      return caller.kind === 'pod' ? init.bindings.check(caller.identity, target) : undefined;
    },
    served(caller, target, expiration) {
      if (caller.kind !== 'pod') return;
      const { namespace, serviceAccount, pod, podUid } = caller.identity;
      const fields = describeTarget(target);
      const key = `${podUid}\n${JSON.stringify(fields)}\n${expiration}`;
      if (audited.has(key)) return;
      audited.set(key, true);
      init.logger.info(
        { audit: 'served', namespace, serviceAccount, pod, ...fields, expiration: new Date(expiration).toISOString() },
        'credentials served to a pod',
      );
    },
    hostAllowed: (host) => (host !== undefined && (ownHosts.has(host) || hostWithPort(host, ownHost))) || isLoopbackHostHeader(host),
    hostRule: `this agent's address, ${ownHost}, or a loopback address`,
    listsCache: false,
    admit(caller) {
      if (caller.kind !== 'pod') return true;
      let bucket = buckets.get(caller.identity.podUid);
      if (bucket === undefined) {
        bucket = new TokenBucket({ clock: init.clock, ratePerSecond: init.podRequestsPerSecond, burst: init.podBurst });
        buckets.set(caller.identity.podUid, bucket);
      }
      return bucket.tryTake();
    },
  };
}

function hostWithPort(host: string, ownHost: string): boolean {
  return host.startsWith(`${ownHost}:`) && /^\d{1,5}$/.test(host.slice(ownHost.length + 1));
}

/** The audit fields of a target: the profile, or the table or locations asked for. */
function describeTarget(target: Target): Record<string, unknown> {
  if ('profile' in target) return { profile: target.profile };
  const { request } = target;
  if (isDataLocationRequest(request)) return { locations: request.dataLocations, credentialsScope: request.credentialsScope };
  return {
    tableArn: request.tableArn,
    ...(request.partitionValues && { partition: request.partitionValues }),
    permissions: request.permissions,
  };
}
