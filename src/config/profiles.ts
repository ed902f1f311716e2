import { LfcsError } from '../core/errors.js';
import type { CredentialRequest } from '../lakeformation/types.js';
import type { Config, ProfileConfig } from './schema.js';

/** The profile called `name`, or `undefined`. Own keys only: a name such as `constructor` must not reach `Object.prototype`. */
export function findProfile(config: Config, name: string): ProfileConfig | undefined {
  return Object.prototype.hasOwnProperty.call(config.profiles, name) ? config.profiles[name] : undefined;
}

/**
 * The credential request a profile stands for, with `defaults` applied to
 * every field the profile leaves unset. A profile with `partition` becomes a
 * `GetTemporaryGluePartitionCredentials` request, otherwise a
 * `GetTemporaryGlueTableCredentials` one. Arrays are fresh copies, so the
 * caller may keep or change them without touching the frozen configuration.
 * Throws `LfcsError` `ProfileNotFound` for an unknown name.
 */
export function profileToRequest(config: Config, profileName: string): CredentialRequest {
  const profile = findProfile(config, profileName);
  if (!profile) {
    const shown = JSON.stringify(profileName.length > 128 ? `${profileName.slice(0, 128)}…` : profileName);
    throw new LfcsError('ProfileNotFound', `No profile named ${shown} is configured`);
  }
  const request: CredentialRequest = {
    operation: profile.partition ? 'GetTemporaryGluePartitionCredentials' : 'GetTemporaryGlueTableCredentials',
    tableArn: profile.tableArn,
    permissions: [...(profile.permissions ?? config.defaults.permissions)],
    supportedPermissionTypes: [...(profile.supportedPermissionTypes ?? config.defaults.supportedPermissionTypes)],
    durationSeconds: profile.durationSeconds ?? config.defaults.durationSeconds,
  };
  if (profile.partition) request.partitionValues = [...profile.partition];
  if (profile.s3Path !== undefined) request.s3Path = profile.s3Path;
  if (profile.auditContext !== undefined) request.auditContext = { additionalAuditContext: profile.auditContext };
  return request;
}
