import { chmodSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenSource } from '../../../src/identity/token-source.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { LfcsError } from '../../../src/core/errors.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-token-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('token file', () => {
  it('generates a 32-byte base64url token with no newline, mode 0440, creating the directory', () => {
    const path = join(tempDir(), 'nested', 'dir', 'token');
    const source = createTokenSource({ kind: 'file', path });
    const token = readFileSync(path, 'utf8');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o440);
    // Written under a temporary name and linked into place; nothing else is left behind.
    expect(readdirSync(dirname(path))).toEqual(['token']);
    expect(source.matches(token)).toBe(true);
    expect(source.matches(`${token}\n`)).toBe(false);
    expect(source.matches(`Bearer ${token}`)).toBe(false);
    expect(source.matches(undefined)).toBe(false);
  });

  it('keeps an existing token file as it is', () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'existing-token-0123456789');
    const source = createTokenSource({ kind: 'file', path });
    expect(readFileSync(path, 'utf8')).toBe('existing-token-0123456789');
    expect(source.matches('existing-token-0123456789')).toBe(true);
  });

  it('picks up a rotated token once the recheck interval has passed', async () => {
    const dir = tempDir();
    const path = join(dir, 'token');
    writeFileSync(path, 'first-token-0123456789');
    const clock = new FakeClock();
    const source = createTokenSource({ kind: 'file', path, clock, recheckIntervalMs: 1000 });
    // Rotate atomically, as a projected volume or `mv` would.
    writeFileSync(join(dir, 'token.new'), 'second-token-0123456789');
    renameSync(join(dir, 'token.new'), path);
    expect(source.matches('first-token-0123456789')).toBe(true);
    await clock.advance(1000);
    expect(source.matches('second-token-0123456789')).toBe(true);
    expect(source.matches('first-token-0123456789')).toBe(false);
  });

  it('keeps the previous token while the file is briefly missing', async () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'stable-token-0123456789');
    const clock = new FakeClock();
    const source = createTokenSource({ kind: 'file', path, clock });
    rmSync(path);
    await clock.advance(5000);
    expect(source.matches('stable-token-0123456789')).toBe(true);
  });

  it('keeps the previous token when a rotated one is unusable, and says why once', async () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'first-token-0123456789');
    const clock = new FakeClock();
    const reasons: string[] = [];
    const source = createTokenSource({ kind: 'file', path, clock, onRejectedRotation: (r) => reasons.push(r) });
    writeFileSync(path, 'rotated-token-0123456789\n');
    await clock.advance(1000);
    expect(source.matches('first-token-0123456789')).toBe(true);
    await clock.advance(1000);
    expect(source.matches('rotated-token-0123456789\n')).toBe(false);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/CR or LF/);
    expect(reasons[0]).not.toContain('rotated-token');
  });

  it('re-reads the file after a chmod alone (mode and ctime are part of the change check)', async () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'first-token-0123456789');
    const clock = new FakeClock();
    const reasons: string[] = [];
    const source = createTokenSource({ kind: 'file', path, clock, onRejectedRotation: (r) => reasons.push(r) });
    writeFileSync(path, 'rotated-token-012345678\n');
    for (let i = 0; i < 2; i++) {
      await clock.advance(1000);
      source.matches('x');
    }
    expect(reasons).toHaveLength(1);
    // The operator fixes the mode: same content, size and mtime; only mode and ctime change.
    chmodSync(path, 0o400);
    for (let i = 0; i < 2; i++) {
      await clock.advance(1000);
      source.matches('x');
    }
    expect(reasons).toHaveLength(2); // it was read again
    expect(source.matches('first-token-0123456789')).toBe(true);
  });

  it('notices an in-place rewrite that kept size and mtime (ctime changes)', async () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'first-token-0123456789');
    const before = statSync(path);
    const clock = new FakeClock();
    const source = createTokenSource({ kind: 'file', path, clock });
    writeFileSync(path, 'other-token-0123456789'); // same length
    utimesSync(path, before.atime, before.mtime);
    for (let i = 0; i < 2; i++) {
      await clock.advance(1000);
      source.matches('x');
    }
    expect(source.matches('other-token-0123456789')).toBe(true);
    expect(source.matches('first-token-0123456789')).toBe(false);
  });

  it('never takes a half-written in-place rewrite: the old token stays until the file is stable for one more check', async () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'first-token-0123456789');
    const clock = new FakeClock();
    const source = createTokenSource({ kind: 'file', path, clock });
    writeFileSync(path, 'second-token-012'); // 16 characters of the 23 written so far
    await clock.advance(1000);
    expect(source.matches('second-token-012')).toBe(false);
    expect(source.matches('first-token-0123456789')).toBe(true);
    writeFileSync(path, 'second-token-0123456789'); // the writer finishes
    await clock.advance(1000);
    expect(source.matches('second-token-012')).toBe(false);
    expect(source.matches('first-token-0123456789')).toBe(true);
    await clock.advance(1000);
    expect(source.matches('second-token-0123456789')).toBe(true);
    expect(source.matches('first-token-0123456789')).toBe(false);
    expect(source.matches('second-token-012')).toBe(false);
  });

  it('reports a deleted token file once, keeps the previous token, and takes the file that replaces it', async () => {
    const dir = tempDir();
    const path = join(dir, 'token');
    writeFileSync(path, 'first-token-0123456789');
    const clock = new FakeClock();
    let missing = 0;
    const source = createTokenSource({ kind: 'file', path, clock, onMissing: () => (missing += 1) });
    rmSync(path);
    for (let i = 0; i < 3; i++) {
      await clock.advance(1000);
      expect(source.matches('first-token-0123456789')).toBe(true);
    }
    expect(missing).toBe(1);
    writeFileSync(path, 'second-token-0123456789');
    // A recreated file may reuse the inode: it is taken once it stayed the same for one more check.
    await clock.advance(1000);
    source.matches('x');
    await clock.advance(1000);
    expect(source.matches('second-token-0123456789')).toBe(true);
  });

  it('refuses a token file with a trailing newline, naming the clients it would break', () => {
    const path = join(tempDir(), 'token');
    writeFileSync(path, 'token-with-newline-0123\n');
    expect(() => createTokenSource({ kind: 'file', path })).toThrowError(/CR or LF.*botocore/);
  });
});

describe('token value', () => {
  it('accepts the exact value only', () => {
    const source = createTokenSource({ kind: 'value', token: 'env-token-0123456789' });
    expect(source.matches('env-token-0123456789')).toBe(true);
    expect(source.matches('env-token-012345678')).toBe(false);
    expect(source.path).toBeUndefined();
  });

  it('rejects short tokens without echoing them', () => {
    try {
      createTokenSource({ kind: 'value', token: 'short-secret' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LfcsError);
      expect((err as LfcsError).code).toBe('InvalidConfiguration');
      expect((err as Error).message).not.toContain('short-secret');
    }
  });
});
