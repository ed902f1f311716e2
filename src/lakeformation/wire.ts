/**
 * The one mapping between lfcs's camelCase request fields and the API's wire
 * names, for the parts that both the HTTP input and the Lake Formation client
 * translate field by field.
 */
import type { QuerySessionContext } from './types.js';

/** `QuerySessionContext` members: lfcs name, wire name. */
const SESSION_FIELDS = [
  ['queryId', 'QueryId'],
  ['queryStartTime', 'QueryStartTime'],
  ['clusterId', 'ClusterId'],
  ['queryAuthorizationId', 'QueryAuthorizationId'],
  ['additionalContext', 'AdditionalContext'],
] as const;

/** `QuerySessionContext` as the API names its members. */
export interface WireQuerySessionContext {
  QueryId?: string | undefined;
  QueryStartTime?: Date | undefined;
  ClusterId?: string | undefined;
  QueryAuthorizationId?: string | undefined;
  AdditionalContext?: Record<string, string> | undefined;
}

/** The members of `wire` that are set, under lfcs's names (maps copied). */
export function sessionFromWire(wire: WireQuerySessionContext): QuerySessionContext {
  return rename(wire, 1, 0) as QuerySessionContext;
}

/** The members of `session` that are set, under the wire names (maps copied). */
export function sessionToWire(session: QuerySessionContext): WireQuerySessionContext {
  return rename(session, 0, 1) as WireQuerySessionContext;
}

function rename(source: object, from: 0 | 1, to: 0 | 1): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const names of SESSION_FIELDS) {
    const value = (source as Record<string, unknown>)[names[from]];
    if (value !== undefined) out[names[to]] = copy(value);
  }
  return out;
}

function copy<T>(value: T): T {
  return typeof value === 'object' && value !== null && !(value instanceof Date) ? ({ ...value } as T) : value;
}
