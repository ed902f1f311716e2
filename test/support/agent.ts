/**
 * Agent mode in one process: the emulator, a test issuer and lfcs in agent
 * mode on 127.0.0.1, with bindings for a few identities.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepMerge } from './deep-merge.js';
import { ACCOUNT, ORDERS_ARN } from './demo.js';
import { TestIssuer, type PodClaims } from './oidc-issuer.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export const NODE = 'node-a';
/** lfcs's own service-account token, which it must send to the issuer's origin only. */
export const OWN_TOKEN = 'lfcs-own-service-account-token';

export const PODS = {
  executor: { namespace: 'spark', serviceAccount: 'executor', pod: 'job-1-exec-1', node: NODE },
  driver: { namespace: 'spark', serviceAccount: 'driver', pod: 'job-1-driver', node: NODE },
  reader: { namespace: 'analytics', serviceAccount: 'reader', pod: 'dash-7f9c', node: NODE },
  /** Bound, but to a profile only: no table of its own. */
  limited: { namespace: 'analytics', serviceAccount: 'limited', pod: 'limited-1', node: NODE },
  /** In a namespace with no binding at all. */
  unbound: { namespace: 'sandbox', serviceAccount: 'default', pod: 'sandbox-1', node: NODE },
  /** Bound, but scheduled on another node. */
  elsewhere: { namespace: 'spark', serviceAccount: 'executor', pod: 'job-1-exec-9', node: 'node-b' },
} satisfies Record<string, PodClaims>;

export const SALES_TABLES = `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`;

export interface AgentStack extends Stack {
  issuer: TestIssuer;
  /** GET on the credentials listener with `token` as the Authorization header. */
  as(token: string | undefined, path: string): Promise<Response>;
}

export async function startAgentStack(
  options: {
    config?: Record<string, unknown>;
    sidecar?: StackOptions['sidecar'];
    issuerFailing?: boolean;
    /** An issuer the caller started, and closes (e.g. shared by agents started one after the other). */
    issuer?: TestIssuer;
  } = {},
): Promise<AgentStack> {
  const ownIssuer = options.issuer === undefined;
  const issuer = options.issuer ?? (await new TestIssuer().serve());
  if (ownIssuer) await issuer.addKey();
  issuer.failing = options.issuerFailing ?? issuer.failing;
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-agent-'));
  const ownTokenFile = join(dir, 'own-token');
  writeFileSync(ownTokenFile, OWN_TOKEN);
  let stack: Stack;
  try {
    stack = await startStack({
      config: deepMerge(
        {
          mode: 'agent',
          agent: {
            host: '127.0.0.1',
            port: 0,
            nodeName: NODE,
            issuerUrl: issuer.url,
            discoveryTokenFile: ownTokenFile,
            keyStoreFile: join(dir, 'issuer-keys.json'),
            jwksCooldownSeconds: 0,
            bindings: [
              { namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [SALES_TABLES] },
              { namespace: 'spark', serviceAccount: 'driver', profiles: ['orders'], tables: [SALES_TABLES] },
              { namespace: 'analytics', serviceAccount: 'reader', profiles: ['orders'], tables: [ORDERS_ARN] },
              { namespace: 'analytics', serviceAccount: 'limited', profiles: ['orders-2024-01-01'] },
            ],
          },
          dynamic: { enabled: true, allowedTables: [] },
        },
        options.config ?? {},
      ),
      ...(options.sidecar && { sidecar: options.sidecar }),
    });
  } catch (err) {
    if (ownIssuer) await issuer.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...stack,
    issuer,
    as: (token, path) => fetch(stack.sidecar.credentialsUrl + path, { headers: token === undefined ? {} : { Authorization: token } }),
    async close() {
      await stack.close();
      if (ownIssuer) await issuer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
