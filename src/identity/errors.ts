import { LfcsError } from '../core/errors.js';
import type { PodIdentity } from './token-claims.js';

// Its own module so that the credentials listener can recognise it without
// loading the verifier (and jose), which only agent mode uses.

/** A verified token bound to a pod on another node: refused, but whose pod it is is known (for the audit line). */
export class NodeMismatchError extends LfcsError {
  constructor(
    readonly identity: PodIdentity,
    nodeName: string,
  ) {
    super('NodeMismatch', `the token is bound to a pod on another node; this agent serves node ${nodeName} only`);
  }
}
