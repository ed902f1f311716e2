import type { Logger } from 'pino';
import { configWarnings, type Config } from '../config/index.js';
import { createLogger } from '../observability/logger.js';
import { startSidecar, type RunningSidecar, type SidecarInit } from '../sidecar/sidecar.js';
import { flushCompileCache } from './compile-cache.js';
import { heapReport } from './reexec.js';
import { exitOnSignals } from './signals.js';
import { packageVersion } from './version.js';

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
  // Everything the hot start needs has loaded: keep its compiled code for the next start.
  flushCompileCache();
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
