/** The configured profiles, resolved once at start: a profile's request, cache key and account never change. */
import { prepareRequest } from '../cache/index.js';
import { profileToRequest, type Config } from '../config/index.js';
import type { ResolvedProfile } from '../http/credentials-app.js';
import { containerAccountId } from '../lakeformation/container-body.js';

export function resolveProfiles(config: Config): Map<string, ResolvedProfile> {
  return new Map(
    Object.keys(config.profiles).map((name) => {
      const prepared = prepareRequest(profileToRequest(config, name));
      return [name, { prepared, accountId: containerAccountId(prepared.request) }];
    }),
  );
}
