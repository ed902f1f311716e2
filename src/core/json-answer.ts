/**
 * The one writer of JSON answers, for every listener of lfcs and for the
 * emulator: `Content-Type` exactly `application/json`, `Content-Length`, and
 * the caller's own headers (`Cache-Control: no-store` on lfcs's answers,
 * `Retry-After`, `x-amzn-errortype`, ...).
 *
 * Exactly `application/json`: Express's `res.json`/`res.type` append
 * `; charset=utf-8`, the JS SDK warns on every fetch when the header is not
 * exactly `application/json`, and Go only parses JSON errors when it is.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';

/** Headers every answer of lfcs's own listeners carries: credentials are never cached by anything in between. */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'Cache-Control': 'no-store' });

/**
 * Writes `payload` (already serialised JSON) with `status` and `headers`.
 * Returns false, writing nothing, when the client is gone or an answer was
 * already written.
 */
export function writeJson(
  res: ServerResponse,
  status: number,
  payload: string,
  headers: Readonly<Record<string, string>> = NO_STORE,
): boolean {
  if (res.destroyed || res.writableEnded) return false;
  for (const name in headers) res.setHeader(name, headers[name]!);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
  return true;
}

/** {@link writeJson} as raw HTTP/1.1 bytes that close the connection, for answers written straight to a socket. */
export function jsonAnswerText(status: number, payload: string, headers: Readonly<Record<string, string>> = NO_STORE): string {
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(payload)}`,
    'Connection: close',
  ];
  return `${head.join('\r\n')}\r\n\r\n${payload}`;
}
