/**
 * The scope-down policy Lake Formation attaches to vended credentials, as the
 * S3 endpoint enforces it: objects and listings under the vended S3 paths
 * only (`s3:GetObject` and `s3:ListBucket` with an `s3:prefix` condition),
 * and `s3:PutObject` only for a lease that may write.
 */
import type { Lease } from './leases.js';
import { parseS3Uri } from './object-store.js';
import { S3Error } from './s3-errors.js';

export type S3Action = 'read' | 'write' | 'list';

/**
 * @param keyOrPrefix the object key (read, write) or the listing's `prefix` (list).
 * @throws S3Error `AccessDenied` outside the lease's paths, or a write on a read-only lease.
 */
export function checkScope(lease: Lease, action: S3Action, bucket: string, keyOrPrefix: string): void {
  if (action === 'write' && !lease.write) throw accessDenied();
  const inScope = lease.paths.some((path) => {
    const location = parseS3Uri(path);
    if (!location || location.bucket !== bucket) return false;
    // `s3://b/t` and `s3://b/t/` both mean the objects below `t/`, never `t_old/...`.
    const prefix = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
    return keyOrPrefix.startsWith(prefix);
  });
  if (!inScope) throw accessDenied();
}

function accessDenied(): S3Error {
  return new S3Error('AccessDenied', 'Access Denied');
}
