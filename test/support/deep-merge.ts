/**
 * Merges `override` into a copy of `base`: mappings key by key, lists and
 * scalars replaced (as the configuration layers merge). With `nullDeletes`,
 * a `null` removes the key, as Helm coalesces values files.
 */
export function deepMerge<T extends Record<string, unknown>>(
  base: T,
  override: Record<string, unknown>,
  options: { nullDeletes?: boolean } = {},
): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    if (value === null && options.nullDeletes) delete out[key];
    else out[key] = isMapping(current) && isMapping(value) ? deepMerge(current, value, options) : value;
  }
  return out as T;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
