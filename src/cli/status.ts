import { readFileSync } from 'node:fs';

/** One row of `GET /v1/cache` (credentials listener), as `lfcs status` prints it. */
interface EntryRow {
  label?: string;
  operation?: string;
  tableArn?: string;
  dataLocations?: string[];
  missingDataLocations?: string[];
  partitionValues?: string[];
  permissions?: string[];
  queryId?: string;
  remainingSeconds?: number;
  lastRefreshAt?: string;
  lastRefreshOutcome?: string;
  hits?: number;
}

/** Where `lfcs status` reads from. */
export interface StatusTarget {
  /** Credentials listener: `GET /v1/cache` is there, behind the token. */
  credentialsUrl: string;
  /** Admin listener, for `/readyz`. */
  adminUrl: string;
  /** The token clients send as `Authorization`. */
  token: string;
  /** Entries to list (the listener caps it). */
  limit?: number;
}

/** Fetches the cache listing from the credentials listener (with the token) and renders it as a table. */
export async function renderStatus(target: StatusTarget, fetchImpl: typeof fetch = fetch): Promise<string> {
  const base = target.credentialsUrl.replace(/\/+$/, '');
  const admin = target.adminUrl.replace(/\/+$/, '');
  const url = `${base}/v1/cache${target.limit !== undefined ? `?limit=${target.limit}` : ''}`;
  const response = await fetchImpl(url, {
    headers: { Authorization: target.token },
    signal: AbortSignal.timeout(5000),
  }).catch((err: unknown) => {
    throw new Error(`cannot reach the credentials listener at ${base} (${reachFailure(err)}); is the sidecar running, and is --url right?`);
  });
  if (response.status === 401) throw new Error(`${base}/v1/cache refused the token (HTTP 401); check --token-file or LFCS_AUTH_TOKEN`);
  if (!response.ok) {
    // The listener's own reason (agent mode, say, lists no cache), made printable.
    const reason = await response
      .json()
      .then((e) => {
        const message = (e as { message?: unknown } | null)?.message;
        return typeof message === 'string' ? `: ${printable(message)}` : '';
      })
      .catch(() => '');
    throw new Error(`${base}/v1/cache answered HTTP ${response.status}${reason}`);
  }
  const body = (await response.json()) as { count?: number; entries: EntryRow[] };
  const ready = await fetchImpl(`${admin}/readyz`, { signal: AbortSignal.timeout(5000) })
    .then((r) => (r.ok ? 'ready' : `not ready (HTTP ${r.status})`))
    .catch(() => 'unknown');
  const rows = body.entries.map((e) =>
    [
      // Every field can hold text a token holder chose (a query id, a partition value...).
      e.label ?? labelOf(e.operation),
      e.dataLocations ? e.dataLocations.join(',') : shortTable(e.tableArn),
      e.partitionValues?.join('/') ?? '-',
      e.permissions?.join(',') ?? '-',
      e.queryId ?? '-',
      formatDuration(e.remainingSeconds),
      e.lastRefreshAt ? `${e.lastRefreshAt.replace(/\.\d+Z$/, 'Z')} ${e.lastRefreshOutcome ?? ''}`.trim() : '-',
      String(e.hits ?? 0),
    ].map(printable),
  );
  const header = ['PROFILE', 'TABLE', 'PARTITION', 'PERMISSIONS', 'QUERY', 'REMAINING', 'LAST REFRESH', 'HITS'];
  const total = typeof body.count === 'number' ? body.count : rows.length;
  const shown = total > rows.length ? ` (${rows.length} shown)` : '';
  const lines = [printable(`${base}: ${ready}, ${total} cached ${total === 1 ? 'entry' : 'entries'}${shown}`), ''];
  lines.push(...table([header, ...rows]));
  // Honest coverage: a location lease that Lake Formation granted for fewer locations than asked names them.
  for (const e of body.entries) {
    if (e.missingDataLocations && e.missingDataLocations.length > 0) {
      lines.push(printable(`${e.label ?? 'locations'}: not granted by Lake Formation: ${e.missingDataLocations.join(', ')}`));
    }
  }
  return lines.join('\n');
}

/**
 * Why a fetch failed, in words a user can act on. undici's own message is
 * just "fetch failed"; the reason (ECONNREFUSED, a timeout, a bad URL) is in
 * its cause.
 */
function reachFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'no answer within 5 s';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

function labelOf(operation: string | undefined): string {
  if (operation === 'GetTemporaryGluePartitionCredentials') return 'partition';
  if (operation === 'GetTemporaryDataLocationCredentials') return 'locations';
  return 'table';
}

/**
 * `text` with every control character escaped (C0, DEL, C1, line and
 * paragraph separators, bidirectional overrides), so nothing printed can move
 * the cursor, clear the screen, set the terminal title or forge table rows.
 */
export function printable(text: string): string {
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function shortTable(arn: string | undefined): string {
  if (!arn) return '-';
  const match = /:(\d{12}):table\/(.+)$/.exec(arn);
  return match ? `${match[2]!.replace('/', '.')} (${match[1]})` : arn;
}

function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '-';
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * The token `lfcs status` sends: the file named by `--token-file`, else
 * `LFCS_AUTH_TOKEN_FILE`, else `LFCS_AUTH_TOKEN`, else the file a client
 * would use (`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`).
 */
export function statusToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv): string {
  const file =
    tokenFile ?? env['LFCS_AUTH_TOKEN_FILE'] ?? (env['LFCS_AUTH_TOKEN'] ? undefined : env['AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE']);
  if (file !== undefined) {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the token file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const token = env['LFCS_AUTH_TOKEN'];
  if (token) return token;
  throw new Error('lfcs status needs the token: pass --token-file, or set LFCS_AUTH_TOKEN or AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
}
