/**
 * Lake Formation's decision for an authenticated, well-formed request, in the
 * order the emulator promises: unknown table or partition, then missing
 * permissions, then filters the caller cannot enforce, then the S3 path.
 */
import type { Permission, PermissionType } from '../lakeformation/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { CatalogTable, SigningPrincipal } from './catalog.js';
import { parseTableArn } from '../lakeformation/table-arn.js';
import type { ValidatedRequest } from './request-schema.js';
import { ServiceError } from './service-error.js';

/** What the caller may have: the S3 locations the vended credentials are for. */
export interface AccessDecision {
  /** Table call: `VendedS3Path` as sent. Partition call: the partition's location (not sent: no member for it). */
  vendedPaths: string[];
}

/** Lake Formation checks SELECT when a caller names no permissions. */
const DEFAULT_PERMISSIONS: readonly Permission[] = ['SELECT'];
/** Grants that stand for every permission. */
const ALL_PERMISSIONS_GRANTS: readonly Permission[] = ['ALL', 'SUPER_USER'];

/** @throws ServiceError with the service's error name when the request must be refused. */
export function authorize(index: CatalogIndex, principal: SigningPrincipal, request: ValidatedRequest): AccessDecision {
  const { input } = request;
  // Validation has checked the ARN's shape already.
  const arn = parseTableArn(input.TableArn)!;
  const table = index.account === arn.accountId && index.region === arn.region ? index.table(arn.database, arn.table) : undefined;
  if (!table) {
    throw new ServiceError('EntityNotFoundException', `Table not found: ${arn.database}.${arn.table}`);
  }

  let partitionLocation: string | undefined;
  if (request.operation === 'GetTemporaryGluePartitionCredentials') {
    partitionLocation = findPartitionLocation(index, table, request.input.Partition.Values);
  }

  checkPermissions(index, principal, arn.database, arn.table, input.Permissions);
  checkAuthorizedCaller(index, principal, table);
  checkPermissionTypes(table, input.SupportedPermissionTypes);

  if (request.operation === 'GetTemporaryGlueTableCredentials') {
    return { vendedPaths: [checkS3Path(table, request.input.S3Path)] };
  }
  return { vendedPaths: [partitionLocation ?? table.location] };
}

function findPartitionLocation(index: CatalogIndex, table: CatalogTable, values: string[]): string {
  const keyCount = table.partitionKeys?.length ?? 0;
  if (values.length !== keyCount) {
    // Glue's own wording for a value list of the wrong length.
    throw new ServiceError(
      'InvalidInputException',
      `Partition.Values: the number of partition keys (${keyCount}) does not match the number of partition values (${values.length})`,
    );
  }
  const partition = index.partition(table, values);
  if (!partition) {
    throw new ServiceError('EntityNotFoundException', `Partition not found: [${values.join(', ')}] of table ${table.name}`);
  }
  return partition.location;
}

function checkPermissions(
  index: CatalogIndex,
  principal: SigningPrincipal,
  database: string,
  table: string,
  requested: Permission[] | undefined,
): void {
  // An empty list is treated like an absent one: the SDK sends `[]` for an empty array.
  const wanted = requested && requested.length > 0 ? requested : DEFAULT_PERMISSIONS;
  const granted = index.grantedPermissions(principal.principalArn, database, table);
  if (ALL_PERMISSIONS_GRANTS.some((p) => granted.has(p))) return;
  const missing = wanted.filter((p) => !granted.has(p));
  if (missing.length > 0) {
    throw new ServiceError(
      'AccessDeniedException',
      `Insufficient Lake Formation permission(s) on ${database}.${table}: missing ${missing.join(', ')}`,
    );
  }
}

/** The session tag that marks an application integrated with Lake Formation. */
export const AUTHORIZED_CALLER_TAG = 'LakeFormationAuthorizedCaller';

/**
 * The data-lake settings for application integration, as the developer guide
 * describes them: a table with column, row or cell filters (here: any
 * `requiredPermissionTypes`) vends only to a caller whose session carries
 * `LakeFormationAuthorizedCaller` with a listed value; an unfiltered table to
 * such a caller or, with full-table access on, to any principal with the grant.
 * A catalog without `dataLakeSettings.authorizedSessionTagValues` does not model them.
 */
function checkAuthorizedCaller(index: CatalogIndex, principal: SigningPrincipal, table: CatalogTable): void {
  const settings = index.dataLakeSettings;
  const authorizedValues = settings?.authorizedSessionTagValues;
  if (!settings || authorizedValues === undefined) return;
  const tag = principal.sessionTags?.[AUTHORIZED_CALLER_TAG];
  if (tag !== undefined && authorizedValues.includes(tag)) return;
  const filtered = (table.requiredPermissionTypes ?? []).length > 0;
  if (!filtered && settings.allowFullTableExternalDataAccess) return;
  throw new ServiceError(
    'AccessDeniedException',
    filtered
      ? `Table ${table.name} has filters: credentials are vended only to a caller whose session tag ${AUTHORIZED_CALLER_TAG} has an authorized value`
      : `Credential vending for table ${table.name} needs a session tag ${AUTHORIZED_CALLER_TAG} with an authorized value, or full table access for external engines`,
  );
}

function checkPermissionTypes(table: CatalogTable, supported: PermissionType[] | undefined): void {
  const required = table.requiredPermissionTypes ?? [];
  const unsupported = required.filter((t) => !(supported ?? []).includes(t));
  if (unsupported.length > 0) {
    throw new ServiceError(
      'PermissionTypeMismatchException',
      `The table ${table.name} has permissions of type ${unsupported.join(', ')}, which the caller does not support`,
    );
  }
}

/** The path to vend: `S3Path` when it lies under the table location, else the location itself. */
function checkS3Path(table: CatalogTable, s3Path: string | undefined): string {
  if (s3Path === undefined) return table.location;
  const base = table.location.endsWith('/') ? table.location : `${table.location}/`;
  if (s3Path === base.slice(0, -1) || s3Path.startsWith(base)) return s3Path;
  throw new ServiceError('InvalidInputException', `S3Path: ${s3Path} is not under the table location ${table.location}`);
}
