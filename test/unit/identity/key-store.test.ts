/**
 * The issuer key store on its own: only public key members reach the disk,
 * and a file others could have written, or saved for another issuer, or too
 * old, is not used.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyStore, publicKeys, readSaved } from '../../../src/identity/key-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-key-store-'));
  dirs.push(dir);
  return join(dir, 'issuer-keys.json');
}

const ISSUER_URL = 'https://kubernetes.default.svc';

describe('publicKeys', () => {
  it('keeps the public members of asymmetric keys and drops private and symmetric ones', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const rsa = { ...(await exportJWK(privateKey)), kid: 'a', alg: 'RS256', use: 'sig' };
    const { privateKey: ecPrivate } = await generateKeyPair('ES256', { extractable: true });
    const ec = { ...(await exportJWK(ecPrivate)), kid: 'b' };
    expect(rsa).toHaveProperty('d');
    const { keys } = publicKeys({ keys: [rsa, ec, { kty: 'oct', k: 'c2VjcmV0', kid: 'c' }] });
    expect(keys.map((key) => key.kid)).toEqual(['a', 'b']);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(Object.keys(keys[1]!).sort()).toEqual(['crv', 'kid', 'kty', 'x', 'y']);
  });
});

describe('KeyStore', () => {
  const saved = (savedAt: number, issuerUrl = ISSUER_URL) =>
    JSON.stringify({
      issuerUrl,
      issuer: 'https://issuer',
      savedAt,
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'k' }] },
    });

  it('uses saved keys up to the bounded age, then not', () => {
    const file = tempFile();
    writeFileSync(file, saved(1_000_000), { mode: 0o600 });
    const store = new KeyStore(file, ISSUER_URL, 60);
    expect(store.load(undefined)).toBeUndefined();
    expect(store.usable(1_000_000 + 60_000)?.issuer).toBe('https://issuer');
    expect(store.usable(1_000_000 + 60_001)).toBeUndefined();
    // 0: never.
    const never = new KeyStore(file, ISSUER_URL, 0);
    never.load(undefined);
    expect(never.usable(1_000_000)).toBeUndefined();
  });

  it('does not use a file group or others may write, or one saved for another issuer', () => {
    const file = tempFile();
    writeFileSync(file, saved(0));
    chmodSync(file, 0o662);
    expect(readSaved(file)).toEqual({ problem: `${file} is writable by group or others; not used` });
    chmodSync(file, 0o600);
    const other = new KeyStore(file, 'https://other.example', 3600);
    expect(other.load(undefined)).toContain('another issuer');
    expect(other.usable(0)).toBeUndefined();
    const otherIss = new KeyStore(file, ISSUER_URL, 3600);
    expect(otherIss.load('https://configured-issuer')).toContain('another issuer');
  });

  it('reports a missing file as nothing saved yet, and a broken one as a problem', () => {
    const file = tempFile();
    expect(new KeyStore(file, ISSUER_URL, 60).load(undefined)).toBeUndefined();
    writeFileSync(file, '{"issuerUrl":', { mode: 0o600 });
    expect(new KeyStore(file, ISSUER_URL, 60).load(undefined)).toBe(`${file} is not JSON`);
  });

  it('says why it cannot save, without throwing', async () => {
    const store = new KeyStore(join(tempFile(), 'no-such-dir', 'keys.json'), ISSUER_URL, 60);
    expect(await store.save('https://issuer', { keys: [] }, 0)).toMatch(/cannot save the issuer's keys to .* \(ENOENT\)/);
  });
});
