/**
 * A service-account token issuer for agent-mode tests: signing keys made by
 * `jose`, OIDC discovery and the JWKS served on loopback, and tokens shaped
 * like the kubelet's projected service-account tokens (the `kubernetes.io`
 * claims of Kubernetes 1.30+, node included).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface PodClaims {
  namespace: string;
  serviceAccount: string;
  pod: string;
  node: string;
}

export interface MintOptions {
  audience?: string | string[];
  issuer?: string;
  /** Seconds from now to `exp` (negative: already expired). Default 600. */
  expiresIn?: number;
  /** Seconds from now to `nbf`. Default 0. */
  notBefore?: number;
  /** Sign with this key id (must be one of the issuer's, published or not). Default: the newest published key. */
  kid?: string;
  /** Claims to drop or replace in `kubernetes.io` (e.g. `{ node: undefined }`). */
  kubernetes?: Record<string, unknown>;
  /** The time "now" is, ms. Default Date.now(). */
  now?: number;
  /** Top-level claims to replace, or drop when undefined (e.g. `{ exp: undefined }`). */
  claims?: Record<string, unknown>;
}

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
  published: boolean;
}

export class TestIssuer {
  readonly #keys: SigningKey[] = [];
  /** The `iss` of minted tokens and of the discovery document; set by {@link serve} unless given. */
  issuer: string;
  /** How many times the JWKS was fetched. */
  jwksFetches = 0;
  /** Authorization headers the discovery and JWKS requests carried. */
  readonly authorizations: Array<string | undefined> = [];
  #server: Server | undefined;
  url = '';
  /** While true, every request is answered 503 (an API server that is down). */
  failing = false;
  /** The `jwks_uri` discovery names; default this server's own. */
  jwksUri: string | undefined;

  constructor(issuer = '') {
    this.issuer = issuer;
  }

  /** Adds a signing key (published in the JWKS unless `published: false`); returns its kid. */
  async addKey(options: { alg?: 'RS256' | 'ES256'; published?: boolean } = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
    this.#keys.push({ kid, alg, privateKey, publicJwk, published: options.published ?? true });
    return kid;
  }

  /** Stops publishing `kid` (a rotation at the issuer drops the old key). */
  unpublish(kid: string): void {
    const key = this.#keys.find((k) => k.kid === kid);
    if (key) key.published = false;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.filter((k) => k.published).map((k) => k.publicJwk) };
  }

  /** The public JWK of `kid` (for forging an HMAC token keyed with it). */
  publicJwk(kid: string): JWK {
    return this.#key(kid).publicJwk;
  }

  #key(kid: string | undefined): SigningKey {
    const key = kid === undefined ? [...this.#keys].reverse().find((k) => k.published) : this.#keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`no signing key ${kid ?? '(published)'}`);
    return key;
  }

  /** The payload of a projected service-account token for `pod`. */
  payload(pod: PodClaims, options: MintOptions = {}): Record<string, unknown> {
    const now = Math.floor((options.now ?? Date.now()) / 1000);
    const kubernetes: Record<string, unknown> = {
      namespace: pod.namespace,
      serviceaccount: { name: pod.serviceAccount, uid: randomUUID() },
      pod: { name: pod.pod, uid: randomUUID() },
      node: { name: pod.node, uid: randomUUID() },
    };
    for (const [name, value] of Object.entries(options.kubernetes ?? {})) {
      if (value === undefined) delete kubernetes[name];
      else kubernetes[name] = value;
    }
    const payload: Record<string, unknown> = {
      iss: options.issuer ?? this.issuer,
      sub: `system:serviceaccount:${pod.namespace}:${pod.serviceAccount}`,
      aud: options.audience ?? ['lfcs'],
      iat: now + Math.min(0, options.notBefore ?? 0),
      nbf: now + (options.notBefore ?? 0),
      exp: now + (options.expiresIn ?? 600),
      jti: randomUUID(),
      'kubernetes.io': kubernetes,
    };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === undefined) delete payload[name];
      else payload[name] = value;
    }
    return payload;
  }

  /** A signed token for `pod`. */
  async mint(pod: PodClaims, options: MintOptions = {}): Promise<string> {
    const key = this.#key(options.kid);
    return new SignJWT(this.payload(pod, options)).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
  }

  /** An unsigned token (`alg: none`). */
  unsigned(pod: PodClaims, options: MintOptions = {}): string {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(this.payload(pod, options))}.`;
  }

  /** An HS256 token keyed with the public key's JWK text, carrying that key's kid: the "algorithm confusion" forgery. */
  hmacWithPublicKey(pod: PodClaims, options: MintOptions = {}): string {
    const key = this.#key(options.kid);
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signingInput = `${part({ alg: 'HS256', kid: key.kid, typ: 'JWT' })}.${part(this.payload(pod, options))}`;
    const signature = createHmac('sha256', JSON.stringify(key.publicJwk)).update(signingInput).digest('base64url');
    return `${signingInput}.${signature}`;
  }

  /** Serves discovery and the JWKS on 127.0.0.1; the issuer name defaults to the server's URL. */
  async serve(): Promise<this> {
    this.#server = createServer((req, res) => {
      this.authorizations.push(req.headers.authorization);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (this.failing) return send(503, { message: 'unavailable' });
      if (req.url === '/.well-known/openid-configuration') {
        const jwksUri = this.jwksUri ?? `${this.url}/openid/v1/jwks`;
        return send(200, { issuer: this.issuer, jwks_uri: jwksUri, id_token_signing_alg_values_supported: ['RS256'] });
      }
      // An API server's path, and the shorter one external issuers (EKS's OIDC provider) use.
      if (req.url === '/openid/v1/jwks' || req.url === '/keys') {
        this.jwksFetches++;
        return send(200, this.jwks());
      }
      send(404, { message: 'not found' });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    if (this.issuer === '') this.issuer = this.url;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
