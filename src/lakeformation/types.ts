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
export const PERMISSION_TYPES = ['COLUMN_PERMISSION', 'CELL_FILTER_PERMISSION', 'NESTED_PERMISSION', 'NESTED_CELL_PERMISSION'] as const;
export type PermissionType = (typeof PERMISSION_TYPES)[number];

/** `CredentialsScope` of `GetTemporaryDataLocationCredentials`. */
export const CREDENTIALS_SCOPES = ['READ', 'READWRITE'] as const;
export type CredentialsScope = (typeof CREDENTIALS_SCOPES)[number];

/** The two operations that vend for one Glue table (or one of its partitions). */
export type TableOperation = 'GetTemporaryGlueTableCredentials' | 'GetTemporaryGluePartitionCredentials';
/** The operation that vends for a list of S3 locations. */
export type DataLocationOperation = 'GetTemporaryDataLocationCredentials';
/** Every credential-vending operation, by its API name. */
export type Operation = TableOperation | DataLocationOperation;

/** Every credential-vending operation, in a fixed order (metrics, the emulator's routes). */
export const OPERATIONS: readonly Operation[] = [
  'GetTemporaryGlueTableCredentials',
  'GetTemporaryGluePartitionCredentials',
  'GetTemporaryDataLocationCredentials',
];

/** `QuerySessionContext` of `GetTemporaryGlueTableCredentials`. */
export interface QuerySessionContext {
  queryId?: string;
  queryStartTime?: Date;
  clusterId?: string;
  queryAuthorizationId?: string;
  additionalContext?: Record<string, string>;
}

/** `AuditContext` of every operation. */
export interface AuditContext {
  additionalAuditContext?: string;
}

/** A request for vended credentials for a table or a partition. */
export interface TableCredentialRequest {
  operation: TableOperation;
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

/** A request for vended credentials for S3 locations (`GetTemporaryDataLocationCredentials`). */
export interface DataLocationCredentialRequest {
  operation: DataLocationOperation;
  /** `DataLocations`: s3:// URIs, canonical (see `canonicalDataLocations`): no trailing `/`, sorted, no duplicates. */
  dataLocations: string[];
  /** `CredentialsScope`; absent means Lake Formation's default (lfcs always sends one from profiles and routes). */
  credentialsScope?: CredentialsScope;
  /** Requested lease length, 900-43200 s. Lake Formation may grant less. */
  durationSeconds?: number;
  auditContext?: AuditContext;
}

/** A request for vended credentials, for any of the three operations. */
export type CredentialRequest = TableCredentialRequest | DataLocationCredentialRequest;

/** True for the data-location operation's request. */
export function isDataLocationRequest(request: CredentialRequest): request is DataLocationCredentialRequest {
  return request.operation === 'GetTemporaryDataLocationCredentials';
}

/** Credentials vended by Lake Formation. `expiration` is the one Lake Formation returned. */
export interface Lease {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  vendedS3Path?: string[];
  /**
   * Data-location operation: `AccessibleDataLocations` exactly as Lake
   * Formation answered (an absent member is kept as `[]`: no location is
   * claimed that the service did not name).
   */
  accessibleDataLocations?: string[];
  /** Data-location operation: the `CredentialsScope` Lake Formation answered with, if any. */
  credentialsScope?: CredentialsScope;
  /**
   * The container-credentials answer, on the leases the cache holds
   * (`compactLease`): their key material fields are read from it, so the
   * secrets are held once and the hit path writes this string as it is.
   */
  containerBody?: string;
}

/** Turns a request into a lease by calling Lake Formation (or a fake in unit tests). */
export type VendFunction = (request: CredentialRequest, signal?: AbortSignal) => Promise<Lease>;
