import { REDACTED } from './problems.js';
import type { Config } from './schema.js';

/** The configuration as it may be printed: `auth.token` replaced by `"<redacted>"`. */
export type RedactedConfig = Omit<Config, 'auth'> & { auth: { tokenFile?: string; token?: typeof REDACTED } };

/**
 * A deep copy of `config` safe to print (`lfcs config check`, the start-up
 * log): every secret is replaced by `"<redacted>"`. The only secret field is
 * `auth.token`; it is shown as set or absent, never by value.
 */
export function redactConfig(config: Config): RedactedConfig {
  const copy = structuredClone(config) as RedactedConfig & { auth: { token?: string } };
  if (copy.auth.token !== undefined) copy.auth.token = REDACTED;
  return copy;
}
