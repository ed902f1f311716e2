import type { Logger } from 'pino';
import { configWarnings, loadConfig, requireAuthSource, type Config, type ConfigOverrides } from '../config/index.js';
import { createLogger } from '../observability/logger.js';
import { startSidecar, type RunningSidecar, type SidecarInit } from '../sidecar/sidecar.js';
import { heapReport } from './reexec.js';
import { exitOnSignals } from './signals.js';
import { packageVersion } from './version.js';

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
    const target = (overrides[section] ??= {}) as Record<string, unknown>;
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

/** Starts the sidecar, logs where it listens, and stops it gracefully on SIGTERM/SIGINT. */
export async function runSidecar(
  config: Config,
  extra: Partial<Omit<SidecarInit, 'config' | 'logger' | 'version'>> = {},
  logger: Logger = createLogger({ level: config.log.level }),
): Promise<RunningSidecar> {
  const heap = heapReport();
  for (const warning of [...configWarnings(config), ...(heap.warning ? [heap.warning] : [])]) logger.warn(warning);
  const starting = startSidecar({ config, logger, version: packageVersion(), ...extra });
  // Handlers first, so a SIGTERM during start-up still ends in a graceful stop.
  exitOnSignals(logger, config.shutdown.graceSeconds * 1000, () => starting.then((sidecar) => sidecar.shutdown()));
  const sidecar = await starting;
  logger.info(
    {
      credentials: sidecar.credentialsUrl,
      admin: sidecar.adminUrl,
      ...(sidecar.lakeformationApiUrl !== undefined && { lakeformationApi: sidecar.lakeformationApiUrl }),
      mode: config.mode,
      ...(config.mode === 'agent'
        ? { node: config.agent.nodeName, bindings: config.agent.bindings.length }
        : { tokenFile: sidecar.tokenFile }),
      profiles: Object.keys(config.profiles),
      dynamic: config.dynamic.enabled,
      v8: heap.report,
    },
    'lfcs listening',
  );
  return sidecar;
}
