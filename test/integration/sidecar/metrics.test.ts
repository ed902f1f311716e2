import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { CUSTOMERS_ARN, ORDERS_ARN, startStack, type Stack } from '../../support/stack.js';

/**
 * `GET /metrics` on the admin listener after real traffic through a stack:
 * every documented metric is exported, the counters count what happened,
 * and no label (nor anything else in the body) carries an ARN, a query id,
 * the auth token or key material.
 */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Minimal Prometheus text-format parser: enough to find samples by name and labels. */
function parseSamples(body: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples match ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

const TABLE_OP = 'GetTemporaryGlueTableCredentials';
const DYNAMIC_QUERY_ID = 'q-metrics-dynamic-5d1e';
const NATIVE_QUERY_ID = 'q-metrics-native-7f3a';

let stack: Stack;
let clock: FakeClock;
const served: Array<Record<string, string>> = [];

async function metricsText(): Promise<string> {
  const res = await fetch(`${stack.sidecar.adminUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

beforeAll(async () => {
  // The emulator stamps expirations from the real time it answers at, up to seconds after this
  // line on a busy machine; a minute's head start keeps every lease's time left on this clock
  // just under its hour, whatever the start-up took.
  clock = new FakeClock(Date.now() + 60_000);
  stack = await startStack({ config: { cache: { refreshJitterSeconds: 0 } }, sidecar: { clock } });

  const ok = async (res: Response) => {
    expect(res.status).toBe(200);
    served.push((await res.json()) as Record<string, string>);
  };
  await ok(await stack.get('/v1/credentials/orders')); // miss
  await ok(await stack.get('/v1/credentials/orders')); // hit
  await ok(await stack.get(`/v1/credentials?table=${encodeURIComponent(CUSTOMERS_ARN)}&queryId=${DYNAMIC_QUERY_ID}`)); // miss
  await ok(
    await stack.post('/v1/table-credentials', {
      TableArn: ORDERS_ARN,
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      QuerySessionContext: { QueryId: NATIVE_QUERY_ID },
    }),
  ); // miss
  const unauthorized = await fetch(`${stack.sidecar.credentialsUrl}/v1/credentials/orders`, {
    headers: { Authorization: 'not-the-token' },
  });
  expect(unauthorized.status).toBe(401);
  await unauthorized.arrayBuffer();
});
afterAll(async () => {
  await stack?.close();
});

const DOCUMENTED = [
  ['lfcs_http_requests_total', 'counter'],
  ['lfcs_http_request_duration_seconds', 'histogram'],
  ['lfcs_cache_lookups_total', 'counter'],
  ['lfcs_cache_entries', 'gauge'],
  ['lfcs_upstream_requests_total', 'counter'],
  ['lfcs_upstream_request_duration_seconds', 'histogram'],
  ['lfcs_refreshes_total', 'counter'],
  ['lfcs_upstream_throttle_pauses_total', 'counter'],
  ['lfcs_served_credential_remaining_seconds', 'histogram'],
  ['lfcs_build_info', 'gauge'],
  ['lfcs_process_resident_memory_bytes', 'gauge'],
  ['lfcs_process_cpu_seconds_total', 'counter'],
  ['lfcs_nodejs_heap_size_used_bytes', 'gauge'],
] as const;

describe('GET /metrics', () => {
  it('has every labelled counter at 0 for its known label values from the start', async () => {
    const fresh = await startStack();
    try {
      const text = await (await fetch(`${fresh.sidecar.adminUrl}/metrics`)).text();
      const samples = parseSamples(text);
      const zero = (name: string, labels: Record<string, string>) =>
        expect(sampleValue(samples, name, labels), `${name} ${JSON.stringify(labels)}`).toBe(0);
      for (const outcome of ['success', 'failure', 'dropped']) zero('lfcs_refreshes_total', { outcome });
      for (const result of ['hit', 'miss', 'stale', 'coalesced', 'negative', 'backoff']) zero('lfcs_cache_lookups_total', { result });
      for (const operation of [TABLE_OP, 'GetTemporaryGluePartitionCredentials']) {
        for (const outcome of ['success', 'ThrottlingException', 'AccessDeniedException', 'UpstreamTimeout']) {
          zero('lfcs_upstream_requests_total', { operation, outcome });
        }
      }
      for (const route of ['profile', 'dynamic', 'table', 'partition', 'cache', 'unmatched']) {
        for (const code of ['200', '400', '401', '403', '404', '429', '503']) zero('lfcs_http_requests_total', { route, code });
      }
      zero('lfcs_log_lines_dropped_total', { kind: 'denied' });
      // Every labelled counter family has series before any event.
      const counters = [...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]);
      expect(counters.length).toBeGreaterThanOrEqual(5);
      for (const name of counters)
        expect(
          samples.some((s) => s.name === name),
          name,
        ).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('has HELP and TYPE for every documented metric, Node defaults included with the lfcs_ prefix', async () => {
    const body = await metricsText();
    for (const [name, type] of DOCUMENTED) {
      expect(body, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(body, name).toContain(`\n# TYPE ${name} ${type}\n`);
    }
    // Every series is ours: Node's defaults carry the prefix too.
    const unprefixed = parseSamples(body).filter((s) => !s.name.startsWith('lfcs_'));
    expect(unprefixed).toEqual([]);
  });

  it('counts requests by route and status, lookups by result, and upstream calls by operation and outcome', async () => {
    const samples = parseSamples(await metricsText());

    expect(sampleValue(samples, 'lfcs_http_requests_total', { route: 'profile', code: '200' })).toBe(2);
    expect(sampleValue(samples, 'lfcs_http_requests_total', { route: 'dynamic', code: '200' })).toBe(1);
    expect(sampleValue(samples, 'lfcs_http_requests_total', { route: 'table', code: '200' })).toBe(1);
    // A refusal is counted under the route it was sent to, not as unmatched.
    expect(sampleValue(samples, 'lfcs_http_requests_total', { route: 'profile', code: '401' })).toBe(1);
    expect(sampleValue(samples, 'lfcs_http_requests_total', { route: 'unmatched', code: '401' })).toBe(0);
    expect(sampleValue(samples, 'lfcs_http_request_duration_seconds_count', { route: 'profile' })).toBe(3); // 2 served, 1 refused
    expect(sampleValue(samples, 'lfcs_http_request_duration_seconds_bucket', { route: 'profile', le: '+Inf' })).toBe(3);

    expect(sampleValue(samples, 'lfcs_cache_lookups_total', { result: 'miss' })).toBe(3);
    expect(sampleValue(samples, 'lfcs_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(sampleValue(samples, 'lfcs_cache_entries')).toBe(3);

    expect(sampleValue(samples, 'lfcs_upstream_requests_total', { operation: TABLE_OP, outcome: 'success' })).toBe(3);
    expect(sampleValue(samples, 'lfcs_upstream_request_duration_seconds_count', { operation: TABLE_OP })).toBe(3);

    // Four answers served, each with most of its hour left (fake clock a minute ahead of the emulator).
    expect(sampleValue(samples, 'lfcs_served_credential_remaining_seconds_count')).toBe(4);
    expect(sampleValue(samples, 'lfcs_served_credential_remaining_seconds_bucket', { le: '2700' })).toBe(0);
    expect(sampleValue(samples, 'lfcs_served_credential_remaining_seconds_bucket', { le: '3600' })).toBe(4);

    expect(sampleValue(samples, 'lfcs_build_info', { version: '0.0.0-test' })).toBe(1);
    expect(sampleValue(samples, 'lfcs_process_resident_memory_bytes')).toBeGreaterThan(0);

    // No refresh has happened yet: every outcome is there, at 0.
    expect(samples.filter((s) => s.name === 'lfcs_refreshes_total').map((s) => [s.labels['outcome'], s.value])).toEqual([
      ['success', 0],
      ['failure', 0],
      ['dropped', 0],
    ]);
  });

  it('counts background refreshes once leases enter the refresh window', async () => {
    // refreshBeforeExpirySeconds 1800 on 1-hour leases, no jitter.
    await clock.advance(1900 * 1000);
    await vi.waitFor(
      async () => {
        const samples = parseSamples(await metricsText());
        expect(sampleValue(samples, 'lfcs_refreshes_total', { outcome: 'success' })).toBe(3);
      },
      { timeout: 10_000, interval: 25 },
    );
    const samples = parseSamples(await metricsText());
    expect(sampleValue(samples, 'lfcs_upstream_requests_total', { operation: TABLE_OP, outcome: 'success' })).toBe(6);
    expect(sampleValue(samples, 'lfcs_cache_entries')).toBe(3);
  });

  it('counts each pause of every upstream call after Lake Formation throttles', async () => {
    expect(sampleValue(parseSamples(await metricsText()), 'lfcs_upstream_throttle_pauses_total')).toBe(0);
    await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ throttleNext: 1 }) });
    const pending = stack.get(`/v1/credentials?table=${encodeURIComponent(CUSTOMERS_ARN)}&queryId=q-metrics-throttle-2b9c`);
    await vi.waitFor(async () => expect(sampleValue(parseSamples(await metricsText()), 'lfcs_upstream_throttle_pauses_total')).toBe(1), {
      timeout: 10_000,
      interval: 25,
    });
    await clock.advance(1000); // upstream.throttlePauseMs: the retry waits for the pause to end
    const res = await pending;
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });

  it('never carries a table ARN, query id, token or key material, in labels or anywhere else', async () => {
    const body = await metricsText();
    const labelValues = parseSamples(body).flatMap((s) => Object.values(s.labels));
    for (const value of labelValues) {
      expect(value).not.toMatch(/arn:|table\/|q-metrics|ASIA|AKIA/);
    }
    const forbidden = [
      ORDERS_ARN,
      CUSTOMERS_ARN,
      'arn:aws',
      DYNAMIC_QUERY_ID,
      NATIVE_QUERY_ID,
      stack.token,
      ...served.flatMap((c) => [c['AccessKeyId'], c['SecretAccessKey'], c['Token'] ?? c['SessionToken']]),
    ];
    expect(served).toHaveLength(4);
    for (const secret of forbidden) {
      expect(secret).toBeTruthy();
      expect(body.includes(secret!), `metrics body contains ${secret!.slice(0, 12)}...`).toBe(false);
    }
  });
});
