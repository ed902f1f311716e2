import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLfcs } from '../../support/spawn-lfcs.js';
import { ORDERS_ARN, startStack, type Stack, type VendedRecord } from '../../support/stack.js';

/** `lfcs status` as a user runs it: the built CLI against a running sidecar (listing with the token, readiness from the admin listener). */

/** A 127.0.0.1 port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { prewarm: { enabled: true } } });
  await stack.sidecar.prewarmed();
});
afterAll(async () => {
  await stack?.close();
});

const statusArgs = () => [
  'status',
  '--url',
  stack.sidecar.credentialsUrl,
  '--admin',
  stack.sidecar.adminUrl,
  '--token-file',
  stack.tokenFile,
];

describe('lfcs status', () => {
  it('prints a table of the cached entries with each profile name, and no key material', async () => {
    const { code, stdout, stderr } = await runLfcs(statusArgs());
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${stack.sidecar.credentialsUrl}: ready, 3 cached entries`);
    expect(lines[2]).toMatch(/^PROFILE\s+TABLE\s+PARTITION\s+PERMISSIONS\s+QUERY\s+REMAINING\s+LAST REFRESH\s+HITS$/);
    const rows = lines.slice(3);
    expect(rows).toHaveLength(3);
    const byProfile = new Map(rows.map((row) => [row.split(/\s+/)[0], row.split(/\s{2,}/)]));
    expect([...byProfile.keys()].sort()).toEqual(['customers', 'orders', 'orders-2024-01-01']);
    expect(byProfile.get('orders-2024-01-01')).toEqual([
      'orders-2024-01-01',
      'sales.orders (123456789012)',
      '2024-01-01',
      'SELECT',
      '-',
      expect.stringMatching(/^(59|60)m\d\ds$/),
      '-',
      '0',
    ]);

    // The leases behind those rows, and every credential the emulator minted: none is printed.
    const served = await Promise.all(
      ['orders', 'orders-2024-01-01', 'customers'].map(async (name) => {
        const res = await stack.get(`/v1/credentials/${name}`);
        expect(res.status).toBe(200);
        return (await res.json()) as Record<string, string>;
      }),
    );
    const minted = await stack.emulatorJson<VendedRecord[] | { vended: VendedRecord[] }>('/_emulator/vended');
    const mintedKeys = (Array.isArray(minted) ? minted : minted.vended).map((v) => v.accessKeyId);
    expect(mintedKeys).toHaveLength(3);
    for (const secret of [...mintedKeys, ...served.flatMap((c) => [c['AccessKeyId']!, c['SecretAccessKey']!, c['Token']!]), stack.token]) {
      expect(stdout.includes(secret), `status output contains ${secret.slice(0, 8)}...`).toBe(false);
    }
  });

  it('escapes control characters in every printed field: a query id cannot drive the terminal', async () => {
    const hostile = '\x1b[2J\x1b]0;pwned\x07\rforged row\nPROFILE\u202e';
    const path = `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}&queryId=${encodeURIComponent(hostile)}`;
    const res = await stack.get(path);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const { code, stdout } = await runLfcs(statusArgs());
    expect(code).toBe(0);
    expect(stdout.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(stdout).toContain('\\x1b[2J\\x1b]0;pwned\\x07\\x0dforged row\\x0aPROFILE\\u202e');
    expect(stdout.trimEnd().split('\n')).toHaveLength(3 + 4); // title, blank, header, 4 rows: nothing forged
  });

  it('reads the token from LFCS_AUTH_TOKEN, and says so when the token is refused', async () => {
    const args = ['status', '--url', stack.sidecar.credentialsUrl, '--admin', stack.sidecar.adminUrl];
    const ok = await runLfcs(args, { LFCS_AUTH_TOKEN: stack.token });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/: ready, \d+ cached entries/);
    const refused = await runLfcs(args, { LFCS_AUTH_TOKEN: 'not-the-token-0123456789' });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('refused the token (HTTP 401)');
    expect(refused.stderr).not.toContain(stack.token);
  });

  it('exits non-zero with a clear message when the credentials listener cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { code, stdout, stderr } = await runLfcs(['status', '--url', url, '--token-file', stack.tokenFile]);
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`cannot reach the credentials listener at ${url}`);
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  });
});
