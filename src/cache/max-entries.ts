/**
 * `cache.maxEntries`: its range and default, the one definition of each.
 * Apart from `settings.ts` (which builds the schema field from it) so that the
 * start-up path that sizes the V8 heap from `cache.maxEntries` reads them
 * without loading zod and the configuration schema (src/cli/early-config.ts).
 */
export const MAX_ENTRIES = { min: 1, max: 1_000_000, default: 10_000 } as const;
