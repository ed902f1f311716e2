import { LfcsError } from '../core/errors.js';
import { canonicalDataLocations } from '../lakeformation/data-location.js';
import type { CredentialRequest, TableCredentialRequest } from '../lakeformation/types.js';
import type { Config, ProfileConfig } from './schema.js';

/** The profile called `name`, or `undefined`. Own keys only: a name such as `constructor` must not reach `Object.prototype`. */
export function findProfile(config: Config, name: string): ProfileConfig | undefined {
  return Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
}

/**
 * The credential request a profile stands for, with `defaults` applied to
 * every field the profile leaves unset. A profile with `partition` becomes a
 * `GetTemporaryGluePartitionCredentials` request, otherwise a
 * `GetTemporaryGlueTableCredentials` one; a profile with `locations` becomes a
 * `GetTemporaryDataLocationCredentials` request for the canonical location
 * list (sorted, no duplicates, no trailing `/`). Arrays are fresh copies, so the
 * caller may keep or change them without touching the frozen configuration.
 * Throws `LfcsError` `ProfileNotFound` for an unknown name.
 */
export function profileToRequest(config: Config, profileName: string): CredentialRequest {
  const profile = findProfile(config, profileName);
  if (!profile) {
    const shown = JSON.stringify(profileName.length > 128 ? `${profileName.slice(0, 128)}…` : profileName);
    throw new LfcsError('ProfileNotFound', `No profile named ${shown} is configured`);
  }
  if (profile.locations !== undefined) {
    return {
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: canonicalDataLocations(profile.locations),
      credentialsScope: profile.credentialsScope ?? config.defaults.credentialsScope,
      durationSeconds: profile.durationSeconds ?? config.defaults.durationSeconds,
      ...(profile.auditContext !== undefined && { auditContext: { additionalAuditContext: profile.auditContext } }),
    };
  }
  const request: TableCredentialRequest = {
    operation: profile.partition ? 'GetTemporaryGluePartitionCredentials' : 'GetTemporaryGlueTableCredentials',
    // Validation guarantees a profile names a table or locations.
    tableArn: profile.tableArn!,
    permissions: [...(profile.permissions ?? config.defaults.permissions)],
    supportedPermissionTypes: [...(profile.supportedPermissionTypes ?? config.defaults.supportedPermissionTypes)],
    durationSeconds: profile.durationSeconds ?? config.defaults.durationSeconds,
  };
  if (profile.partition) request.partitionValues = [...profile.partition];
  if (profile.s3Path !== undefined) request.s3Path = profile.s3Path;
  if (profile.auditContext !== undefined) request.auditContext = { additionalAuditContext: profile.auditContext };
  return request;
}
