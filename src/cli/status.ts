/** One row of `GET /v1/cache`, as `lfcs status` prints it. */
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

/** Fetches the cache listing from the admin listener and renders it as a table. */
export async function renderStatus(adminUrl: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const base = adminUrl.replace(/\/+$/, '');
  const response = await fetchImpl(`${base}/v1/cache`, { signal: AbortSignal.timeout(5000) }).catch((err: unknown) => {
    throw new Error(`cannot reach the admin listener at ${base} (${reachFailure(err)}); is the sidecar running, and is --admin right?`);
  });
  if (!response.ok) throw new Error(`${base}/v1/cache answered HTTP ${response.status}`);
  const body = (await response.json()) as { entries: EntryRow[] };
  const ready = await fetchImpl(`${base}/readyz`, { signal: AbortSignal.timeout(5000) })
    .then((r) => (r.ok ? 'ready' : `not ready (HTTP ${r.status})`))
    .catch(() => 'unknown');
  const rows = body.entries.map((e) => [
    e.label ?? labelOf(e.operation),
    e.dataLocations ? e.dataLocations.join(',') : shortTable(e.tableArn),
    e.partitionValues?.join('/') ?? '-',
    e.permissions?.join(',') ?? '-',
    e.queryId ?? '-',
    formatDuration(e.remainingSeconds),
    e.lastRefreshAt ? `${e.lastRefreshAt.replace(/\.\d+Z$/, 'Z')} ${e.lastRefreshOutcome ?? ''}`.trim() : '-',
    String(e.hits ?? 0),
  ]);
  const header = ['PROFILE', 'TABLE', 'PARTITION', 'PERMISSIONS', 'QUERY', 'REMAINING', 'LAST REFRESH', 'HITS'];
  const lines = [`${base}: ${ready}, ${rows.length} cached ${rows.length === 1 ? 'entry' : 'entries'}`, ''];
  lines.push(...table([header, ...rows]));
  // Honest coverage: a location lease that Lake Formation granted for fewer locations than asked names them.
  for (const e of body.entries) {
    if (e.missingDataLocations && e.missingDataLocations.length > 0) {
      lines.push(`${e.label ?? 'locations'}: not granted by Lake Formation: ${e.missingDataLocations.join(', ')}`);
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
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}
