/**
 * Minting one lease: fresh session credentials for the granted lifetime,
 * recorded for `/_emulator/vended` (secrets only as SHA-256) and kept, with
 * their scope, for the S3 endpoint to verify and enforce.
 */
import { mintCredentials, sha256Hex, type MintedCredentials } from './credentials.js';
import type { SigningPrincipal } from './catalog.js';
import type { EmulatorState, VendedLogEntry } from './emulator-state.js';

/** Lifetime granted when a caller sends no `DurationSeconds`; undocumented, and what consumers assume. */
export const DEFAULT_DURATION_SECONDS = 3600;

/** Permissions whose credentials may write to S3 (the scope-down policy then grants PutObject too). */
export const WRITE_PERMISSIONS: ReadonlySet<string> = new Set(['INSERT', 'DELETE', 'ALTER', 'ALL', 'SUPER_USER']);

type LeaseRecord = Omit<
  VendedLogEntry,
  'accessKeyId' | 'secretAccessKeySha256' | 'sessionTokenSha256' | 'expiration' | 'issuedAt' | 'principalArn'
>;

/**
 * Mints credentials for the asked duration (default 3600 s) capped by the
 * catalog's `maxSessionSeconds`, scoped to `record.vendedPaths`.
 */
export function mintLease(
  state: EmulatorState,
  principal: SigningPrincipal,
  durationSeconds: number | undefined,
  access: { write: boolean },
  record: LeaseRecord,
): { credentials: MintedCredentials; expirationSeconds: number } {
  const nowMs = state.clock.now();
  const lifetimeSeconds = Math.min(durationSeconds ?? DEFAULT_DURATION_SECONDS, state.catalog.maxSessionSeconds);
  const expirationSeconds = Math.floor(nowMs / 1000) + lifetimeSeconds;
  const credentials = mintCredentials();
  state.vended.push({
    accessKeyId: credentials.accessKeyId,
    secretAccessKeySha256: sha256Hex(credentials.secretAccessKey),
    sessionTokenSha256: sha256Hex(credentials.sessionToken),
    expiration: new Date(expirationSeconds * 1000).toISOString(),
    issuedAt: new Date(nowMs).toISOString(),
    principalArn: principal.principalArn,
    ...record,
  });
  state.leases.add({
    credentials,
    expiresAtMs: expirationSeconds * 1000,
    principalArn: principal.principalArn,
    paths: [...record.vendedPaths],
    write: access.write,
  });
  return { credentials, expirationSeconds };
}
