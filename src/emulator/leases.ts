/**
 * The credentials the emulator's Lake Formation vended, kept with their
 * secrets (in memory only, never answered by an admin endpoint) so the S3
 * endpoint can verify requests signed with them and apply the scope-down
 * policy Lake Formation attaches to each: the vended S3 paths, read-only
 * unless the caller asked for a write permission.
 */
import type { MintedCredentials } from './credentials.js';

/** Leases kept at once; the oldest go first (a test run vends a few hundred). */
const MAX_LEASES = 10_000;

export interface Lease {
  credentials: MintedCredentials;
  expiresAtMs: number;
  principalArn: string;
  /** `s3://bucket/prefix` locations the credentials may touch (`VendedS3Path`, the partition or data locations). */
  paths: readonly string[];
  /** Whether PUT is allowed too (INSERT, DELETE or ALL asked for; a READWRITE data-location scope). */
  write: boolean;
}

export class VendedLeases {
  readonly #leases = new Map<string, Lease>();

  add(lease: Lease): void {
    this.#leases.set(lease.credentials.accessKeyId, lease);
    while (this.#leases.size > MAX_LEASES) this.#leases.delete(this.#leases.keys().next().value as string);
  }

  /** The lease with this access key id, expired or not (S3 answers an expired one differently from an unknown one). */
  find(accessKeyId: string): Lease | undefined {
    return this.#leases.get(accessKeyId);
  }

  clear(): void {
    this.#leases.clear();
  }
}
