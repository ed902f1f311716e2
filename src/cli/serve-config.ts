import { loadConfig, requireAuthSource, type Config, type ConfigOverrides } from '../config/index.js';

// Apart from serve.ts so that reading the configuration, which decides the V8
// heap options lfcs may re-execute with, does not load the whole sidecar first.

/** Flags shared by `lfcs serve` and `lfcs demo`. */
export interface ServeFlags {
  config?: string;
  host?: string;
  port?: number;
  adminHost?: string;
  adminPort?: number;
  tokenFile?: string;
  region?: string;
  endpoint?: string;
  logLevel?: string;
  unsafeAllowNonLoopback?: boolean;
}

/** Flags become the highest-precedence layer of configuration. */
export function flagsToOverrides(flags: ServeFlags): ConfigOverrides {
  const overrides: Record<string, Record<string, unknown> | string> = {};
  const set = (section: string, key: string, value: unknown) => {
    if (value === undefined) return;
    overrides[section] ??= {};
    const target = overrides[section] as Record<string, unknown>;
    target[key] = value;
  };
  if (flags.region !== undefined) overrides['region'] = flags.region;
  set('listen', 'host', flags.host);
  set('listen', 'port', flags.port);
  set('listen', 'allowNonLoopback', flags.unsafeAllowNonLoopback ? true : undefined);
  set('admin', 'host', flags.adminHost);
  set('admin', 'port', flags.adminPort);
  set('auth', 'tokenFile', flags.tokenFile);
  set('upstream', 'endpoint', flags.endpoint);
  set('log', 'level', flags.logLevel);
  return overrides as ConfigOverrides;
}

/** Loads the configuration the way `serve` does: file < LFCS_* env < flags. */
export async function loadServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<Config> {
  const config = await loadConfig({
    ...(flags.config !== undefined && { file: flags.config }),
    env,
    overrides: flagsToOverrides(flags),
  });
  requireAuthSource(config);
  return config;
}
