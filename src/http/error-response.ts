import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { ERROR_CATALOGUE } from '../core/error-catalogue.js';
import { LfcsError, type ErrorCode } from '../core/errors.js';
import { sendJsonText } from './json-response.js';

/** Seconds clients are told to wait on a 503 or 429 when the error names no better value. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** The HTTP status of `code`, from the error catalogue. */
export function statusForCode(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

/**
 * What the sidecar shows for anything thrown: an `LfcsError` as it is, and
 * anything else as a bare `InternalError` (its message could carry anything).
 */
export function toPublicError(err: unknown): LfcsError {
  return err instanceof LfcsError ? err : new LfcsError('InternalError', 'internal error');
}

/** An error answer, ready to write to an Express response or a raw socket. */
export interface ErrorResponse {
  error: LfcsError;
  status: number;
  headers: Record<string, string>;
  /** `{code, message, Code, Message}`: Java reads the lowercase keys, JS `fromHttp` the capitalised ones. */
  body: string;
}

/** The one rendering of an error: status from its code, `Retry-After` on 429 and 503, the JSON body. */
export function errorResponse(err: unknown): ErrorResponse {
  const error = toPublicError(err);
  const status = statusForCode(error.code);
  const headers: Record<string, string> = {};
  if (status === 503 || status === 429) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS)));
  }
  const body = JSON.stringify({ code: error.code, message: error.message, Code: error.code, Message: error.message });
  return { error, status, headers, body };
}

/** Every status {@link errorResponse} can answer with (for metrics initialised at 0). */
export { ERROR_STATUSES } from '../core/error-catalogue.js';

/** {@link errorResponse} as raw HTTP/1.1 bytes, for answers written to a socket or before Express. */
export function errorResponseText(
  err: unknown,
  render: (err: LfcsError) => { status: number; headers: Record<string, string>; body: string } = errorResponse,
): string {
  const { status, headers, body } = render(toPublicError(err));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json',
    'Cache-Control: no-store',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${body}`;
}

/** Sends {@link errorResponse} of `err`, with `headers` added. Returns the error as shown. */
export function sendError(res: Response, err: unknown, headers: Record<string, string> = {}): LfcsError {
  const rendered = errorResponse(err);
  sendJsonText(res, rendered.status, rendered.body, { ...headers, ...rendered.headers });
  return rendered.error;
}
