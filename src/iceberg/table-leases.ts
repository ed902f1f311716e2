/**
 * A table's lease, from the credential cache every route of lfcs uses. The
 * request is built exactly as the dynamic route builds one for a table ARN
 * (`defaults.permissions`, `defaults.supportedPermissionTypes`,
 * `defaults.durationSeconds`), so the gateway, the container-credentials
 * routes and the Lake Formation API listener share one cache key, one
 * Lake Formation call per table per lease. The cache never serves a lease
 * with less than `minServeSeconds` left, on any route, so nothing is
 * re-checked here.
 */
import type { CredentialRequest, Lease, Permission, PermissionType, TableCredentialRequest } from '../lakeformation/types.js';

/** The part of the credential cache the gateway uses (`CredentialCache.get`). */
export interface LeaseSource {
  get(request: CredentialRequest, options?: { signal?: AbortSignal; label?: string }): Promise<{ lease: Lease }>;
}

/** Config `defaults`, as they apply to a table request. */
export interface TableRequestDefaults {
  readonly permissions: readonly Permission[];
  readonly supportedPermissionTypes: readonly PermissionType[];
  readonly durationSeconds: number;
}

/** Gets the lease of a table by its ARN; rejects with the cache's `LfcsError`. */
export type TableLeases = (tableArn: string, signal?: AbortSignal) => Promise<Lease>;

/** The `GetTemporaryGlueTableCredentials` request for `tableArn`, as every route builds it. */
export function tableCredentialRequest(tableArn: string, defaults: TableRequestDefaults): TableCredentialRequest {
  return {
    operation: 'GetTemporaryGlueTableCredentials',
    tableArn,
    permissions: [...defaults.permissions],
    supportedPermissionTypes: [...defaults.supportedPermissionTypes],
    durationSeconds: defaults.durationSeconds,
  };
}

/** Table leases from `cache`. */
export function createTableLeases(cache: LeaseSource, defaults: TableRequestDefaults): TableLeases {
  return async (tableArn, signal) => {
    const served = await cache.get(tableCredentialRequest(tableArn, defaults), signal ? { signal } : {});
    return served.lease;
  };
}
