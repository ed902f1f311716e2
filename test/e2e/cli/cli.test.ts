import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LFCS_BIN } from '../../support/spawn-lfcs.js';

const execFileAsync = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'lfcs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lfcs(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [LFCS_BIN, ...args], {
      env: { PATH: process.env['PATH'], ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lfcs CLI', () => {
  it('--version prints the package version', async () => {
    const { code, stdout } = await lfcs(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--help lists every command', async () => {
    const { code, stdout } = await lfcs(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'emulator', 'demo', 'config', 'status']) expect(stdout).toContain(command);
  });

  it('serve --help describes every flag', async () => {
    const { code, stdout } = await lfcs(['serve', '--help']);
    expect(code).toBe(0);
    for (const flag of ['--config', '--port', '--admin-port', '--token-file', '--region', '--endpoint', '--log-level', '--unsafe-allow-non-loopback']) {
      expect(stdout).toContain(flag);
    }
  });

  it('an unknown command exits 2 with a clear message', async () => {
    const { code, stderr } = await lfcs(['serv']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'serv'/);
  });

  it('an unknown flag exits 2 with a clear message', async () => {
    const { code, stderr } = await lfcs(['serve', '--prot', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--prot'/);
  });

  it('a bad flag value exits 2', async () => {
    const { code, stderr } = await lfcs(['serve', '--port', 'http']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/port number/);
  });

  it('config check accepts the example configuration and prints it', async () => {
    const example = new URL('../../../examples/config.yaml', import.meta.url).pathname;
    const { code, stdout } = await lfcs(['config', 'check', example]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid');
    expect(stdout).toContain('orders-2024-01-01');
  });

  it('config check prints every configuration warning, the cross-region profile included', async () => {
    const file = join(dir, 'cross-region.yaml');
    writeFileSync(
      file,
      ['region: us-east-1', 'profiles:', '  eu:', '    tableArn: arn:aws:glue:eu-west-1:123456789012:table/sales/orders', ''].join('\n'),
    );
    const { code, stdout } = await lfcs(['config', 'check', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (1 warning(s))');
    expect(stdout).toMatch(/# warning: profiles\.eu\.tableArn is in region eu-west-1, but region is us-east-1/);
  });

  it('config reference and config schema print what the schema defines', async () => {
    const reference = await lfcs(['config', 'reference']);
    expect(reference.code).toBe(0);
    expect(reference.stdout).toMatch(/\| `cache\.minServeSeconds` \| `LFCS_CACHE_MIN_SERVE_SECONDS` \| `960` \|/);
    const schema = await lfcs(['config', 'schema']);
    expect(schema.code).toBe(0);
    const parsed = JSON.parse(schema.stdout) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(parsed.properties['cache']?.properties?.['minServeSeconds']).toMatchObject({ default: 960, type: 'integer' });
    expect(schema.stdout).not.toContain('"secret"');
  });

  it('config check names both mistakes of a file with two, and exits non-zero', async () => {
    const file = join(dir, 'two-mistakes.yaml');
    writeFileSync(
      file,
      [
        'region: us-east-1',
        'cache:',
        '  minServeSeconds: -5',
        'profiles:',
        '  orders:',
        '    tableArn: arn:aws:s3:::not-a-table',
      ].join('\n'),
    );
    const { code, stderr } = await lfcs(['config', 'check', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('cache.minServeSeconds');
    expect(stderr).toContain('-5');
    expect(stderr).toContain('profiles.orders.tableArn');
    expect(stderr).toContain('arn:aws:s3:::not-a-table');
  });

  it('config check never prints the token from LFCS_AUTH_TOKEN', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'region: us-east-1\n');
    const token = 'super-secret-token-value-0123456789';
    const { code, stdout, stderr } = await lfcs(['config', 'check', file], { LFCS_AUTH_TOKEN: token });
    expect(code).toBe(0);
    expect(stdout + stderr).not.toContain(token);
  });

  it('config check of a missing file says so', async () => {
    const { code, stderr } = await lfcs(['config', 'check', join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no such file/);
  });
});
