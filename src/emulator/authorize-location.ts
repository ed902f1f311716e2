/**
 * Lake Formation's decision for `GetTemporaryDataLocationCredentials`, as the
 * API reference describes it. The reference lists when the call fails but not
 * which modeled exception each case raises; the choices below are lfcs's
 * inference from the error model (and are listed in the README):
 *
 * - full-table access vending off in the data-lake settings: AccessDeniedException
 *   (checked first: it is an account setting, not a property of a location);
 * - the location is not registered with Lake Formation: EntityNotFoundException;
 * - the location is registered in another region: InvalidInputException;
 * - no Glue table is associated with the location: EntityNotFoundException;
 * - two tables share the location: ConflictException ("Multiple resources
 *   exist with the same Amazon S3 location", the model's own wording);
 * - the caller has neither SELECT nor SUPER (ALL, SUPER_USER) on the table, or
 *   the table carries column, cell or nested filters (so the caller does not
 *   have full table access): AccessDeniedException;
 * - `READWRITE` without a write permission (INSERT, or ALL/SUPER_USER) on the
 *   table: AccessDeniedException. The reference says only that the scope "is
 *   determined by the caller's Lake Formation permission on the associated
 *   table"; refusing, rather than quietly granting READ, is lfcs's choice.
 *
 * Several locations in one call: each is decided on its own, and the answer
 * names the ones granted (`AccessibleDataLocations`, as the caller spelled
 * them). Only when none is granted does the call fail, with the first
 * location's error. An absent `CredentialsScope` is taken as `READ`.
 */
import type { CredentialsScope, Permission } from '../lakeformation/types.js';
import type { CatalogIndex } from './catalog-index.js';
import type { CatalogPrincipal } from './catalog.js';
import type { DataLocationRequest } from './request-schema.js';
import { ServiceError } from './service-error.js';

/** What the caller may have: the granted locations and the scope. */
export interface LocationDecision {
  granted: string[];
  scope: CredentialsScope;
}

/** Grants that stand for SELECT: the API's SUPER is `ALL`; `SUPER_USER` covers everything. */
const READ_GRANTS: readonly Permission[] = ['SELECT', 'ALL', 'SUPER_USER'];
/** Grants that allow writing the table's data. */
const WRITE_GRANTS: readonly Permission[] = ['INSERT', 'ALL', 'SUPER_USER'];

/** @throws ServiceError when no requested location may be vended. */
export function authorizeDataLocations(index: CatalogIndex, principal: CatalogPrincipal, input: DataLocationRequest): LocationDecision {
  if (!index.allowFullTableExternalDataAccess) {
    throw new ServiceError(
      'AccessDeniedException',
      'Credential vending for full table access is not enabled in the data lake settings (AllowFullTableExternalDataAccess)',
    );
  }
  const scope = input.CredentialsScope ?? 'READ';
  const granted: string[] = [];
  const refusals: ServiceError[] = [];
  for (const location of new Set(input.DataLocations)) {
    try {
      decide(index, principal, location, scope);
      granted.push(location);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      refusals.push(err);
    }
  }
  if (granted.length === 0) throw refusals[0]!;
  return { granted, scope };
}

function decide(index: CatalogIndex, principal: CatalogPrincipal, location: string, scope: CredentialsScope): void {
  const registration = index.registrationFor(location);
  if (!registration) {
    throw new ServiceError('EntityNotFoundException', `The data location ${location} is not registered with Lake Formation`);
  }
  if (registration.region !== index.region) {
    throw new ServiceError(
      'InvalidInputException',
      `The data location ${location} is registered in ${registration.region}; ` +
        `credentials are vended only for locations registered in ${index.region}`,
    );
  }
  const tables = index.tablesAt(location);
  if (tables.length === 0) {
    throw new ServiceError('EntityNotFoundException', `No Glue table is associated with the data location ${location}`);
  }
  if (tables.length > 1) {
    const names = tables.map((t) => `${t.database}.${t.table.name}`).join(', ');
    throw new ServiceError('ConflictException', `Multiple resources exist with the same Amazon S3 location ${location}: ${names}`);
  }
  const { database, table } = tables[0]!;
  const grantedPermissions = index.grantedPermissions(principal.principalArn, database, table.name);
  if (!READ_GRANTS.some((p) => grantedPermissions.has(p))) {
    throw new ServiceError(
      'AccessDeniedException',
      `Insufficient Lake Formation permission(s) on ${database}.${table.name}: SELECT or SUPER is required for ${location}`,
    );
  }
  if ((table.requiredPermissionTypes ?? []).length > 0) {
    throw new ServiceError(
      'AccessDeniedException',
      `The table ${database}.${table.name} has filtered permissions; credentials for ${location} need full table access`,
    );
  }
  if (scope === 'READWRITE' && !WRITE_GRANTS.some((p) => grantedPermissions.has(p))) {
    throw new ServiceError(
      'AccessDeniedException',
      `Insufficient Lake Formation permission(s) on ${database}.${table.name}: READWRITE needs INSERT for ${location}`,
    );
  }
}
