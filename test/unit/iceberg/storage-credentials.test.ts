import { describe, expect, it } from 'vitest';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { leasePrefix, loadCredentialsAnswer } from '../../../src/iceberg/storage-credentials.js';
import { bodyOf, LOCATION, lease, REGION } from './support.js';

const context = { region: REGION, refreshEndpoint: 'v1/catalogs/123456789012/namespaces/sales/tables/orders/credentials' };

describe('loadCredentials answer', () => {
  it('has exactly one S3 credential with the four keys Iceberg Java requires', () => {
    const answer = loadCredentialsAnswer(lease(), context);
    expect(answer.status).toBe(200);
    expect(answer.headers['Cache-Control']).toBe('no-store');
    const credentials = bodyOf(answer)['storage-credentials'];
    expect(credentials).toHaveLength(1);
    expect(credentials[0].prefix).toBe(LOCATION);
    expect(Object.keys(credentials[0].config)).toEqual(
      expect.arrayContaining([
        's3.access-key-id',
        's3.secret-access-key',
        's3.session-token',
        's3.session-token-expires-at-ms',
        'client.region',
      ]),
    );
    expect(credentials[0].config['client.refresh-credentials-endpoint']).toBe(context.refreshEndpoint);
  });

  it('uses the first S3 path Lake Formation vended, spelled s3://', () => {
    expect(leasePrefix(lease({ vendedS3Path: ['s3a://b/t/', 's3://b/other'] }))).toBe('s3://b/t/');
  });

  it('answers 503 when the lease names no S3 path', () => {
    for (const vendedS3Path of [undefined, [], ['https://b/t']]) {
      const base = lease();
      delete base.vendedS3Path;
      const noPath = vendedS3Path === undefined ? base : lease({ vendedS3Path });
      expect(() => leasePrefix(noPath)).toThrow(IcebergError);
    }
  });
});
