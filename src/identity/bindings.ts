/**
 * Authorization in agent mode: `agent.bindings` map a (namespace, service
 * account) to the profiles, table patterns and location patterns it may
 * use. Anything not bound is refused, with a 403 that names the binding
 * that would allow it.
 */
import { LfcsError } from '../core/errors.js';
import { matchesAllowedLocation } from '../lakeformation/data-location.js';
import { matchesAllowedTable } from '../lakeformation/table-arn.js';
import type { Binding } from './settings.js';
import type { PodIdentity } from './service-account-verifier.js';

/** What a request asks to use. */
export type Target =
  | { readonly profile: string }
  | { readonly tableArn: string }
  | { readonly locations: readonly string[] };

export class Bindings {
  readonly #byIdentity: Map<string, Binding>;

  constructor(bindings: readonly Binding[]) {
    this.#byIdentity = new Map(bindings.map((binding) => [identityKey(binding.namespace, binding.serviceAccount), binding]));
  }

  /** How many identities are bound. */
  get size(): number {
    return this.#byIdentity.size;
  }

  /** Undefined when `identity` may use `target`; otherwise the 403 to answer. */
  check(identity: PodIdentity, target: Target): LfcsError | undefined {
    const who = `namespace "${identity.namespace}" service account "${identity.serviceAccount}"`;
    const binding = this.#byIdentity.get(identityKey(identity.namespace, identity.serviceAccount));
    if (binding === undefined) {
      return new LfcsError(
        'NoBinding',
        `${who} has no entry in agent.bindings; add one that names the profiles, tables or locations it may use`,
      );
    }
    if ('profile' in target) {
      if (binding.profiles.includes(target.profile)) return undefined;
      return new LfcsError('NoBinding', `the agent.bindings entry of ${who} does not list profile "${truncate(target.profile)}" in profiles`);
    }
    if ('tableArn' in target) {
      if (matchesAllowedTable(binding.tables, target.tableArn)) return undefined;
      return new LfcsError(
        'NoBinding',
        `table ${truncate(target.tableArn)} matches none of the tables of the agent.bindings entry of ${who}`,
      );
    }
    const refused = target.locations.filter((location) => !matchesAllowedLocation(binding.locations, location));
    if (refused.length === 0) return undefined;
    return new LfcsError(
      'NoBinding',
      `location(s) ${truncate(refused.join(', '))} match none of the locations of the agent.bindings entry of ${who}`,
    );
  }
}

function identityKey(namespace: string, serviceAccount: string): string {
  return `${namespace}/${serviceAccount}`;
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
