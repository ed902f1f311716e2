/**
 * A plain sidecar start loads only what its configuration uses: not the
 * emulator, not jose and the service-account verifier (agent mode only), not
 * the SDK's credential providers (upstream.assumeRole only). The ES module
 * loader's own hook (test/support/module-trace) lists every module the
 * process loaded up to "lfcs listening".
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

describe('a plain sidecar start', () => {
  it('loads neither the emulator nor jose, the verifier or the credential providers', async () => {
    const trace = join(dir, 'sidecar.txt');
    const lfcs = await serveLfcs(
      {
        upstream: { endpoint: 'http://127.0.0.1:9' },
        prewarm: { enabled: false },
        profiles: { orders: { tableArn: ORDERS_ARN } },
      },
      { NODE_OPTIONS: `--import ${register}`, MODULE_TRACE_FILE: trace },
    );
    await lfcs.close();
    const loaded = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
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
});
