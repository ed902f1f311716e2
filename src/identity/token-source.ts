import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';

/** Where the credentials token comes from. */
export type TokenSourceInit =
  | {
      kind: 'file';
      path: string;
      clock?: Clock;
      recheckIntervalMs?: number;
      /** Told (once per file version) why a rotated token was refused; the previous token stays in use. */
      onRejectedRotation?: (reason: string) => void;
      /** Told once each time the token file disappears; the previous token stays in use. */
      onMissing?: () => void;
    }
  | { kind: 'value'; token: string };

/** Answers "does this `Authorization` header carry the token?" and nothing else. */
export interface TokenSource {
  /** Constant-time comparison of the header value with the current token. */
  matches(authorizationHeader: string | undefined): boolean;
  /** The token file, when the token comes from one (for log lines; never the token). */
  readonly path: string | undefined;
}

/** Random bytes in a generated token: 32, as the ECS agent and EKS Pod Identity Agent use. */
const GENERATED_TOKEN_BYTES = 32;

/**
 * Builds the token source.
 *
 * A token file that does not exist is created with 32 random bytes,
 * base64url-encoded, written with no newline (botocore, Go and Rust send the
 * file's bytes untrimmed, and a trailing LF breaks them), mode 0440.
 *
 * The file is re-read when its inode, size, mtime, mode or ctime change,
 * checked at most every `recheckIntervalMs` (default 1000), so a token can be
 * rotated without a restart (and a rotation first refused for its mode is
 * picked up once `chmod` fixes it). A file replaced by rename (a new inode:
 * `mv`, a Kubernetes projected volume) is complete and taken at once; a file
 * rewritten in place may be caught half-written, so its new content is taken
 * only once it stayed unchanged for one more check. A deleted file is
 * reported and the previous token stays valid: replacing a file is often
 * delete-then-create, and refusing every client meanwhile would be worse
 * than keeping a token that was valid a moment ago.
 */
export function createTokenSource(init: TokenSourceInit): TokenSource {
  if (init.kind === 'value') {
    const digest = validateToken(init.token, 'LFCS_AUTH_TOKEN');
    return { matches: (header) => digestMatches(header, digest), path: undefined };
  }
  return new FileTokenSource(init.path, init.clock ?? systemClock, init.recheckIntervalMs ?? 1000, init.onRejectedRotation, init.onMissing);
}

class FileTokenSource implements TokenSource {
  readonly path: string;
  readonly #clock: Clock;
  readonly #recheckIntervalMs: number;
  #digest: Buffer;
  #fingerprint: string;
  #inode: number;
  /** Fingerprint of an in-place rewrite seen at the last check, not yet taken (it may be half-written). */
  #pending: string | undefined;
  #missing = false;
  #checkedAt: number;
  readonly #onRejectedRotation: ((reason: string) => void) | undefined;
  readonly #onMissing: (() => void) | undefined;

  constructor(
    path: string,
    clock: Clock,
    recheckIntervalMs: number,
    onRejectedRotation?: (reason: string) => void,
    onMissing?: () => void,
  ) {
    this.path = path;
    this.#onRejectedRotation = onRejectedRotation;
    this.#onMissing = onMissing;
    this.#clock = clock;
    this.#recheckIntervalMs = recheckIntervalMs;
    ensureTokenFile(path);
    const stat = statSync(path);
    this.#fingerprint = fingerprint(stat);
    this.#inode = stat.ino;
    this.#digest = readTokenDigest(path);
    this.#checkedAt = clock.now();
  }

  matches(header: string | undefined): boolean {
    this.#reloadIfChanged();
    return digestMatches(header, this.#digest);
  }

  #reloadIfChanged(): void {
    const now = this.#clock.now();
    if (now - this.#checkedAt < this.#recheckIntervalMs) return;
    this.#checkedAt = now;
    let stat: Stats;
    try {
      stat = statSync(this.path);
    } catch {
      // Keep the previous token rather than locking every client out; say so once.
      if (!this.#missing) this.#onMissing?.();
      this.#missing = true;
      return;
    }
    this.#missing = false;
    const current = fingerprint(stat);
    if (current === this.#fingerprint) {
      this.#pending = undefined;
      return;
    }
    if (stat.ino === this.#inode && this.#pending !== current) {
      // Rewritten in place: take it only if it is still the same at the next check.
      this.#pending = current;
      return;
    }
    this.#pending = undefined;
    try {
      this.#digest = readTokenDigest(this.path);
    } catch (err) {
      // An unusable new token (say, written by `echo` with a trailing LF, or
      // not readable) keeps the previous one in use; say why once for this
      // file version. The reason names the rule broken, never the token.
      this.#onRejectedRotation?.(err instanceof LfcsError ? err.message : `cannot read token file ${this.path}`);
    }
    this.#fingerprint = current;
    this.#inode = stat.ino;
  }
}

function ensureTokenFile(path: string): void {
  try {
    statSync(path);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new LfcsError('InvalidConfiguration', `cannot read token file ${path}: ${(err as Error).message}`);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const token = randomBytes(GENERATED_TOKEN_BYTES).toString('base64url');
  // Write a complete file under a temporary name, then hard-link it into
  // place: a reader (the consumer, or a second sidecar on the same volume)
  // never sees a half-written token, and an existing token is never replaced.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, token, { mode: 0o440, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
}

function fingerprint(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.mode}:${s.ctimeMs}`;
}

function readTokenDigest(path: string): Buffer {
  return validateToken(readFileSync(path, 'utf8'), `token file ${path}`);
}

/** Rejects tokens that real clients cannot send; returns the token's digest. */
function validateToken(token: string, source: string): Buffer {
  if (token.length < 16) {
    throw new LfcsError('InvalidConfiguration', `${source}: the token must be at least 16 characters`);
  }
  if (/[\r\n]/.test(token)) {
    throw new LfcsError(
      'InvalidConfiguration',
      `${source}: the token contains a CR or LF; botocore, Go and Rust send the file untrimmed and would fail`,
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new LfcsError('InvalidConfiguration', `${source}: the token must be printable ASCII without spaces`);
  }
  return sha256(token);
}

/** Comparing fixed-length digests keeps the comparison constant-time whatever the header's length. */
function digestMatches(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  return timingSafeEqual(sha256(header), expected);
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
