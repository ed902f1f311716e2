/**
 * lfcs applies its own V8 heap options however it is started: `node
 * dist/cli/main.js serve` here, with no chart and no NODE_OPTIONS, runs with
 * the bounds src/cli/v8-options.ts derives from cache.maxEntries and this
 * machine's cgroup; a user's own NODE_OPTIONS wins; and a cache filled to
 * maxEntries through the real dynamic route stays within the bound.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveV8Options, readMemoryLimit, v8Flags } from '../../../src/cli/v8-options.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';
import { LFCS_BIN, serveLfcs, type ServedLfcs } from '../../support/spawn-lfcs.js';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';

let emulator: RunningEmulator;
const running = new Set<ServedLfcs>();

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  for (const lfcs of running) await lfcs.close();
  await emulator.close();
});

async function serve(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<ServedLfcs> {
  const lfcs = await serveLfcs({ upstream: { endpoint: emulator.url }, prewarm: { enabled: false }, ...config }, env);
  running.add(lfcs);
  return lfcs;
}

async function stop(lfcs: ServedLfcs): Promise<void> {
  await lfcs.close();
  running.delete(lfcs);
}

interface HeapReport {
  heapSizeLimitMi: number;
  flags: string[];
  source: string;
  neededOldSpaceMi: number;
  memoryLimitMi?: number;
}
const heapOf = (lfcs: ServedLfcs) => lfcs.listening['v8'] as HeapReport;

/** PIDs of processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false; // ended while we looked
      }
    })
    .map(Number);
}

describe('lfcs serve started without the chart', () => {
  it('runs with the V8 options it derives from cache.maxEntries and the memory limit', async () => {
    const maxEntries = 25_000;
    const lfcs = await serve({ cache: { maxEntries } });
    const expected = deriveV8Options({ maxEntries, memoryLimitBytes: readMemoryLimit() });
    const heap = heapOf(lfcs);
    expect(heap.source).toBe('lfcs');
    expect(heap.flags).toEqual(v8Flags(expected));
    expect(heap.neededOldSpaceMi).toBe(expected.neededOldSpaceMi);
    // V8's own figure: the old-space bound plus the young generation's few MiB.
    expect(heap.heapSizeLimitMi).toBeGreaterThanOrEqual(expected.maxOldSpaceSizeMi);
    expect(heap.heapSizeLimitMi).toBeLessThan(expected.maxOldSpaceSizeMi + 16);
    await stop(lfcs);
  });

  it("keeps a user's NODE_OPTIONS heap bound, and adds only the flag the user did not set", async () => {
    const lfcs = await serve({}, { NODE_OPTIONS: '--max-old-space-size=300' });
    const heap = heapOf(lfcs);
    expect(heap.source).toBe('user');
    expect(heap.flags).toEqual(['--max-semi-space-size=1', '--no-allocation-site-pretenuring']);
    expect(heap.heapSizeLimitMi).toBeGreaterThanOrEqual(300);
    expect(heap.heapSizeLimitMi).toBeLessThan(316);
    await stop(lfcs);
  });

  it('leaves no process behind when killed by its PID', async () => {
    const lfcs = await serve({});
    const marker = lfcs.dir;
    expect(processesMentioning(marker).length).toBeGreaterThan(0);
    await stop(lfcs); // SIGKILL to the PID the test started
    // Where Node cannot re-execute in place, the serving child notices its parent's end.
    for (let i = 0; i < 100 && processesMentioning(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(processesMentioning(marker)).toEqual([]);
  });
});

describe('a terminal Ctrl-C (SIGINT to the whole process group)', () => {
  it('stops lfcs once and gracefully, whether it re-executed in place or as a child', async () => {
    // The configuration serveLfcs writes, in a directory of this test's own.
    const lfcs = await serve({ shutdown: { drainSeconds: 0, graceSeconds: 5 } });
    const dir = mkdtempSync(join(tmpdir(), 'lfcs-group-'));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      readFileSync(join(lfcs.dir, 'config.yaml'), 'utf8').replace(/tokenFile: .*/, `tokenFile: ${join(dir, 'token')}`),
    );
    await stop(lfcs);
    // A process group of its own, as a shell gives a foreground job.
    const child = spawn(process.execPath, [LFCS_BIN, 'serve', '--config', configFile], {
      detached: true,
      env: {
        PATH: process.env['PATH'],
        AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    try {
      for (let i = 0; i < 300 && !out.includes('"lfcs listening"'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('"lfcs listening"');
      process.kill(-child.pid!, 'SIGINT');
      expect(await exited).toBe(0);
      expect(out).toContain('"msg":"stopped"');
      expect(out).not.toContain('second signal');
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a full cache under the derived bound', () => {
  it('fills to cache.maxEntries through the dynamic route without running out of heap', { timeout: 120_000 }, async () => {
    const maxEntries = 2_000;
    const lfcs = await serve({
      cache: { maxEntries },
      dynamic: { enabled: true, allowedTables: [ORDERS_ARN] },
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      upstream: { endpoint: emulator.url, ratePerSecond: 1_000_000, burst: 1_000_000, maxConcurrency: 32, maxQueuedCalls: 100_000 },
    });
    const credentialsUrl = lfcs.listening['credentials'] as string;
    const adminUrl = lfcs.listening['admin'] as string;
    const token = lfcs.token();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const statuses: Record<number, number> = {};
    let next = 0;
    const worker = async () => {
      // One more than fits: the cache evicts and stays full.
      while (next <= maxEntries) {
        const url = `${credentialsUrl}/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=fill-${next++}`;
        const status = await new Promise<number>((resolve) => {
          http
            .get(url, { agent, headers: { authorization: token } }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)))
            .on('error', () => resolve(0));
        });
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    expect(statuses).toEqual({ 200: maxEntries + 1 });
    const metrics = await (await fetch(`${adminUrl}/metrics`)).text();
    expect(Number(/^lfcs_cache_entries(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1])).toBe(maxEntries);
    // Still alive and serving, with the bound it started with.
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    expect(heapOf(lfcs).flags).toEqual(v8Flags(deriveV8Options({ maxEntries, memoryLimitBytes: readMemoryLimit() })));
    expect(lfcs.stderr()).not.toMatch(/heap out of memory|Allocation failed/);
    await stop(lfcs);
  });
});
