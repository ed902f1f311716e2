/**
 * Reading request bodies and writing JSON answers in the shape AWS restJson1
 * services use: errors carry their name in `x-amzn-errortype` (which the SDK
 * reads first) and in the body's `__type`, with the text in `message` (the
 * rendering itself is `lakeformation/service-error.ts`).
 */
import type { IncomingMessage } from 'node:http';
import { ServiceError } from './service-error.js';

/** Largest request body accepted, 1 MiB; Lake Formation requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Past this many bytes an oversized body is no longer drained: the connection is dropped. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

/**
 * Reads the whole body. An oversized body is still read to its end (and
 * discarded) so the client sees the 413 instead of a reset connection.
 * @throws ServiceError `RequestEntityTooLargeException` past `limit` bytes.
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= limit) {
      chunks.push(chunk as Buffer);
    } else if (size > MAX_DRAIN_BYTES) {
      req.socket.destroy();
      break;
    }
  }
  if (size > limit) throw tooLarge(limit);
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', `Request body exceeds ${limit} bytes`);
}

/**
 * Parses a body that must be a JSON object; an empty body counts as `{}`, as
 * for AWS JSON services.
 * @throws ServiceError `SerializationException`, the name AWS JSON services use for unreadable bodies.
 */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'Start of structure or map found where not expected: the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** The restJson1 answers, shared with lfcs's Lake Formation API listener. */
export { sendJson, sendServiceError as sendError } from '../lakeformation/service-error.js';
