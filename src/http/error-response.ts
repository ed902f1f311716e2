/**
 * lfcs's own error answers: the status from the error catalogue, `Retry-After`
 * on 429 and 503, and the body `{code, message, Code, Message}` (Java reads
 * the lowercase keys, JS `fromHttp` the capitalised ones).
 */
import type { ServerResponse } from 'node:http';
import { ERROR_CATALOGUE } from '../core/error-catalogue.js';
import { LfcsError, type ErrorCode } from '../core/errors.js';
import { jsonAnswerText, NO_STORE, writeJson } from '../core/json-answer.js';

/** Every status {@link errorResponse} can answer with (for metrics initialised at 0). */
export { ERROR_STATUSES } from '../core/error-catalogue.js';

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

/** An error answer, ready to write to a response or a raw socket. */
export interface ErrorResponse {
  error: LfcsError;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The one rendering of an error: status from its code, `Cache-Control: no-store`, `Retry-After` on 429 and 503, the JSON body. */
export function errorResponse(err: unknown): ErrorResponse {
  const error = toPublicError(err);
  const status = statusForCode(error.code);
  const headers: Record<string, string> = { ...NO_STORE };
  if (status === 503 || status === 429) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS)));
  }
  const body = JSON.stringify({ code: error.code, message: error.message, Code: error.code, Message: error.message });
  return { error, status, headers, body };
}

/** How a listener renders an error raised before its app sees the request. */
export type ErrorRenderer = (err: LfcsError) => { status: number; headers: Record<string, string>; body: string };

/** An error as raw HTTP/1.1 bytes that close the connection, for answers written to a socket (always `no-store`). */
export function errorResponseText(err: unknown, render: ErrorRenderer = errorResponse): string {
  const { status, headers, body } = render(toPublicError(err));
  return jsonAnswerText(status, body, { ...NO_STORE, ...headers });
}

/** Writes {@link errorResponse} of `err` to `res` (answers outside the listeners' pipeline: the admin listener). */
export function sendError(res: ServerResponse, err: unknown): LfcsError {
  const rendered = errorResponse(err);
  writeJson(res, rendered.status, rendered.body, rendered.headers);
  return rendered.error;
}
