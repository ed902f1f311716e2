/**
 * Errors the emulator answers with, named and shaped as Lake Formation (and the
 * AWS front door before it) names them. The HTTP status of every name is
 * decided here and nowhere else.
 */

/** Errors modeled in the Lake Formation API for the credential operations (ConflictException for the data-location one only). */
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

/** Errors a fault rule may inject: the modeled ones plus throttling. */
export const INJECTABLE_ERROR_NAMES = [...MODELED_ERROR_NAMES, 'ThrottlingException'] as const;
export type InjectableErrorName = (typeof INJECTABLE_ERROR_NAMES)[number];

/**
 * Every error name the emulator can send, with its status.
 *
 * - AccessDeniedException is 403 because the model says so (`httpError: 403`);
 *   field reports of 400 exist, but the SDK classifies by name either way.
 * - ThrottlingException is not modeled for these operations; the service sends
 *   it as 400 "Rate exceeded" and the SDK retries it because of its name.
 * - The authentication names are those of the AWS front door, which answers
 *   before the service sees the request; all of them are 403.
 * - SerializationException is what AWS JSON services answer for a body that is
 *   not a JSON object; the SDK surfaces it as a generic service exception.
 * - The last four are the emulator's own answers for requests no SDK sends.
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
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  SerializationException: 400,
  UnknownOperationException: 404,
  MethodNotAllowedException: 405,
  RequestEntityTooLargeException: 413,
  InvalidFaultsException: 400,
} as const;

export type ServiceErrorName = keyof typeof STATUS_BY_NAME;

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
