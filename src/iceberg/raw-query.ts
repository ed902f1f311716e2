/**
 * A raw query string as SigV4 signs it. Split by hand rather than with
 * `URLSearchParams`, which reads `+` as a space: the canonical query must
 * encode exactly what the URL sends.
 */
import { IcebergError } from './errors.js';

/** `a=1&b=2&b=3` as `{a: '1', b: ['2', '3']}`, percent-decoded; a malformed escape is a 400. */
export function parseRawQuery(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = decodeComponent(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? '' : decodeComponent(pair.slice(at + 1));
    const existing = out[key];
    out[key] = existing === undefined ? value : [...[existing].flat(), value];
  }
  return out;
}

/** `decodeURIComponent`, with a malformed escape answered 400 BadRequestException. */
export function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new IcebergError('BadRequestException', 'The request has a malformed percent-encoding');
  }
}
