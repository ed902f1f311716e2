/**
 * Mints credentials that look like the STS session credentials Lake Formation
 * vends, so consumers' format checks and log redaction see realistic values.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface MintedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Real session tokens are base64 of a binary blob whose first bytes encode
// "\t...origin_ec"; starting with the same prefix makes them recognisable.
const SESSION_TOKEN_PREFIX = 'IQoJb3JpZ2luX2Vj';
const SESSION_TOKEN_RANDOM_BYTES = 360;

/** `ASIA` + 16 of [A-Z0-9]; a 40-character secret of [A-Za-z0-9+/]; a ~500-character base64 session token. */
export function mintCredentials(): MintedCredentials {
  return {
    accessKeyId: `ASIA${randomString(KEY_ID_ALPHABET, 16)}`,
    // 30 random bytes are exactly 40 base64 characters, without padding.
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: SESSION_TOKEN_PREFIX + randomBytes(SESSION_TOKEN_RANDOM_BYTES).toString('base64'),
  };
}

/** Uniform characters from `alphabet`, by rejection sampling so no character is favoured. */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** Hex SHA-256, for logging a secret so tests can match it without the log holding it. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
