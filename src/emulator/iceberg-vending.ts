/**
 * Credentials for a `loadTable` that asks for `vended-credentials`, or for
 * `loadCredentials`: what Glue's Iceberg REST endpoint does, which is to ask
 * Lake Formation for the caller (GetTemporaryGlueTableCredentials for the
 * table, SELECT), so each vend is one Lake Formation call in the emulator's
 * stats and logs, exactly like a direct call.
 */
import { authorize } from './authorize.js';
import type { SigningPrincipal } from './catalog.js';
import type { EmulatorState } from './emulator-state.js';
import { IcebergError } from './iceberg-errors.js';
import { mintLease } from './mint-lease.js';
import { ServiceError } from './service-error.js';

/** The spec's `StorageCredential`, with the S3 keys Iceberg's S3FileIO and PyIceberg read. */
export interface StorageCredential {
  prefix: string;
  config: Record<string, string>;
}

const OPERATION = 'GetTemporaryGlueTableCredentials';

export function vendTableCredentials(state: EmulatorState, caller: SigningPrincipal, database: string, table: string): StorageCredential[] {
  const tableArn = `arn:aws:glue:${state.catalog.region}:${state.catalog.account}:table/${database}/${table}`;
  let outcome = 'success';
  try {
    // No SupportedPermissionTypes: an engine behind the REST endpoint enforces no filters, so a filtered table is refused.
    const { vendedPaths } = authorize(state.catalog, caller, {
      operation: OPERATION,
      input: { TableArn: tableArn, Permissions: ['SELECT'] },
    });
    const { credentials, expirationSeconds } = mintLease(
      state,
      caller,
      undefined,
      { write: false },
      { operation: OPERATION, tableArn, vendedPaths },
    );
    return vendedPaths.map((prefix) => ({
      prefix,
      config: {
        's3.access-key-id': credentials.accessKeyId,
        's3.secret-access-key': credentials.secretAccessKey,
        's3.session-token': credentials.sessionToken,
        's3.session-token-expires-at-ms': String(expirationSeconds * 1000),
        'client.region': state.catalog.region,
      },
    }));
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    outcome = err.name;
    throw new IcebergError(
      err.name === 'EntityNotFoundException' ? 'NoSuchTableException' : 'ForbiddenException',
      `Lake Formation refused credentials for ${database}.${table}: ${err.message}`,
    );
  } finally {
    state.stats.record(OPERATION, outcome);
  }
}
