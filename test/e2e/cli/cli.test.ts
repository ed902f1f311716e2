import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLfcs } from '../../support/spawn-lfcs.js';

const dir = mkdtempSync(join(tmpdir(), 'lfcs-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lfcs CLI', () => {
  it('--version prints the package version', async () => {
    const { code, stdout } = await runLfcs(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--help lists every command', async () => {
    const { code, stdout } = await runLfcs(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'emulator', 'demo', 'config', 'status']) expect(stdout).toContain(command);
  });

  it('serve --help describes every flag', async () => {
    const { code, stdout } = await runLfcs(['serve', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--config',
      '--port',
      '--admin-port',
      '--token-file',
      '--region',
      '--endpoint',
      '--log-level',
      '--unsafe-allow-non-loopback',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it('an unknown command exits 2 with a clear message', async () => {
    const { code, stderr } = await runLfcs(['serv']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'serv'/);
  });

  it('an unknown flag exits 2 with a clear message', async () => {
    const { code, stderr } = await runLfcs(['serve', '--prot', '1']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown option '--prot'/);
  });

  it('a bad flag value exits 2', async () => {
    const { code, stderr } = await runLfcs(['serve', '--port', 'http']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/port number/);
  });

  it('config check accepts the example configuration and prints it', async () => {
    const example = new URL('../../../examples/config.yaml', import.meta.url).pathname;
    const { code, stdout } = await runLfcs(['config', 'check', example]);
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
    const { code, stdout } = await runLfcs(['config', 'check', file]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (1 warning(s))');
    expect(stdout).toMatch(/# warning: profiles\.eu\.tableArn is in region eu-west-1, but region is us-east-1/);
  });

  it('config reference and config schema print what the schema defines', async () => {
    const reference = await runLfcs(['config', 'reference']);
    expect(reference.code).toBe(0);
    expect(reference.stdout).toMatch(/\| `cache\.minServeSeconds` \| `LFCS_CACHE_MIN_SERVE_SECONDS` \| `960` \|/);
    const schema = await runLfcs(['config', 'schema']);
    expect(schema.code).toBe(0);
    const parsed = JSON.parse(schema.stdout) as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(parsed.properties['cache']?.properties?.['minServeSeconds']).toMatchObject({ default: 960, type: 'integer' });
    expect(schema.stdout).not.toContain('"secret"');
  });

  it('config check names both mistakes of a file with two, and exits non-zero', async () => {
    const file = join(dir, 'two-mistakes.yaml');
    writeFileSync(
      file,
      ['region: us-east-1', 'cache:', '  minServeSeconds: -5', 'profiles:', '  orders:', '    tableArn: arn:aws:s3:::not-a-table'].join(
        '\n',
      ),
    );
    const { code, stderr } = await runLfcs(['config', 'check', file]);
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
    const { code, stdout, stderr } = await runLfcs(['config', 'check', file], { LFCS_AUTH_TOKEN: token });
    expect(code).toBe(0);
    expect(stdout + stderr).not.toContain(token);
  });

  it('config check of a missing file says so', async () => {
    const { code, stderr } = await runLfcs(['config', 'check', join(dir, 'missing.yaml')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no such file/);
  });
});
