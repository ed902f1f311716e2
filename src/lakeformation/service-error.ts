/**
 * Lake Formation's errors as the wire carries them (restJson1): the name in
 * `x-amzn-errortype` (which every SDK reads first) and in the body's
 * `__type`, the text in `message`, and the modeled HTTP status. The one
 * rendering, used by the emulator and by lfcs's own Lake Formation API
 * listener, so both answer exactly as the service does. The status of every
 * name is decided here and nowhere else.
 */
import type { ServerResponse } from 'node:http';
import { writeJson } from '../core/json-answer.js';
import type { ErrorCode, LakeFormationNameOf } from '../core/error-catalogue.js';

/** Errors modeled in the Lake Formation API for the credential operations. */
export const MODELED_ERROR_NAMES = [
  'AccessDeniedException',
  'EntityNotFoundException',
  'InvalidInputException',
  'InternalServiceException',
  'OperationTimeoutException',
  'PermissionTypeMismatchException',
  // Modeled for GetTemporaryDataLocationCredentials only.
  'ConflictException',
] as const;
export type ModeledErrorName = (typeof MODELED_ERROR_NAMES)[number];

/**
 * Every error name that can be sent, with its status.
 *
 * - AccessDeniedException is 403 because the model says so (`httpError: 403`);
 *   field reports of 400 exist, but the SDK classifies by name either way.
 * - ThrottlingException is not modeled for these operations; the service sends
 *   it as 400 "Rate exceeded" and the SDK retries it because of its name.
 * - The authentication names are those of the AWS front door, which answers
 *   before the service sees the request: a missing or unusable credential is
 *   403, an Authorization header lacking a part (IncompleteSignature) is 400.
 * - SerializationException is what AWS JSON services answer for a body that is
 *   not a JSON object; the SDK surfaces it as a generic service exception.
 * - The rest answer requests no SDK sends (wrong method, media type, size) and
 *   the emulator's own admin input.
 */
const STATUS_BY_NAME = {
  AccessDeniedException: 403,
  EntityNotFoundException: 400,
  InvalidInputException: 400,
  InternalServiceException: 500,
  OperationTimeoutException: 400,
  PermissionTypeMismatchException: 400,
  // The model gives no status; 400 as every other client fault without one.
  ConflictException: 400,
  ThrottlingException: 400,
  MissingAuthenticationTokenException: 403,
  IncompleteSignatureException: 400,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  SerializationException: 400,
  UnknownOperationException: 404,
  MethodNotAllowedException: 405,
  RequestEntityTooLargeException: 413,
  UnsupportedMediaTypeException: 415,
  RequestHeaderFieldsTooLargeException: 431,
  InvalidFaultsException: 400,
} as const;

export type ServiceErrorName = keyof typeof STATUS_BY_NAME;

/** Fails to compile when the error catalogue names a Lake Formation exception this module cannot send. */
export type CatalogueNamesAreSendable = LakeFormationNameOf<ErrorCode> extends ServiceErrorName ? true : never;
const _catalogueNamesAreSendable: CatalogueNamesAreSendable = true;
void _catalogueNamesAreSendable;

/** An error answer: the name goes to `x-amzn-errortype` and `__type`, the message to `message`. */
export class ServiceError extends Error {
  override readonly name: ServiceErrorName;
  readonly status: number;

  constructor(name: ServiceErrorName, message: string) {
    super(message);
    this.name = name;
    this.status = STATUS_BY_NAME[name];
  }
}

/** The message Lake Formation sends with a throttled call. */
export const THROTTLING_MESSAGE = 'Rate exceeded';

/** An error answer, ready to write to a response or a raw socket. */
export interface RenderedServiceError {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The one rendering of a Lake Formation error: status, `x-amzn-errortype`, `{"__type","message"}`. */
export function renderServiceError(error: ServiceError): RenderedServiceError {
  return {
    status: error.status,
    headers: { 'x-amzn-errortype': error.name },
    body: JSON.stringify({ __type: error.name, message: error.message }),
  };
}

/** Writes a JSON answer (no `Cache-Control` unless `headers` has one: the service sends none). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  // A client that went away (or an outage fault) leaves nothing to answer.
  if (res.destroyed || res.writableEnded) return;
  writeJson(res, status, JSON.stringify(body), headers);
}

/** Writes {@link renderServiceError} of `error`, with `headers` added. */
export function sendServiceError(res: ServerResponse, error: ServiceError, headers: Record<string, string> = {}): void {
  const rendered = renderServiceError(error);
  writeJson(res, rendered.status, rendered.body, { ...headers, ...rendered.headers });
}
