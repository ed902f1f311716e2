/**
 * The Iceberg REST catalog's error answer, `IcebergErrorResponse`
 * (`{"error": {"message", "type", "code"}}`), with the status the spec gives
 * each type. Iceberg Java and PyIceberg pick their exception from the status
 * (and, for 404, from `type`), so the pairs below are the contract.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';

const STATUS_BY_TYPE = {
  BadRequestException: 400,
  /** Authentication failed or was not provided (the spec's UnauthorizedResponse). */
  NotAuthorizedException: 401,
  /** Authenticated, but without the permission (the spec's ForbiddenResponse). */
  ForbiddenException: 403,
  NoSuchNamespaceException: 404,
  NoSuchTableException: 404,
  NoSuchWarehouseException: 404,
  /** A route the spec has that this catalog does not serve (the spec's UnsupportedOperationResponse). */
  UnsupportedOperationException: 406,
  /** Glue's REST endpoint answers throttling as 400 "Rate exceeded" (apache/iceberg#17824). */
  ThrottlingException: 400,
  ServiceUnavailableException: 503,
  InternalServerError: 500,
} as const;

export type IcebergErrorType = keyof typeof STATUS_BY_TYPE;

export class IcebergError extends Error {
  override readonly name = 'IcebergError';
  readonly type: IcebergErrorType;
  readonly status: number;

  constructor(type: IcebergErrorType, message: string) {
    super(message);
    this.type = type;
    this.status = STATUS_BY_TYPE[type];
  }
}

/** Writes the error; a HEAD answer has the status alone, as HTTP allows no body. */
export function sendIcebergError(res: ServerResponse, error: IcebergError, head: boolean): void {
  if (head) {
    res.statusCode = error.status;
    res.end();
    return;
  }
  sendJson(res, error.status, { error: { message: error.message, type: error.type, code: error.status } });
}
