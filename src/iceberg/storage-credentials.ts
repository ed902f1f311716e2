/**
 * A table's lease as the Iceberg REST spec's `StorageCredential`, and the
 * `loadCredentials` answer (`GET .../tables/{t}/credentials`).
 *
 * - Iceberg Java's `VendedCredentialsProvider` needs all four of
 *   `s3.access-key-id`, `s3.secret-access-key`, `s3.session-token` and
 *   `s3.session-token-expires-at-ms`, and refreshes 5 minutes before that
 *   expiry through `client.refresh-credentials-endpoint`, which it resolves
 *   against the catalog `uri` when relative. Trino refreshes the same way.
 * - It keeps the credentials whose prefix starts with `s3` and fails unless
 *   there is exactly one, so the answer always has exactly one.
 * - `client.region` always: without it PyArrow asks real AWS for the bucket's region.
 */
import type { Lease } from '../lakeformation/types.js';
import { jsonAnswer, type GatewayAnswer } from './answer.js';
import { IcebergError } from './errors.js';

/** The spec's `StorageCredential`. */
export interface StorageCredential {
  prefix: string;
  config: Record<string, string>;
}

/** What a credential says besides the lease's keys. */
export interface CredentialContext {
  region: string;
  /** Per table, relative to the gateway's uri: `v1/catalogs/<id>/namespaces/<ns>/tables/<t>/credentials`. */
  refreshEndpoint: string;
  /** `s3.endpoint` for clients, when not AWS's own. */
  s3Endpoint?: string | undefined;
}

/** `lease` as the one credential for `prefix` (an `s3://` location). */
export function storageCredential(prefix: string, lease: Lease, context: CredentialContext): StorageCredential {
  return {
    prefix,
    config: {
      's3.access-key-id': lease.accessKeyId,
      's3.secret-access-key': lease.secretAccessKey,
      's3.session-token': lease.sessionToken,
      's3.session-token-expires-at-ms': String(lease.expiration.getTime()),
      'client.region': context.region,
      ...(context.s3Endpoint !== undefined && { 's3.endpoint': context.s3Endpoint }),
      'client.refresh-credentials-endpoint': context.refreshEndpoint,
      'client.refresh-credentials-enabled': 'true',
    },
  };
}

/**
 * The prefix a lease covers: the first `VendedS3Path` Lake Formation named
 * for the table (its location), `s3a://`/`s3n://` spelled `s3://` as Iceberg
 * Java's credential filter expects. A lease without one is a 503: the
 * gateway does not guess where a table lives.
 */
export function leasePrefix(lease: Lease): string {
  const path = lease.vendedS3Path?.find((candidate) => /^s3[an]?:\/\/[^/]+/.test(candidate));
  if (path === undefined) {
    throw new IcebergError('ServiceUnavailableException', "Lake Formation's answer named no S3 path for the table", {
      retryAfterSeconds: 1,
    });
  }
  return path.replace(/^s3[an]:\/\//, 's3://');
}

/** The `loadCredentials` answer: `{"storage-credentials": [one S3 credential]}`. */
export function loadCredentialsAnswer(lease: Lease, context: CredentialContext): GatewayAnswer {
  return jsonAnswer(200, { 'storage-credentials': [storageCredential(leasePrefix(lease), lease, context)] });
}
