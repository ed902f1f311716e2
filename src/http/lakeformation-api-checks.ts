/**
 * The Lake Formation API listener's own admission checks: what the AWS front
 * door checks before a call reaches the service (the method, the media type,
 * the signature's form, a known operation, a request id on every answer),
 * refusing with the service's names. The listener's ordered list is
 * `lakeFormationApiChecks` in `admission.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import { ServiceError } from '../lakeformation/service-error.js';
import { checkSignatureShape, SIGNING_SERVICE } from '../lakeformation/sigv4-header.js';
import { OPERATIONS } from '../lakeformation/types.js';
import type { Check } from './admission.js';

/** Every answer of the Lake Formation API listener carries its own request id, as the service's do. */
export const assignRequestId: Check = (a) => {
  a.res.setHeader('x-amzn-requestid', randomUUID());
  return undefined;
};

export const postOnly: Check = (a) => {
  if (a.req.method === 'POST') return undefined;
  a.res.setHeader('Allow', 'POST');
  return new LfcsError('MethodNotAllowed', `${a.req.method} is not allowed; Lake Formation operations are POST`);
};

/** Content types the AWS SDKs send with a JSON body (restJson1 sends the first). */
const JSON_CONTENT_TYPES = ['application/json', 'application/x-amz-json-1.0', 'application/x-amz-json-1.1'];

/** The media type alone (parameters such as charset dropped), also for an empty body. */
export const jsonContentType: Check = (a) => {
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
export function signed(clock: Clock): Check {
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
      return new ServiceError(
        shape.problem.kind === 'incomplete' ? 'IncompleteSignatureException' : 'InvalidSignatureException',
        shape.problem.message,
      );
    }
    const { accessKeyId, signature } = shape.value.authorization;
    if (!ACCESS_KEY_ID.test(accessKeyId)) {
      return new ServiceError(
        'IncompleteSignatureException',
        'Credential must start with an access key id of 16 to 128 letters and digits.',
      );
    }
    if (!SIGNATURE_HEX.test(signature))
      return new ServiceError('IncompleteSignatureException', 'Signature must be 64 hexadecimal characters.');
    a.callerAccessKeyId = accessKeyId;
    return undefined;
  };
}

/** The last segment names the operation (an endpoint override may add a path prefix). */
export const knownOperation: Check = (a) => {
  if (a.route !== undefined) return undefined;
  const path = a.req.url?.split('?')[0] ?? '';
  const asked = path.slice(path.lastIndexOf('/') + 1).slice(0, 100) || '(none)';
  return new LfcsError(
    'RouteNotFound',
    `this endpoint serves only credential vending (${OPERATIONS.join(', ')}), not ${asked}; ` +
      'send other Lake Formation calls to the service (unset AWS_ENDPOINT_URL_LAKEFORMATION for that client)',
  );
};
