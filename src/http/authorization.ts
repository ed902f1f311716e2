/**
 * The last step of admission, once a request's target is read (the path for
 * a profile, the query or body otherwise): whether the admitted caller may
 * have it. The same function for every route of every listener.
 */
import { LfcsError, truncate } from '../core/errors.js';
import type { CallerAuth, Target } from '../identity/caller-auth.js';
import { isDataLocationRequest, type CredentialRequest } from '../lakeformation/types.js';
import type { Admission } from './admission.js';

/** The node-wide policy of requests a caller writes itself: `dynamic.*` (in agent mode every caller's binding decides instead). */
export interface DynamicPolicy {
  enabled: boolean;
  /** Whether the table ARN matches one of `dynamic.allowedTables`. */
  isAllowed(tableArn: string): boolean;
  /** Whether the S3 location matches one of `dynamic.allowedLocations`. Absent: no location is allowed. */
  isLocationAllowed?(location: string): boolean;
}

/**
 * Whether the admitted caller may have `target`: a request it wrote must be
 * within `dynamic.*`, then (agent mode) within its binding. Throws the 403;
 * returns the target for the audit of what was served. `disabledHint` tells
 * the caller what to use instead of a dynamic request.
 */
export function authorizeTarget(
  a: Admission,
  deps: { auth?: CallerAuth; dynamic: DynamicPolicy },
  target: Target,
  disabledHint = '',
): Target {
  if ('request' in target) checkDynamic(deps.dynamic, target.request, disabledHint);
  const refusal = a.caller === undefined ? undefined : deps.auth?.authorize(a.caller, target);
  if (refusal) throw refusal;
  return target;
}

function checkDynamic(dynamic: DynamicPolicy, request: CredentialRequest, hint: string): void {
  const locations = isDataLocationRequest(request);
  if (!dynamic.enabled) {
    throw new LfcsError(
      'DynamicRequestsDisabled',
      `dynamic requests are disabled; ${hint}set dynamic.enabled and dynamic.${locations ? 'allowedLocations' : 'allowedTables'}`,
    );
  }
  if (locations) {
    const refused = request.dataLocations.filter((location) => !dynamic.isLocationAllowed?.(location));
    if (refused.length > 0) {
      throw new LfcsError('LocationNotAllowed', `location(s) ${truncate(refused.join(', '))} match none of dynamic.allowedLocations`);
    }
  } else if (!dynamic.isAllowed(request.tableArn)) {
    throw new LfcsError('TableNotAllowed', `table ${truncate(request.tableArn)} matches none of dynamic.allowedTables`);
  }
}
