/**
 * What a projected service-account token must say, and what a refused one is
 * told: the accepted algorithms, the `kubernetes.io` claims that name the
 * pod, and one `Unauthorized` reason per way `jose` refuses a token. No
 * reason repeats any part of the token.
 */
import { errors, type JWTPayload } from 'jose';
import { LfcsError } from '../core/errors.js';

// In its own module so that the credentials listener can recognise it without loading jose.
export { NodeMismatchError } from './errors.js';

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

export const unauthorized = (reason: string) => new LfcsError('Unauthorized', reason);

/**
 * Why `jose` refused the token, as the caller's `Unauthorized`; `undefined`
 * when the error is not about the token (the key set could not be read).
 */
export function tokenRefusal(err: unknown, issuer: string, audience: string): LfcsError | undefined {
  if (err instanceof errors.JWTExpired) return unauthorized('the token has expired; the kubelet rotates it, so re-read the token file');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return unauthorized(`the token's issuer (iss) is not ${issuer}`);
    if (err.claim === 'aud') return unauthorized(`the token's audience (aud) does not include ${audience}`);
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
  return undefined;
}

/** The pod's identity from the `kubernetes.io` claims, which a projected token bound to a pod always carries. */
export function podIdentity(payload: JWTPayload): PodIdentity {
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
