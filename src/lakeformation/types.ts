/**
 * The shapes that flow between the HTTP layer, the cache and the Lake
 * Formation client. Field names are camelCase here; the wire names
 * (`TableArn`, `Partition.Values`, ...) appear only at the edges.
 */

/** Lake Formation `Permission` enum, as listed in the API reference. */
export const PERMISSIONS = [
  'ALL',
  'SELECT',
  'ALTER',
  'DROP',
  'DELETE',
  'INSERT',
  'DESCRIBE',
  'CREATE_DATABASE',
  'CREATE_TABLE',
  'DATA_LOCATION_ACCESS',
  'CREATE_LF_TAG',
  'ASSOCIATE',
  'GRANT_WITH_LF_TAG_EXPRESSION',
  'CREATE_LF_TAG_EXPRESSION',
  'CREATE_CATALOG',
  'SUPER_USER',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Lake Formation `PermissionType` enum (`SupportedPermissionTypes`). */
export const PERMISSION_TYPES = [
  'COLUMN_PERMISSION',
  'CELL_FILTER_PERMISSION',
  'NESTED_PERMISSION',
  'NESTED_CELL_PERMISSION',
] as const;
export type PermissionType = (typeof PERMISSION_TYPES)[number];

/** Both credential-vending operations, by their API names. */
export type Operation = 'GetTemporaryGlueTableCredentials' | 'GetTemporaryGluePartitionCredentials';

/** `QuerySessionContext` of `GetTemporaryGlueTableCredentials`. */
export interface QuerySessionContext {
  queryId?: string;
  queryStartTime?: Date;
  clusterId?: string;
  queryAuthorizationId?: string;
  additionalContext?: Record<string, string>;
}

/** `AuditContext` of both operations. */
export interface AuditContext {
  additionalAuditContext?: string;
}

/** A request for vended credentials, for either operation. */
export interface CredentialRequest {
  operation: Operation;
  /** `arn:aws:glue:<region>:<account>:table/<database>/<table>` */
  tableArn: string;
  /** Partition values in partition-key order. Required for the partition operation only. */
  partitionValues?: string[];
  permissions?: Permission[];
  supportedPermissionTypes?: PermissionType[];
  /** Requested lease length, 900-43200 s. Lake Formation may grant less. */
  durationSeconds?: number;
  /** Table operation only. */
  s3Path?: string;
  /** Table operation only. */
  querySessionContext?: QuerySessionContext;
  auditContext?: AuditContext;
}

/** Credentials vended by Lake Formation. `expiration` is the one Lake Formation returned. */
export interface Lease {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  vendedS3Path?: string[];
}

/** Turns a request into a lease by calling Lake Formation (or a fake in unit tests). */
export type VendFunction = (request: CredentialRequest, signal?: AbortSignal) => Promise<Lease>;
