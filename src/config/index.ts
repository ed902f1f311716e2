/**
 * Configuration: read once at start from a YAML file, `LFCS_*` environment
 * variables and command-line flags (in increasing precedence), validated
 * against one schema with every problem reported together, then frozen.
 */
export { loadConfig, parseConfig, type LoadConfigInput } from './load.js';
export { requireAuthSource } from './validate.js';
export { ConfigError, formatProblem, REDACTED, type ConfigProblem } from './problems.js';
export {
  configSchema,
  LOG_LEVELS,
  PROFILE_NAME_PATTERN,
  type Config,
  type ConfigInput,
  type ConfigOverrides,
  type DeepPartial,
  type LogLevel,
  type ProfileConfig,
} from './schema.js';
export {
  CONFIG_FILE_VARIABLE,
  ENV_VARIABLES,
  envToOverrides,
  readEnvironment,
  type EnvironmentLayer,
  type EnvVariable,
} from './env.js';
export { redactConfig, type RedactedConfig } from './redact.js';
export { findProfile, profileToRequest } from './profiles.js';
export { CLIENT_REFRESH_WINDOW_SECONDS, configWarnings, shortLeaseWarnings } from './warnings.js';
export {
  isTableArn,
  isTablePattern,
  matchesAllowedTable,
  parseTableArn,
  TABLE_ARN_PATTERN,
  type TableArnParts,
} from '../lakeformation/table-arn.js';
export { isLoopbackHost } from '../core/hosts.js';
