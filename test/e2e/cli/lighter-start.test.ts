/**
 * A plain sidecar start loads only what its configuration uses: not the
 * emulator, not jose and the service-account verifier (agent mode only), not
 * the SDK's credential providers (upstream.assumeRole only). And the process
 * that re-executes with the V8 heap options decides them before it loads the
 * command line parser or the configuration schema. The ES module loader's own
 * hook (test/support/module-trace) lists every module each process loaded up
 * to "lfcs listening", in order.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ORDERS_ARN } from '../../support/demo.js';
import { serveLfcs } from '../../support/spawn-lfcs.js';

const dir = mkdtempSync(join(tmpdir(), 'lfcs-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const register = new URL('../../support/module-trace/register.mjs', import.meta.url).pathname;

/** Starts a plain sidecar with the module trace on; the modules it loaded, in order, across its re-execution. */
async function tracedStart(name: string): Promise<string[]> {
  const trace = join(dir, name);
  const lfcs = await serveLfcs(
    {
      upstream: { endpoint: 'http://127.0.0.1:9' },
      prewarm: { enabled: false },
      profiles: { orders: { tableArn: ORDERS_ARN } },
    },
    { NODE_OPTIONS: `--import ${register}`, MODULE_TRACE_FILE: trace },
  );
  await lfcs.close();
  return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
}

describe('a plain sidecar start', () => {
  it('loads neither the emulator nor jose, the verifier or the credential providers', async () => {
    const loaded = await tracedStart('sidecar.txt');
    // The trace works: the composition root and the Lake Formation client are in it.
    expect(loaded.some((url) => url.endsWith('/dist/sidecar/sidecar.js'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/@aws-sdk/client-lakeformation/'))).toBe(true);
    const unwanted = loaded.filter((url) =>
      [
        '/dist/emulator/',
        '/node_modules/jose/',
        '/dist/identity/service-account-verifier.js',
        '/node_modules/@aws-sdk/credential-providers/',
      ].some((part) => url.includes(part)),
    );
    expect(unwanted).toEqual([]);
  });

  it('re-executes with its heap options before it loads commander, zod or the configuration schema', async () => {
    const loaded = await tracedStart('reexec.txt');
    // No heap flags given here: lfcs runs main.js twice, the second time with its own options.
    const entries = loaded.flatMap((url, index) => (url.endsWith('/dist/cli/main.js') ? [index] : []));
    expect(entries).toHaveLength(2);
    const beforeReexec = loaded.slice(0, entries[1]);
    const afterReexec = loaded.slice(entries[1]);
    const heavy = [
      '/node_modules/commander/',
      '/node_modules/zod/',
      '/dist/config/schema.js',
      '/node_modules/express/',
      '/node_modules/@aws-sdk/',
    ];
    expect(beforeReexec.filter((url) => heavy.some((part) => url.includes(part)))).toEqual([]);
    // The trace works: the re-executed process loads them.
    for (const part of heavy)
      expect(
        afterReexec.some((url) => url.includes(part)),
        part,
      ).toBe(true);
  });
});
