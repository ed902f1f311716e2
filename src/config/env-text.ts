/**
 * How an `LFCS_*` variable is named and how its text becomes a value: the one
 * definition of each, apart from `env.ts` (which derives the variables from
 * the schema) so that the start-up path that sizes the V8 heap reads
 * `LFCS_CONFIG` and `LFCS_CACHE_MAX_ENTRIES` without loading zod and the
 * schema (src/cli/early-config.ts).
 */

/** Names the config file when `loadConfig` is not given `file`. */
export const CONFIG_FILE_VARIABLE = 'LFCS_CONFIG';

/** How a variable's text becomes a value. `list` is comma-separated; `secret` is taken verbatim and never echoed. */
export type EnvKind = 'string' | 'secret' | 'integer' | 'number' | 'boolean' | 'list';

const screamingSnake = (camel: string) => camel.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();

/**
 * The variable of a field: `LFCS_<SECTION>_<FIELD>` in SCREAMING_SNAKE_CASE
 * (`cache.minServeSeconds` is `LFCS_CACHE_MIN_SERVE_SECONDS`), a top-level
 * field as `LFCS_<FIELD>`.
 */
export function envVariableName(path: readonly string[]): string {
  return `LFCS_${path.map(screamingSnake).join('_')}`;
}

export type ParseResult = { ok: true; value: unknown } | { ok: false };

/** Parses a variable's text strictly: `abc`, `12abc` or `0x10` for an integer is `{ ok: false }`, never a silent default. */
export function parseEnvText(kind: EnvKind, text: string): ParseResult {
  const trimmed = text.trim();
  switch (kind) {
    case 'string':
    case 'secret':
      return { ok: true, value: text };
    case 'integer':
      // Decimal digits only: Number() would also take "0x10", "1e3" and " ".
      return /^[+-]?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed)) ? { ok: true, value: Number(trimmed) } : { ok: false };
    case 'number':
      return /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/.test(trimmed) ? { ok: true, value: Number(trimmed) } : { ok: false };
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower === 'true' || lower === '1') return { ok: true, value: true };
      if (lower === 'false' || lower === '0') return { ok: true, value: false };
      return { ok: false };
    }
    case 'list':
      return {
        ok: true,
        value: text
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== ''),
      };
  }
}
