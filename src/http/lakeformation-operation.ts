/**
 * The Lake Formation API listener's handler: one per operation of the route
 * table. See `lakeformation-api-app.ts` for the trust model.
 */
import { isDataLocationRequest, type Operation } from '../lakeformation/types.js';
import type { Admission } from './admission.js';
import { authorizeTarget } from './authorization.js';
import type { LakeFormationApiAppDeps } from './lakeformation-api-app.js';
import { answerJson } from './listener.js';
import { pluginLeaseRule } from './plugin-lease-floor.js';
import { parseApiRequest } from './request-parsing.js';

export type LakeFormationApiHandler = (a: Admission, deps: LakeFormationApiAppDeps, body: unknown) => Promise<void>;

/**
 * Serves one operation. Every answer is what the service sends: `Expiration`
 * in epoch seconds; the data-location operation in its own shape
 * (`Credentials`, `AccessibleDataLocations`); the partition operation
 * without `VendedS3Path`.
 */
export function serveOperation(operation: Operation): LakeFormationApiHandler {
  return async (a, deps, body) => {
    const request = parseApiRequest(operation, body);
    authorizeTarget(a, deps, { request });
    // Callers that ignore Expiration (AWS's per-prefix plugin): see plugin-lease-floor.ts.
    const rule = pluginLeaseRule(request);
    const served = await deps.cache.get(rule.request, rule.options);
    deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
    const { lease } = served;
    const credentials = {
      AccessKeyId: lease.accessKeyId,
      SecretAccessKey: lease.secretAccessKey,
      SessionToken: lease.sessionToken,
      // restJson1 timestamps are epoch seconds; whole seconds, rounded down, never a second the lease lacks.
      Expiration: Math.floor(lease.expiration.getTime() / 1000),
    };
    const answer = isDataLocationRequest(request)
      ? {
          Credentials: credentials,
          // The lease's, as Lake Formation granted them: never the requested list.
          AccessibleDataLocations: [...(lease.accessibleDataLocations ?? [])],
          ...(lease.credentialsScope !== undefined && { CredentialsScope: lease.credentialsScope }),
        }
      : {
          ...credentials,
          ...(operation === 'GetTemporaryGlueTableCredentials' && lease.vendedS3Path !== undefined && { VendedS3Path: lease.vendedS3Path }),
        };
    answerJson(a, 200, JSON.stringify(answer));
    // One line per request: lfcs signs upstream calls with its own identity, so this is where the caller is on record.
    deps.logger.info(
      {
        audit: 'served',
        route: a.label,
        operation,
        ...(isDataLocationRequest(request)
          ? { dataLocations: request.dataLocations }
          : { tableArn: request.tableArn, partition: request.partitionValues }),
        result: served.result,
        ...(a.callerAccessKeyId !== undefined && { callerAccessKeyId: a.callerAccessKeyId }),
      },
      'lake formation api request served',
    );
  };
}
