/**
 * Glue `GetTable` (awsJson1_1: `X-Amz-Target: AWSGlue.GetTable`), only what
 * Iceberg's GlueCatalog and LakeFormationAwsClientFactory ask: whether the
 * table is registered with Lake Formation, where it lives, and, for an
 * Iceberg table, its `table_type` and `metadata_location` parameters. SigV4 for
 * service `glue`; the caller needs some Lake Formation permission on the
 * table (Glue answers metadata only to principals with one, DESCRIBE at least).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state.js';
import { parseJsonObject, readBody, sendError, sendJson } from './http-io.js';
import { findSigner } from './role-sessions.js';
import { currentMetadataLocation, icebergTableParameters } from './iceberg-tables.js';
import { ServiceError } from './service-error.js';
import { verifySignature } from './sigv4.js';

export const GLUE_TARGET_PREFIX = 'AWSGlue.';

export async function handleGlueCall(target: string, req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  let outcome = 'success';
  try {
    const body = await readBody(req);
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const caller = await verifySignature(
      { method: req.method ?? 'POST', path, query, headers: req.headersDistinct, body },
      {
        findPrincipal: (id) => findSigner(state.catalog, state.sessions, id, state.clock.now()),
        region: state.catalog.region,
        nowMs: state.clock.now(),
        service: 'glue',
      },
    );
    if (target !== `${GLUE_TARGET_PREFIX}GetTable`) {
      throw new ServiceError(
        'UnknownOperationException',
        `This emulator's Glue serves only GetTable, not ${target.slice(GLUE_TARGET_PREFIX.length, 100)}`,
      );
    }
    const input = parseJsonObject(body);
    const databaseName = input['DatabaseName'];
    const name = input['Name'];
    const catalogId = input['CatalogId'];
    if (typeof databaseName !== 'string' || typeof name !== 'string' || (catalogId !== undefined && typeof catalogId !== 'string')) {
      throw new ServiceError('InvalidInputException', 'DatabaseName and Name are required strings; CatalogId, if given, a string');
    }
    // Glue lower-cases names; so does the lookup.
    const table =
      catalogId === undefined || catalogId === state.catalog.account
        ? state.catalog.table(databaseName.toLowerCase(), name.toLowerCase())
        : undefined;
    if (!table) throw new ServiceError('EntityNotFoundException', `Table ${name} not found.`);
    if (state.catalog.grantedPermissions(caller.principalArn, databaseName.toLowerCase(), table.name).size === 0) {
      throw new ServiceError('AccessDeniedException', `Insufficient Lake Formation permission(s) on ${name}`);
    }
    const metadataLocation = currentMetadataLocation(state.objects, table);
    sendJson(res, 200, {
      Table: {
        Name: table.name,
        DatabaseName: databaseName.toLowerCase(),
        CatalogId: state.catalog.account,
        TableType: 'EXTERNAL_TABLE',
        StorageDescriptor: { Location: table.location },
        PartitionKeys: (table.partitionKeys ?? []).map((key) => ({ Name: key, Type: 'string' })),
        IsRegisteredWithLakeFormation: table.registeredWithLakeFormation,
        // Iceberg's GlueCatalog.loadTable needs table_type=ICEBERG and metadata_location.
        ...(metadataLocation === undefined ? {} : { Parameters: icebergTableParameters(metadataLocation) }),
      },
    });
  } catch (err) {
    const error = err instanceof ServiceError ? err : new ServiceError('InternalServiceException', 'Emulator failure');
    outcome = error.name;
    sendError(res, error);
  } finally {
    state.stats.record('GetTable', outcome);
  }
}
