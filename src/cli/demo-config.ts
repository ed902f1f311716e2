import { packageFile } from './version.js';

/** The demo's configuration file, shipped in the package. */
export const DEMO_CONFIG_FILE = 'examples/config.yaml';

/** `cache.maxEntries` of the demo's configuration, for its heap options before the emulator starts. */
export async function demoCacheMaxEntries(): Promise<number> {
  // Loaded here, not at the top: early-config.ts reads DEMO_CONFIG_FILE before zod and the schema load.
  const { loadConfig } = await import('../config/index.js');
  // The demo is self-contained: LFCS_* variables meant for a real deployment do not apply.
  return (await loadConfig({ file: packageFile(DEMO_CONFIG_FILE), env: {} })).cache.maxEntries;
}
