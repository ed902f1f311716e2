/**
 * The gateway's refusals, as the Iceberg REST spec's `IcebergErrorResponse`:
 * `{"error": {"message", "type", "code"}}` with the status the spec gives the
 * type. Clients choose their exception from the status (Iceberg Java, and for
 * 404 also from `type`; PyIceberg from the status alone), so the pairs below
 * are the contract:
 *
 * - 400 BadRequestException, 401 NotAuthorizedException, 403 ForbiddenException,
 *   404 NoSuchNamespaceException / NoSuchTableException / NotFoundException,
 *   405, 406 UnsupportedOperationException, 429, 500, 503.
 * - "Try again later" is 429 or 503 with `Retry-After`: Iceberg Java retries
 *   429 for every method and 503 with `Retry-After` for every method,
 *   honouring the header; PyIceberg raises either at once.
 *
 * Messages are lfcs's own text or the upstream catalog's; neither carries key
 * material, and no exception's `cause` or stack is ever rendered.
 */
import { ERROR_CATALOGUE } from '../core/error-catalogue.js';
import { LfcsError, type ErrorCode } from '../core/errors.js';
import { jsonAnswer, NO_STORE, type GatewayAnswer } from './answer.js';

/** Every error type the gateway answers with, and its status. */
export const ICEBERG_ERROR_STATUS = {
  BadRequestException: 400,
  NotAuthorizedException: 401,
  ForbiddenException: 403,
  NoSuchNamespaceException: 404,
  NoSuchTableException: 404,
  NotFoundException: 404,
  MethodNotAllowedException: 405,
  UnsupportedOperationException: 406,
  TooManyRequestsException: 429,
  InternalServerError: 500,
  ServiceUnavailableException: 503,
} as const;

export type IcebergErrorType = keyof typeof ICEBERG_ERROR_STATUS;

/** A refusal of the gateway, rendered by {@link renderIcebergError}. */
export class IcebergError extends Error {
  override readonly name = 'IcebergError';
  readonly type: IcebergErrorType;
  readonly status: number;
  /** Sent as `Retry-After` when set. */
  readonly retryAfterSeconds: number | undefined;
  /** Sent as `Allow` (405 only). */
  readonly allow: readonly string[] | undefined;

  constructor(type: IcebergErrorType, message: string, options: { retryAfterSeconds?: number; allow?: readonly string[] } = {}) {
    super(message);
    this.type = type;
    this.status = ICEBERG_ERROR_STATUS[type];
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.allow = options.allow;
  }
}

/**
 * The Iceberg type of an lfcs error code (the cache and the admission checks
 * raise `LfcsError`s), from the status the error catalogue gives the code, so
 * a new code needs no row here: the spec's type for that status, except where
 * a client picks its exception from a narrower 404 type.
 */
const TYPE_BY_STATUS: Readonly<Record<number, IcebergErrorType>> = {
  401: 'NotAuthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  405: 'MethodNotAllowedException',
  429: 'TooManyRequestsException',
  500: 'InternalServerError',
};
/** Lake Formation knows no such table: Iceberg Java's `NoSuchTableException`. */
const TYPE_OVERRIDES: Partial<Record<ErrorCode, IcebergErrorType>> = { EntityNotFoundException: 'NoSuchTableException' };

function icebergTypeOf(code: ErrorCode): IcebergErrorType {
  const status = ERROR_CATALOGUE[code].status;
  // Another 4xx is the caller's request; any other 5xx is "try again later" (502, 503, 504).
  return TYPE_OVERRIDES[code] ?? TYPE_BY_STATUS[status] ?? (status < 500 ? 'BadRequestException' : 'ServiceUnavailableException');
}

/** Seconds a client waits after a retryable refusal that names none. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/**
 * `err` as an {@link IcebergError}: unchanged if it is one, translated if it is
 * an `LfcsError`, and otherwise a 500 that says nothing of the exception (a
 * bug's message could quote anything).
 */
export function toIcebergError(err: unknown): IcebergError {
  if (err instanceof IcebergError) return err;
  if (err instanceof LfcsError) {
    const type = icebergTypeOf(err.code);
    const retryable = ICEBERG_ERROR_STATUS[type] === 429 || ICEBERG_ERROR_STATUS[type] === 503;
    return new IcebergError(type, `${err.code}: ${err.message}`, {
      ...(retryable && { retryAfterSeconds: err.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS }),
    });
  }
  return new IcebergError('InternalServerError', 'Internal error in the gateway');
}

/** The answer for `err`; an answer to `HEAD` has the status and headers alone, as HTTP allows no body. */
export function renderIcebergError(err: unknown, head = false): GatewayAnswer {
  const error = toIcebergError(err);
  const headers: Record<string, string> = { ...NO_STORE };
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  if (error.allow) headers.Allow = error.allow.join(', ');
  if (head) return { status: error.status, headers };
  return jsonAnswer(error.status, { error: { message: error.message, type: error.type, code: error.status } }, headers);
}

/**
 * Glue's Iceberg REST endpoint answers throttling as HTTP 400 with
 * `ThrottlingException` / "Rate exceeded" (apache/iceberg#17824), which no
 * client retries: a 400 is the caller's own mistake. Recognised by the
 * error's `type`, or by the message when the type is missing.
 */
export function isUpstreamThrottle(status: number, body: Buffer): boolean {
  if (status !== 400 && status !== 429) return false;
  const error = parseErrorModel(body);
  if (status === 429) return true;
  return error?.type === 'ThrottlingException' || /rate exceeded/i.test(error?.message ?? '');
}

/**
 * What the client gets for an upstream error answer, or `undefined` to pass
 * it through as received (status and body, byte for byte):
 * - throttling (see {@link isUpstreamThrottle}) becomes 429 with `Retry-After`,
 *   so Iceberg Java backs off and retries;
 * - 401 means the upstream refused lfcs's own AWS identity, not the caller's
 *   token: passed on, it would make PyIceberg refresh a token that is fine
 *   and the user look for the fault in the wrong place, so it is a 503.
 */
export function upstreamErrorAnswer(status: number, body: Buffer, head: boolean): GatewayAnswer | undefined {
  if (isUpstreamThrottle(status, body)) {
    return renderIcebergError(
      new IcebergError('TooManyRequestsException', 'The upstream catalog is throttling requests (Rate exceeded); retry after a pause', {
        retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      }),
      head,
    );
  }
  if (status === 401) {
    return renderIcebergError(
      new IcebergError('ServiceUnavailableException', "The upstream catalog refused the gateway's own AWS identity", {
        retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      }),
      head,
    );
  }
  return undefined;
}

/** `error.type` and `error.message` of an `IcebergErrorResponse` body, if it is one. */
function parseErrorModel(body: Buffer): { type?: string; message?: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    const error = (parsed as { error?: unknown } | null)?.error;
    if (typeof error !== 'object' || error === null) return undefined;
    const { type, message } = error as Record<string, unknown>;
    return { ...(typeof type === 'string' && { type }), ...(typeof message === 'string' && { message }) };
  } catch {
    return undefined;
  }
}
