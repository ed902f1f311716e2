import { loadConfig } from '../config/index.js';
import { packageFile } from './version.js';

/** The demo's configuration file, shipped in the package. */
export const DEMO_CONFIG_FILE = 'examples/config.yaml';

/** `cache.maxEntries` of the demo's configuration, for its heap options before the emulator starts. */
export async function demoCacheMaxEntries(): Promise<number> {
  // The demo is self-contained: LFCS_* variables meant for a real deployment do not apply.
  return (await loadConfig({ file: packageFile(DEMO_CONFIG_FILE), env: {} })).cache.maxEntries;
}
