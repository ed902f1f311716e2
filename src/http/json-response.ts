import type { Response } from 'express';

/**
 * Writes a JSON body with `Content-Type` exactly `application/json`.
 *
 * Express's `res.json`/`res.type`/`res.send(string)` append `; charset=utf-8`;
 * the JS SDK warns on every fetch when the header is not exactly
 * `application/json`, and Go only parses JSON errors when it is. So the raw
 * header is set here and nowhere else.
 */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

/** {@link sendJson} for a body that is already serialized. */
export function sendJsonText(res: Response, status: number, payload: string, headers: Record<string, string> = {}): void {
  res.status(status);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
}
