/**
 * OIDC discovery of the service-account token issuer (agent mode): its name
 * and where its signing keys are, from `<issuerUrl>/.well-known/openid-configuration`,
 * and a `jose` key set that reads them. lfcs's own token goes only to the
 * in-cluster API server (`kubernetes.default.svc`, or a loopback proxy),
 * read afresh for each request: never to another origin or issuer.
 */
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, customFetch, type FetchImplementation } from 'jose';
import type { Clock } from '../core/clock.js';
import { isHttpsOrLoopbackUrl, isLoopbackHost, urlHostname } from '../core/hosts.js';
import type { AgentSettings } from './settings.js';

/** After a failed key fetch, none for this long, ms (a little under the start-up retry, which must not hit it). */
const KEY_FETCH_PAUSE_MS = 4_000;

/** Thrown by the key fetch during its pause: the failure it stands for was reported already. */
export class KeyFetchPaused extends Error {}

export type DiscoveryOptions = Pick<AgentSettings, 'issuerUrl' | 'issuer' | 'jwksUrl' | 'discoveryTokenFile' | 'jwksCooldownSeconds'> & {
  clock: Clock;
};

export type RemoteKeys = ReturnType<typeof createRemoteJWKSet>;

/** The issuer's name and its key set, read by jose on `reload()` (and on an unknown `kid`, after the cooldown). */
export interface Discovered {
  issuer: string;
  keys: RemoteKeys;
}

/** Reads the discovery document; throws an `Error` whose message names the problem and carries no body. */
export async function discover(options: DiscoveryOptions): Promise<Discovered> {
  const base = new URL(options.issuerUrl);
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/.well-known/openid-configuration`, base);
  const apiServer = isApiServer(base);
  const response = await fetch(url, {
    headers: { accept: 'application/json', ...(apiServer ? ownTokenHeader(options.discoveryTokenFile) : {}) },
    redirect: 'error',
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) {
    const hint =
      (response.status === 401 || response.status === 403) && !apiServer
        ? ' (lfcs sends its own token only to the in-cluster API server: set agent.issuerUrl to https://kubernetes.default.svc)'
        : '';
    throw new Error(`HTTP ${response.status}${hint}`);
  }
  const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  let jwksUrl: URL;
  if (options.jwksUrl !== undefined) {
    jwksUrl = new URL(options.jwksUrl);
  } else {
    const advertised = typeof document.jwks_uri === 'string' && URL.canParse(document.jwks_uri) ? new URL(document.jwks_uri) : undefined;
    if (advertised === undefined) throw new Error('the document has no jwks_uri');
    jwksUrl = keysUrl(advertised, base, apiServer);
    // A query is fine in a key set URL (unlike issuerUrl).
    if (!isHttpsOrLoopbackUrl(jwksUrl)) throw new Error('the jwks_uri is not https:// (http:// only on loopback), or carries credentials');
  }
  const issuer = options.issuer ?? document.issuer;
  if (typeof issuer !== 'string' || issuer === '') throw new Error('the document has no issuer, and agent.issuer is not set');
  // lfcs's own token is a credential: it goes to the in-cluster API server it came from, nowhere else.
  const sendToken = apiServer && jwksUrl.origin === base.origin;
  const keys = createRemoteJWKSet(jwksUrl, {
    // Re-read on the key set's own schedule (IssuerKeys), not by jose on a request.
    cacheMaxAge: Number.POSITIVE_INFINITY,
    cooldownDuration: options.jwksCooldownSeconds * 1000,
    timeoutDuration: 5_000,
    [customFetch]: keysFetch(options, sendToken),
  });
  return { issuer, keys };
}

/**
 * jose's key fetch, with lfcs's own token read afresh each time (the
 * kubelet rotates it) and, after a failed fetch, no new one for a few
 * seconds: a flood of tokens with unknown key ids while the issuer is down
 * costs the issuer one request, not one each.
 */
function keysFetch(options: DiscoveryOptions, sendToken: boolean): FetchImplementation {
  let failedAt = Number.NEGATIVE_INFINITY;
  return async (url, init) => {
    if (options.clock.now() - failedAt < KEY_FETCH_PAUSE_MS) throw new KeyFetchPaused('the last key fetch failed moments ago');
    const headers = new Headers(init.headers);
    if (sendToken) for (const [name, value] of Object.entries(ownTokenHeader(options.discoveryTokenFile))) headers.set(name, value);
    try {
      const response = await fetch(url, { ...init, headers });
      if (response.status !== 200) {
        // jose would say only "Expected 200 OK"; the status tells an operator more (401/403: RBAC).
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status} from the key set`);
      }
      return response;
    } catch (err) {
      failedAt = options.clock.now();
      throw err;
    }
  };
}

/** `Authorization: Bearer <lfcs's own token>`, re-read each time (the kubelet rotates it); none while the file is absent. */
function ownTokenHeader(file: string): Record<string, string> {
  try {
    const token = readFileSync(file, 'utf8').trim();
    return token === '' ? {} : { authorization: `Bearer ${token}` };
  } catch {
    return {};
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

/** A fetch failure's kind, never a response body (it could echo anything). */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: unknown } }).cause?.code;
    return typeof cause === 'string' ? `${err.message} (${cause})` : err.message;
  }
  return String(err);
}
