/** The credential cache: refresh-ahead, single-flight, quota-protected leases. */
export { CredentialCache } from './credential-cache.js';
export { cacheKey, prepareRequest, type PreparedRequest } from './cache-key.js';
export {
  CACHE_DEFAULTS,
  cacheSettingsSchema,
  effectiveThresholds,
  type CacheSettings,
  type EffectiveThresholds,
} from './settings.js';
export type { CacheEntrySummary } from './summary.js';
export type { FetchOptions, FetchPriority, Upstream, UpstreamCallEvent } from '../upstream/caller.js';
export type { CacheHooks, CredentialCacheOptions, GetOptions, LookupResult, ServedCredentials } from './types.js';
