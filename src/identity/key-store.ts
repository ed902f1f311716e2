/**
 * The issuer's last good key set, kept on disk so that an agent restarted
 * while the issuer is down still verifies pods (as the EKS Pod Identity
 * Agent keeps its JWKS on disk). The file holds public keys only (a JWK's
 * private members and symmetric keys are dropped before writing), is written
 * with mode 0600 through a rename so a crash never leaves half a file, and
 * is not read when others may write it: whoever writes it chooses the keys
 * pods are verified with.
 */
import { readFileSync, statSync } from 'node:fs';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { isPlainObject } from '../core/objects.js';

/** What the file holds. */
export interface SavedKeys {
  /** Where the keys were discovered (`agent.issuerUrl`): a file saved for another issuer is not used. */
  readonly issuerUrl: string;
  /** The `iss` the tokens carried. */
  readonly issuer: string;
  /** When the issuer last served these keys, ms since the epoch. */
  readonly savedAt: number;
  readonly jwks: JSONWebKeySet;
}

/** The members of a public JWK (RFC 7517, 7518, 8037); any other member, `d` and the RSA primes included, is dropped. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y'] as const;

/** Key types with a public half; `oct` (a shared secret) has none and is never written. */
const ASYMMETRIC_KEY_TYPES = new Set(['RSA', 'EC', 'OKP']);

/** The public part of each asymmetric key of `jwks`. */
export function publicKeys(jwks: JSONWebKeySet): JSONWebKeySet {
  const keys = jwks.keys
    .filter((key) => typeof key.kty === 'string' && ASYMMETRIC_KEY_TYPES.has(key.kty))
    .map((key) => {
      const copy: JWK = {};
      for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) (copy as Record<string, unknown>)[member] = key[member];
      return copy;
    });
  return { keys };
}

/** Reading the file: the keys, or why they cannot be used. */
export type LoadResult = { saved: SavedKeys } | { problem: string; missing?: boolean };

/** The saved keys, as a key set `jose` verifies with. */
export interface UsableSavedKeys {
  readonly issuer: string;
  readonly keys: JWTVerifyGetKey;
  readonly savedAt: number;
}

/**
 * The key store of one issuer: loads the saved keys once at start, tells
 * whether they are young enough to use, and saves each key set the issuer
 * serves.
 */
export class KeyStore {
  readonly #file: string;
  readonly #issuerUrl: string;
  readonly #maxAgeMs: number;
  #saved: UsableSavedKeys | undefined;
  /** Saves run one after another: they share the temporary file. */
  #saving: Promise<unknown> = Promise.resolve();

  /**
   * @param issuerUrl keys saved for another issuer are not used
   * @param maxAgeSeconds keys saved longer ago are not used (0: none are)
   */
  constructor(file: string, issuerUrl: string, maxAgeSeconds: number) {
    this.#file = file;
    this.#issuerUrl = issuerUrl;
    this.#maxAgeMs = maxAgeSeconds * 1000;
  }

  /**
   * Loads the saved keys for later use while the issuer cannot be reached.
   * Returns why none can be used, unless there are simply none yet.
   *
   * @param issuer the `iss` tokens must carry, when configured: keys saved for another are not used
   */
  load(issuer: string | undefined): string | undefined {
    const result = readSaved(this.#file);
    if ('problem' in result) return result.missing ? undefined : result.problem;
    const { saved } = result;
    if (saved.issuerUrl !== this.#issuerUrl || (issuer !== undefined && saved.issuer !== issuer)) {
      return `${this.#file} holds the keys of another issuer; not used`;
    }
    this.#saved = { issuer: saved.issuer, keys: createLocalJWKSet(saved.jwks), savedAt: saved.savedAt };
    return undefined;
  }

  /** The saved keys, if they were saved at most the bounded age before `now`. */
  usable(now: number): UsableSavedKeys | undefined {
    const saved = this.#saved;
    return saved !== undefined && this.#maxAgeMs > 0 && now - saved.savedAt <= this.#maxAgeMs ? saved : undefined;
  }

  /** Saves the key set the issuer served at `now`; returns why it could not be saved. */
  save(issuer: string, jwks: JSONWebKeySet, now: number): Promise<string | undefined> {
    const saved = this.#saving.then(() => writeSaved(this.#file, { issuerUrl: this.#issuerUrl, issuer, savedAt: now, jwks }));
    this.#saving = saved.catch(() => undefined);
    return saved.then(
      () => undefined,
      (err: unknown) => `cannot save the issuer's keys to ${this.#file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Reads and checks the file. */
export function readSaved(file: string): LoadResult {
  let text: string;
  try {
    const stat = statSync(file);
    // Group or others may write it: they could plant keys, so it is not trusted.
    if ((stat.mode & 0o022) !== 0) return { problem: `${file} is writable by group or others; not used` };
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { problem: `no saved keys at ${file}`, missing: true }
      : { problem: `cannot read ${file} (${code ?? 'error'})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: `${file} is not JSON` };
  }
  if (
    !isPlainObject(value) ||
    typeof value['issuerUrl'] !== 'string' ||
    typeof value['issuer'] !== 'string' ||
    typeof value['savedAt'] !== 'number' ||
    !isPlainObject(value['jwks']) ||
    !Array.isArray(value['jwks']['keys'])
  ) {
    return { problem: `${file} is not a saved key set` };
  }
  const jwks = publicKeys({ keys: (value['jwks']['keys'] as unknown[]).filter(isPlainObject) as JWK[] });
  return { saved: { issuerUrl: value['issuerUrl'], issuer: value['issuer'], savedAt: value['savedAt'], jwks } };
}

/** Writes the keys (public parts only), mode 0600, replacing the file in one rename. */
async function writeSaved(file: string, saved: SavedKeys): Promise<void> {
  const text = `${JSON.stringify({ ...saved, jwks: publicKeys(saved.jwks) })}\n`;
  const temporary = `${file}.tmp`;
  await rm(temporary, { force: true });
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFile is masked by the umask; 0600 is what is meant.
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
