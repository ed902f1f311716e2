/**
 * A stand-in for EKS Auth on 127.0.0.1, for the peers bench: the upstream of
 * the EKS Pod Identity Agent. It answers AssumeRoleForPodIdentity in the
 * service's REST-JSON shape (`POST /clusters/{clusterName}/assume-role-for-pod-identity`,
 * body `{"token": "<service-account token>"}`; credentials, subject, audience,
 * podIdentityAssociation, assumedRoleUser; the expiration in epoch seconds).
 * It requires a SigV4 Authorization header for the "eks-auth" service but
 * does not check the signature. It counts the calls it answered, so the bench
 * can show that the agent served its rounds from its cache.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';

export const EKS_AUTH_ACCOUNT = '123456789012';
const ROUTE = /^\/clusters\/([^/]+)\/assume-role-for-pod-identity$/;
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\/\d{8}\/[a-z0-9-]+\/eks-auth\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/;
const CREDENTIAL_SECONDS = 6 * 3600;

/**
 * A service-account token as the kubelet projects it for EKS Pod Identity:
 * a JWT with the pods.eks.amazonaws.com audience, valid for a day. The agent
 * only parses it and checks its time claims; the signature is not verified
 * by the agent and this stand-in, so it is random bytes.
 */
export function serviceAccountToken({ namespace = 'bench', serviceAccount = 'orders' } = {}) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: ['pods.eks.amazonaws.com'],
    exp: now + 86_400,
    iat: now,
    nbf: now,
    iss: 'https://oidc.eks.us-east-1.amazonaws.com/id/LFCSBENCH',
    sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
  };
  return `${b64({ alg: 'RS256', kid: 'lfcs-bench' })}.${b64(claims)}.${randomBytes(256).toString('base64url')}`;
}

function claimsOf(token) {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims.sub ?? '');
    return m && { namespace: m[1], serviceAccount: m[2], audience: [claims.aud].flat()[0] };
  } catch {
    return undefined;
  }
}

function error(res, status, type, message) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Amzn-ErrorType': type }).end(JSON.stringify({ message }));
}

export async function startEksAuthStandIn() {
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= 65_536) chunks.push(c);
    });
    req.on('end', () => {
      const route = ROUTE.exec(req.url ?? '');
      if (req.method !== 'POST' || !route) return error(res, 404, 'ResourceNotFoundException', `no such route: ${req.method} ${req.url}`);
      if (!SIGV4.test(req.headers.authorization ?? ''))
        return error(res, 403, 'AccessDeniedException', 'missing or malformed SigV4 signature');
      let token;
      try {
        token = JSON.parse(Buffer.concat(chunks).toString()).token;
      } catch {}
      if (typeof token !== 'string' || token === '') return error(res, 400, 'InvalidRequestException', 'token is required');
      const claims = claimsOf(token);
      if (!claims) return error(res, 400, 'InvalidTokenException', 'the token is not a service-account JWT');
      calls += 1;
      const cluster = decodeURIComponent(route[1]);
      const associationId = `a-${randomBytes(9).toString('hex').slice(0, 17)}`;
      const session = `eks-${cluster}-${claims.serviceAccount}-${randomBytes(4).toString('hex')}`;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          subject: { namespace: claims.namespace, serviceAccount: claims.serviceAccount },
          audience: claims.audience,
          podIdentityAssociation: {
            associationArn: `arn:aws:eks:us-east-1:${EKS_AUTH_ACCOUNT}:podidentityassociation/${cluster}/${associationId}`,
            associationId,
          },
          assumedRoleUser: {
            arn: `arn:aws:sts::${EKS_AUTH_ACCOUNT}:assumed-role/${claims.serviceAccount}-role/${session}`,
            assumeRoleId: `AROALFCSBENCH00000001:${session}`,
          },
          credentials: {
            sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(360).toString('base64')}`,
            secretAccessKey: randomBytes(30).toString('base64'),
            accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
            expiration: Math.floor(Date.now() / 1000) + CREDENTIAL_SECONDS,
          },
        }),
      );
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
