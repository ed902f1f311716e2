/**
 * The Lake Formation API listener's handler and its checks of a request's
 * shape. See `lakeformation-api-app.ts` for the trust model.
 */
import { LfcsError } from '../core/errors.js';
import { ServiceError } from '../lakeformation/service-error.js';
import { checkSignatureShape, SIGNING_SERVICE } from '../lakeformation/sigv4-header.js';
import { isDataLocationRequest, OPERATIONS, type Operation } from '../lakeformation/types.js';
import type { Clock } from '../core/clock.js';
import { authorizeTarget, type Admission, type Check } from './admission.js';
import type { LakeFormationApiAppDeps } from './lakeformation-api-app.js';
import { answerJson } from './listener.js';
import { parseApiRequest } from './request-parsing.js';

export type LakeFormationApiHandler = (a: Admission, deps: LakeFormationApiAppDeps, body: unknown) => Promise<void>;

/** Content types the AWS SDKs send with a JSON body (restJson1 sends the first). */
const JSON_CONTENT_TYPES = ['application/json', 'application/x-amz-json-1.0', 'application/x-amz-json-1.1'];

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
    const served = await deps.cache.get(request);
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
        ...(isDataLocationRequest(request) ? { dataLocations: request.dataLocations } : { tableArn: request.tableArn, partition: request.partitionValues }),
        result: served.result,
        ...(a.callerAccessKeyId !== undefined && { callerAccessKeyId: a.callerAccessKeyId }),
      },
      'lake formation api request served',
    );
  };
}

/** The listener's rules of a request's shape, in order: POST, a JSON body, a well-formed signature, a served operation. */
export function requestShapeChecks(clock: Clock): readonly Check[] {
  return [postOnly, jsonContentType, signed(clock), knownOperation];
}

const postOnly: Check = (a) => {
  if (a.req.method === 'POST') return undefined;
  a.res.setHeader('Allow', 'POST');
  return new LfcsError('MethodNotAllowed', `${a.req.method} is not allowed; Lake Formation operations are POST`);
};

/** The media type alone (parameters such as charset dropped), also for an empty body. */
const jsonContentType: Check = (a) => {
  const mediaType = a.req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== undefined && JSON_CONTENT_TYPES.includes(mediaType)) return undefined;
  return new LfcsError('UnsupportedMediaType', 'send the body as Content-Type: application/json');
};

/** Access key ids as AWS issues them (AKIA..., ASIA...): upper-case letters and digits. */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/;

/**
 * Everything about the caller's signature that lfcs can check without the
 * caller's secret. Notes the access key id for the audit line. Refuses with
 * the AWS front door's names.
 */
function signed(clock: Clock): Check {
  return (a) => {
    const authorization = a.req.headers.authorization;
    if (authorization === undefined || authorization.trim() === '') {
      return new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const amzDate = a.req.headers['x-amz-date'];
    const shape = checkSignatureShape(authorization, typeof amzDate === 'string' ? amzDate : undefined, {
      service: SIGNING_SERVICE,
      nowMs: clock.now(),
    });
    if (!shape.ok) {
      return new ServiceError(shape.problem.kind === 'incomplete' ? 'IncompleteSignatureException' : 'InvalidSignatureException', shape.problem.message);
    }
    const { accessKeyId, signature } = shape.value.authorization;
    if (!ACCESS_KEY_ID.test(accessKeyId)) {
      return new ServiceError('IncompleteSignatureException', 'Credential must start with an access key id of 16 to 128 letters and digits.');
    }
    if (!SIGNATURE_HEX.test(signature)) return new ServiceError('IncompleteSignatureException', 'Signature must be 64 hexadecimal characters.');
    a.callerAccessKeyId = accessKeyId;
    return undefined;
  };
}

/** The last segment names the operation (an endpoint override may add a path prefix). */
const knownOperation: Check = (a) => {
  if (a.route !== undefined) return undefined;
  const path = a.req.url?.split('?')[0] ?? '';
  const asked = path.slice(path.lastIndexOf('/') + 1).slice(0, 100) || '(none)';
  return new LfcsError(
    'RouteNotFound',
    `this endpoint serves only credential vending (${OPERATIONS.join(', ')}), not ${asked}; ` +
      'send other Lake Formation calls to the service (unset AWS_ENDPOINT_URL_LAKEFORMATION for that client)',
  );
};
