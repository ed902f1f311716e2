/** The container-credentials answer body of a lease. */
import { formatExpiration, renderContainerBody } from '../lakeformation/container-body.js';
import type { Lease } from '../lakeformation/types.js';

export { formatExpiration };

/**
 * `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}` for `lease`.
 * A cached lease carries its body, rendered once when it was stored (the
 * lease's key includes the table, so `AccountId` is fixed too): the hit path
 * writes it as it is. Any other lease is rendered here.
 */
export function containerBody(lease: Lease, accountId: string | undefined): string {
  return lease.containerBody ?? renderContainerBody(lease, accountId);
}
