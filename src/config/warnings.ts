/**
 * Start-up warnings: settings that are valid but work against the clients'
 * refresh schedules, or are probably not what was meant. The caller logs them.
 */
import { effectiveThresholds } from '../cache/settings.js';
import { findProfile } from './profiles.js';
import type { Config } from './schema.js';
import { parseTableArn } from '../lakeformation/table-arn.js';
import { POD_IDENTITY_AGENT_HOSTS } from '../identity/settings.js';

/**
 * botocore and Java start re-fetching at 15 min left; a credential served
 * with this much or less left makes them call the sidecar on nearly every API call.
 */
export const CLIENT_REFRESH_WINDOW_SECONDS = 900;

/**
 * The shortest lease whose (scaled) `minServeSeconds` stays above the
 * clients' 15 min window, or `undefined` if none does. The cache scales its
 * thresholds by `lifetime / (2 * refreshBeforeExpirySeconds)` for short leases.
 */
function shortestComfortableLease(cache: Config['cache']): number | undefined {
  if (cache.minServeSeconds <= CLIENT_REFRESH_WINDOW_SECONDS) return undefined;
  const needed = Math.floor((CLIENT_REFRESH_WINDOW_SECONDS * 2 * cache.refreshBeforeExpirySeconds) / cache.minServeSeconds) + 1;
  return Math.min(needed, 2 * cache.refreshBeforeExpirySeconds);
}

function leaseWarning(field: string, duration: number, cache: Config['cache']): string | undefined {
  const thresholds = effectiveThresholds(duration, cache);
  if (thresholds.minServeSeconds > CLIENT_REFRESH_WINDOW_SECONDS) return undefined;
  const shortest = shortestComfortableLease(cache);
  return (
    `${field} is ${duration} s: for leases this short the cache scales its thresholds down ` +
    `(refresh from ${Math.round(thresholds.refreshBeforeSeconds)} s left, served down to ` +
    `${Math.round(thresholds.minServeSeconds)} s left), so clients get credentials with 15 min or less left and ` +
    'botocore and Java will re-fetch on nearly every call' +
    (shortest === undefined ? '' : `; ${shortest} s or more avoids this (3600 is what consumers assume)`)
  );
}

/**
 * Warnings for lease settings that cause refresh storms: `cache.minServeSeconds`
 * at or below 15 min, and `defaults.durationSeconds` (which also applies to
 * dynamic requests) or any profile's own `durationSeconds` short enough that
 * the cache's scaled thresholds serve credentials with 15 min or less left
 * (3375 s or less with the default cache settings). Lake Formation may still
 * grant less than requested; that is the cache's business at run time.
 */
export function shortLeaseWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.cache.minServeSeconds <= CLIENT_REFRESH_WINDOW_SECONDS) {
    warnings.push(
      `cache.minServeSeconds is ${config.cache.minServeSeconds} s: credentials are served with down to that much ` +
        'left, within the 15 min at which botocore and Java re-fetch on nearly every call; 960 or more avoids this',
    );
    // Every lease has the same problem then; one warning says it.
    return warnings;
  }
  const fromDefaults = leaseWarning('defaults.durationSeconds', config.defaults.durationSeconds, config.cache);
  if (fromDefaults) {
    warnings.push(`${fromDefaults} (applies to profiles without their own durationSeconds and to dynamic requests)`);
  }
  for (const name of Object.keys(config.profiles)) {
    const duration = findProfile(config, name)?.durationSeconds;
    if (duration === undefined) continue;
    const warning = leaseWarning(`profiles.${name}.durationSeconds`, duration, config.cache);
    if (warning) warnings.push(warning);
  }
  return warnings;
}

/**
 * Every start-up warning: `shortLeaseWarnings`, plus profiles whose table is
 * in another region than `region` (Lake Formation vends only for tables in its
 * own region's catalog, so such a profile would always fail).
 */
export function configWarnings(config: Config): string[] {
  const warnings = shortLeaseWarnings(config);
  for (const name of Object.keys(config.profiles)) {
    const arn = findProfile(config, name)?.tableArn;
    const parts = arn === undefined ? undefined : parseTableArn(arn);
    if (parts && parts.region !== config.region) {
      warnings.push(
        `profiles.${name}.tableArn is in region ${parts.region}, but region is ${config.region}: ` +
          'Lake Formation there will not find the table',
      );
    }
  }
  if (config.mode === 'agent') warnings.push(...agentWarnings(config));
  return warnings;
}

function agentWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.agent.bindings.length === 0) {
    warnings.push('agent mode with no agent.bindings: every pod is refused (403) until a binding names what it may use');
  }
  if ((POD_IDENTITY_AGENT_HOSTS as readonly string[]).includes(config.agent.host)) {
    warnings.push(
      `agent.host ${config.agent.host} is the EKS Pod Identity Agent's address: where that add-on runs, one of the two cannot listen; ` +
        '169.254.170.2 avoids the clash',
    );
  }
  if (config.auth.token !== undefined || config.auth.tokenFile !== undefined) {
    warnings.push('auth.* is not used in agent mode: each pod authenticates with its projected service-account token');
  }
  // Requests that leave a field out ask for defaults.*: a binding narrower than that refuses them.
  const d = config.defaults;
  config.agent.bindings.forEach((binding, index) => {
    const narrower: string[] = [];
    if (binding.maxDurationSeconds !== undefined && binding.maxDurationSeconds < d.durationSeconds) narrower.push('maxDurationSeconds');
    if (binding.permissions && !d.permissions.every((p) => binding.permissions!.includes(p))) narrower.push('permissions');
    if (binding.supportedPermissionTypes && !d.supportedPermissionTypes.every((t) => binding.supportedPermissionTypes!.includes(t))) {
      narrower.push('supportedPermissionTypes');
    }
    if (binding.credentialsScope === 'READ' && d.credentialsScope === 'READWRITE') narrower.push('credentialsScope');
    if (narrower.length > 0 && (binding.tables.length > 0 || binding.locations.length > 0)) {
      warnings.push(
        `agent.bindings[${index}] allows less than defaults.* in ${narrower.join(', ')}: its requests that leave those out ask for the defaults and are refused (403)`,
      );
    }
  });
  const bound = new Set(config.agent.bindings.flatMap((binding) => binding.profiles));
  const unbound = Object.keys(config.profiles).filter((name) => !bound.has(name));
  if (unbound.length > 0) {
    warnings.push(`profiles that no agent.bindings entry lists are served to no pod: ${unbound.join(', ')}`);
  }
  return warnings;
}
