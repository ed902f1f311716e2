/** The configured profiles, resolved once at start: a profile's request, cache key and account never change. */
import { prepareRequest } from '../cache/index.js';
import { profileToRequest, type Config } from '../config/index.js';
import type { ResolvedProfile } from '../http/credentials-app.js';
import { accountIdFromTableArn } from '../lakeformation/table-arn.js';

export function resolveProfiles(config: Config): Map<string, ResolvedProfile> {
  return new Map(
    Object.keys(config.profiles).map((name) => {
      const prepared = prepareRequest(profileToRequest(config, name));
      const { request } = prepared;
      // A location profile names no account, so its answers carry no AccountId.
      const accountId = request.operation === 'GetTemporaryDataLocationCredentials' ? undefined : accountIdFromTableArn(request.tableArn);
      return [name, { prepared, accountId }];
    }),
  );
}
