/**
 * Authorization in agent mode: `agent.bindings` map a (namespace, service
 * account) to the profiles, table patterns and location patterns it may
 * use, and bound what its own requests may ask for: permissions, the policy
 * kinds it claims to enforce, the credentials scope and the lease length
 * (each defaulting to `defaults.*`). On a node one lfcs role serves every
 * tenant, so Lake Formation grants that role the union of their rights; a
 * pod's request must never reach past its own binding. Anything not bound
 * is refused, with a 403 that names the binding that would allow it.
 */
import { LfcsError, truncate } from '../core/errors.js';
import { matchesAllowedLocation } from '../lakeformation/data-location.js';
import { matchesAllowedTable } from '../lakeformation/table-arn.js';
import {
  isDataLocationRequest,
  type CredentialRequest,
  type CredentialsScope,
  type Permission,
  type PermissionType,
} from '../lakeformation/types.js';
import type { Binding } from './settings.js';
import type { PodIdentity } from './service-account-verifier.js';

/** What a request asks to use: a configured profile (as configured), or a request the caller wrote. */
export type Target = { readonly profile: string } | { readonly request: CredentialRequest };

/** The request parameters a binding that does not name its own is held to. */
export interface BindingDefaults {
  readonly permissions: readonly Permission[];
  readonly supportedPermissionTypes: readonly PermissionType[];
  readonly credentialsScope: CredentialsScope;
  readonly durationSeconds: number;
}

interface ResolvedBinding {
  readonly profiles: ReadonlySet<string>;
  readonly tables: readonly string[];
  readonly locations: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  readonly supportedPermissionTypes: ReadonlySet<PermissionType>;
  readonly credentialsScope: CredentialsScope;
  readonly maxDurationSeconds: number;
}

export class Bindings {
  readonly #byIdentity: Map<string, ResolvedBinding>;

  constructor(bindings: readonly Binding[], defaults: BindingDefaults) {
    this.#byIdentity = new Map(
      bindings.map((b) => [
        identityKey(b.namespace, b.serviceAccount),
        {
          profiles: new Set(b.profiles),
          tables: b.tables,
          locations: b.locations,
          permissions: new Set(b.permissions ?? defaults.permissions),
          supportedPermissionTypes: new Set(b.supportedPermissionTypes ?? defaults.supportedPermissionTypes),
          credentialsScope: b.credentialsScope ?? defaults.credentialsScope,
          maxDurationSeconds: b.maxDurationSeconds ?? defaults.durationSeconds,
        },
      ]),
    );
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
      return refuse(`${who} has no entry in agent.bindings; add one that names the profiles, tables or locations it may use`);
    }
    const entry = `the agent.bindings entry of ${who}`;
    if ('profile' in target) {
      if (binding.profiles.has(target.profile)) return undefined;
      return refuse(`${entry} does not list profile "${truncate(target.profile)}" in profiles`);
    }
    const { request } = target;
    if (request.durationSeconds !== undefined && request.durationSeconds > binding.maxDurationSeconds) {
      return refuse(
        `${entry} allows durationSeconds up to ${binding.maxDurationSeconds} (maxDurationSeconds); the request asks ${request.durationSeconds}`,
      );
    }
    if (isDataLocationRequest(request)) {
      const refused = request.dataLocations.filter((location) => !matchesAllowedLocation(binding.locations, location));
      if (refused.length > 0) return refuse(`location(s) ${truncate(refused.join(', '))} match none of the locations of ${entry}`);
      if (request.credentialsScope === 'READWRITE' && binding.credentialsScope !== 'READWRITE') {
        return refuse(`${entry} allows credentialsScope READ only (credentialsScope); the request asks READWRITE`);
      }
      return undefined;
    }
    if (!matchesAllowedTable(binding.tables, request.tableArn)) {
      return refuse(`table ${truncate(request.tableArn)} matches none of the tables of ${entry}`);
    }
    // An empty list would leave the choice to Lake Formation, under a role holding every tenant's rights.
    if (request.permissions !== undefined && request.permissions.length === 0) {
      return refuse(`${entry} needs the request to name its permissions (permitted: ${[...binding.permissions].join(', ')})`);
    }
    const permissions = (request.permissions ?? []).filter((p) => !binding.permissions.has(p));
    if (permissions.length > 0) {
      return refuse(
        `${entry} does not allow permission(s) ${permissions.join(', ')} (permissions: ${[...binding.permissions].join(', ')})`,
      );
    }
    const types = (request.supportedPermissionTypes ?? []).filter((t) => !binding.supportedPermissionTypes.has(t));
    if (types.length > 0) {
      return refuse(
        `${entry} does not allow supportedPermissionTypes ${types.join(', ')} (supportedPermissionTypes: ${[...binding.supportedPermissionTypes].join(', ')})`,
      );
    }
    return undefined;
  }
}

function refuse(message: string): LfcsError {
  return new LfcsError('NoBinding', message);
}

function identityKey(namespace: string, serviceAccount: string): string {
  return `${namespace}/${serviceAccount}`;
}
