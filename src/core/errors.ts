/**
 * Every failure the sidecar reports is an `LfcsError` with a stable `code`.
 * Callers branch on `code` (never on message text). Each code's HTTP status,
 * Lake Formation name and permanence are in one table: `./error-catalogue.ts`.
 *
 * Messages never contain key material or tokens: they are built from our own
 * text and from upstream error names/messages, which carry no secrets.
 */

import { ERROR_CATALOGUE, type ErrorCode, type UpstreamErrorCode } from './error-catalogue.js';

export { LOCAL_ERROR_CODES, UPSTREAM_ERROR_CODES, type ErrorCode, type LocalErrorCode, type UpstreamErrorCode } from './error-catalogue.js';

export interface LfcsErrorOptions {
  /** Whether the same request may succeed if tried again later. Default false. */
  retryable?: boolean;
  /** Seconds a client should wait before retrying, sent as `Retry-After`. */
  retryAfterSeconds?: number;
}

/** Base class of every error the sidecar raises or passes on. */
export class LfcsError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: LfcsErrorOptions = {}) {
    super(message);
    this.name = 'LfcsError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/**
 * A failure of a Lake Formation call. The original SDK exception is not kept
 * as `cause`: SDK exceptions hold the raw response, and nothing from it should
 * be able to reach a log by accident.
 */
export class UpstreamError extends LfcsError {
  /** The AWS error name as received (`err.name`), e.g. `ThrottlingException`. */
  readonly upstreamName: string;
  /** HTTP status Lake Formation answered with, when there was an answer. */
  readonly upstreamStatus: number | undefined;

  constructor(
    code: UpstreamErrorCode,
    message: string,
    details: { upstreamName: string; upstreamStatus?: number; retryable: boolean; retryAfterSeconds?: number },
  ) {
    super(code, message, {
      retryable: details.retryable,
      ...(details.retryAfterSeconds !== undefined && { retryAfterSeconds: details.retryAfterSeconds }),
    });
    this.name = 'UpstreamError';
    this.upstreamName = details.upstreamName;
    this.upstreamStatus = details.upstreamStatus;
  }
}

/** True for upstream errors that say "this request will never work": never retried, negatively cached. */
export function isPermanentUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError && ERROR_CATALOGUE[err.code].permanent;
}

/** What every request still waiting gets once the sidecar stops (503, retryable). */
export function shuttingDownError(): LfcsError {
  return new LfcsError('ShuttingDown', 'The sidecar is shutting down', { retryable: true, retryAfterSeconds: 1 });
}

/**
 * `err` with `retryAfterSeconds` set (unchanged if it has one). A copy, so an
 * error object the Lake Formation client may reuse is never altered.
 */
export function withRetryAfter(err: LfcsError, seconds: number): LfcsError {
  if (err.retryAfterSeconds !== undefined) return err;
  if (err instanceof UpstreamError) {
    return new UpstreamError(err.code as UpstreamErrorCode, err.message, {
      upstreamName: err.upstreamName,
      ...(err.upstreamStatus !== undefined && { upstreamStatus: err.upstreamStatus }),
      retryable: err.retryable,
      retryAfterSeconds: seconds,
    });
  }
  return new LfcsError(err.code, err.message, { retryable: err.retryable, retryAfterSeconds: seconds });
}

/** Input quoted in a message, cut to `max` characters (a message must stay short whatever was sent). */
export function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
