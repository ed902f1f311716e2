/**
 * What both hit-path baselines serve: a random token, its SHA-256 for a
 * constant-time check, and a container-credentials body the size of a real one.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const token = randomBytes(32).toString('base64url');
const digest = createHash('sha256').update(token).digest();

/** True when the Authorization header equals the token (constant time). */
export function tokenMatches(header) {
  return header !== undefined && timingSafeEqual(createHash('sha256').update(header).digest(), digest);
}

export const payload = JSON.stringify({
  AccessKeyId: 'ASIALFCSEMU000000001',
  SecretAccessKey: randomBytes(30).toString('base64'),
  Token: `IQoJb3JpZ2luX2Vj${randomBytes(360).toString('base64')}`,
  Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  AccountId: '123456789012',
});
