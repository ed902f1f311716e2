/** The container-credentials answer body, serialised once per lease. */
import type { Lease } from '../lakeformation/types.js';

/**
 * Serialised bodies, one per lease. A cached lease is served many times and
 * its body never changes (the lease's key includes the table, so `AccountId`
 * is fixed too), so the hit path skips the JSON and date formatting. Held
 * weakly: a body leaves with its lease.
 */
const bodies = new WeakMap<Lease, string>();

/** `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}`, the shape every SDK's container provider reads. */
export function containerBody(lease: Lease, accountId: string | undefined): string {
  let body = bodies.get(lease);
  if (body === undefined) {
    body = JSON.stringify({
      AccessKeyId: lease.accessKeyId,
      SecretAccessKey: lease.secretAccessKey,
      Token: lease.sessionToken,
      Expiration: formatExpiration(lease.expiration),
      ...(accountId !== undefined && { AccountId: accountId }),
    });
    bodies.set(lease, body);
  }
  return body;
}

/**
 * UTC RFC 3339 with `Z` and whole seconds, rounded down so a client never
 * believes in a second the lease does not have. JS rejects `+00:00`, and a
 * number breaks every client.
 */
export function formatExpiration(expiration: Date): string {
  return new Date(Math.floor(expiration.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
