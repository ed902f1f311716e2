/**
 * The Lake Formation API listener's rule for callers that keep a lease for a
 * fixed time whatever its `Expiration`.
 *
 * AWS's per-prefix S3 plugin for the Java SDK v2
 * (`aws-lakeformation-accessgrants-java-plugin`, "aws-lakeformation-accessgrants-plugin-java-v2")
 * calls `GetTemporaryDataLocationCredentials` without `DurationSeconds` and
 * keeps each answer for a fixed {@link ACCESS_GRANTS_PLUGIN_CACHE_SECONDS}.
 * Behind this listener, a cached lease served with less life left than that
 * would sign S3 requests after it expired. So a data-location request without
 * `DurationSeconds`:
 * - is sent to Lake Formation asking for {@link UNDATED_LEASE_DURATION_SECONDS};
 * - is answered from the cache only with more than
 *   {@link UNDATED_MIN_REMAINING_SECONDS} left, otherwise with a fresh lease
 *   (served whatever Lake Formation granted: nothing longer exists).
 *
 * The table and partition operations, and any request that names its
 * `DurationSeconds`, are served as before: their known callers (Iceberg's
 * `LakeFormationAwsClientFactory`, engines, the SDKs' credential providers)
 * read `Expiration`.
 */
import type { GetOptions } from '../cache/index.js';
import type { CredentialRequest } from '../lakeformation/types.js';

/**
 * How long the plugin keeps an answer: 90 % (`CACHE_EXPIRATION_TIME_PERCENTAGE`)
 * of the one hour it assumes (`GET_DATA_ACCESS_DURATION`), as a Caffeine
 * `expireAfterWrite` in its `AccessGrantsCache` (1.2 to 1.4.3), whatever the
 * answer's `Expiration`. test/e2e/lakeformation-plugin reads it from the
 * plugin jar and checks it against this value.
 */
export const ACCESS_GRANTS_PLUGIN_CACHE_SECONDS = 3240;

/**
 * Life a served lease keeps beyond the plugin's cache period: S3 checks expiry
 * on its own clock (skew between hosts), and the plugin stores the answer a
 * moment after lfcs computed its remaining life.
 */
export const PLUGIN_EXPIRY_MARGIN_SECONDS = 60;

/** A request without `DurationSeconds` is answered from the cache only with more than this left. */
export const UNDATED_MIN_REMAINING_SECONDS = ACCESS_GRANTS_PLUGIN_CACHE_SECONDS + PLUGIN_EXPIRY_MARGIN_SECONDS;

/**
 * The lease asked for on behalf of a request without `DurationSeconds`: two
 * hours, so a cached lease can answer such requests for its first 3,900 s
 * (7,200 − 3,300), longer than the plugin's own 3,240 s between calls, and a
 * location costs about one Lake Formation call an hour, as on the other
 * routes. With the service's default (one hour, assumed) a lease could answer
 * them for 300 s only, and nearly every call would reach Lake Formation.
 */
export const UNDATED_LEASE_DURATION_SECONDS = 7200;

/** The request lfcs serves, and the cache option that keeps its answer long-lived enough. */
export interface PluginLeaseRule {
  request: CredentialRequest;
  options: Pick<GetOptions, 'minRemainingSeconds'>;
}

/** The rule above, for one parsed Lake Formation API request. */
export function pluginLeaseRule(request: CredentialRequest): PluginLeaseRule {
  if (request.operation !== 'GetTemporaryDataLocationCredentials' || request.durationSeconds !== undefined) {
    return { request, options: {} };
  }
  return {
    request: { ...request, durationSeconds: UNDATED_LEASE_DURATION_SECONDS },
    options: { minRemainingSeconds: UNDATED_MIN_REMAINING_SECONDS },
  };
}
