/**
 * The Iceberg REST catalog's error answer, `IcebergErrorResponse`
 * (`{"error": {"message", "type", "code"}}`), with the status the spec gives
 * each type. Iceberg Java and PyIceberg pick their exception from the status
 * (and, for 404, from `type`), so the pairs below are the contract.
 */
import type { ServerResponse } from 'node:http';
import { ICEBERG_ERROR_STATUS } from '../iceberg/errors.js';
import { sendJson } from './http-io.js';
import { wireErrorClass } from './wire-error.js';

/** The spec's types and statuses (the gateway's table), plus what Glue's catalog adds. */
const STATUS_BY_TYPE = {
  ...ICEBERG_ERROR_STATUS,
  NoSuchWarehouseException: 404,
  /** Glue's REST endpoint answers throttling as 400 "Rate exceeded" (apache/iceberg#17824). */
  ThrottlingException: 400,
} as const;

export type IcebergErrorType = keyof typeof STATUS_BY_TYPE;

/** An error of the emulated catalog; its `code` is the response's `type`. */
export const IcebergError = wireErrorClass<IcebergErrorType>('IcebergError', STATUS_BY_TYPE);
export type IcebergError = InstanceType<typeof IcebergError>;

/** Writes the error; a HEAD answer has the status alone, as HTTP allows no body. */
export function sendIcebergError(res: ServerResponse, error: IcebergError, head: boolean): void {
  if (head) {
    res.statusCode = error.status;
    res.end();
    return;
  }
  sendJson(res, error.status, { error: { message: error.message, type: error.code, code: error.status } });
}
