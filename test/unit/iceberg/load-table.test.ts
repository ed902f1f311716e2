import { describe, expect, it } from 'vitest';
import { IcebergError } from '../../../src/iceberg/errors.js';
import { objectMembers } from '../../../src/iceberg/json-members.js';
import { rewriteLoadTable, tableLocation } from '../../../src/iceberg/load-table.js';
import { LOCATION, lease, REGION, SECRET, UPSTREAM_METADATA, upstreamLoadTable } from './support.js';

const REFRESH = 'v1/catalogs/123456789012/namespaces/sales/tables/orders/credentials';
const SIGN = 'v1/catalogs/123456789012/namespaces/sales/tables/orders/sign';
const vended = { mode: 'vended-credentials', lease: lease(), refreshEndpoint: REFRESH } as const;
const signing = { mode: 'remote-signing', signEndpoint: SIGN } as const;
const store = { region: REGION };

function membersOf(body: Buffer) {
  return Object.fromEntries(objectMembers(body.toString('utf8'))!.map((m) => [m.key, m.text]));
}

describe('loadTable rewrite', () => {
  it('passes every member but config, storage-credentials and remote-signing-config through byte for byte', () => {
    const upstream = upstreamLoadTable({ 'future-member': { nested: [1, 2.5, 'x'] } });
    for (const access of [vended, signing]) {
      const out = rewriteLoadTable(upstream, access, store);
      const before = membersOf(upstream);
      const after = membersOf(out);
      for (const key of ['metadata-location', 'metadata', 'future-member']) expect(after[key], key).toBe(before[key]);
      // Numbers a parse would round, and the metadata's own spacing, survive.
      expect(out.toString()).toContain(UPSTREAM_METADATA);
      expect(out.toString()).toContain('9007199254740993');
      expect(Object.keys(after).sort()).toEqual(
        [
          'config',
          'future-member',
          'metadata',
          'metadata-location',
          access.mode === 'vended-credentials' ? 'storage-credentials' : 'remote-signing-config',
        ].sort(),
      );
    }
  });

  it('vends one credential for the table location, with expiry and the per-table refresh endpoint', () => {
    const result = JSON.parse(rewriteLoadTable(upstreamLoadTable(), vended, store).toString());
    expect(result['storage-credentials']).toEqual([
      {
        prefix: LOCATION,
        config: {
          's3.access-key-id': 'ASIAEXAMPLELEASE0001',
          's3.secret-access-key': SECRET,
          's3.session-token': 'session-token-of-the-lease',
          's3.session-token-expires-at-ms': String(Date.UTC(2026, 10, 25, 7, 0, 0)),
          'client.region': REGION,
          'client.refresh-credentials-endpoint': REFRESH,
          'client.refresh-credentials-enabled': 'true',
        },
      },
    ]);
  });

  it("removes the upstream's credentials, token and server-side planning, keeps its other config, and adds the region", () => {
    const out = rewriteLoadTable(upstreamLoadTable(), vended, store);
    const text = out.toString();
    for (const leaked of ['UPSTREAM-KEY', 'UPSTREAM-SECRET', 'UPSTREAM-TOKEN', 'upstream-bearer', 'scan-planning-mode']) {
      expect(text).not.toContain(leaked);
    }
    expect(JSON.parse(text).config).toEqual({ 'client.region': REGION, 'write.format.default': 'parquet' });
  });

  it('with a custom S3 endpoint, tells clients the endpoint and path style', () => {
    const config = JSON.parse(
      rewriteLoadTable(upstreamLoadTable(), vended, { region: REGION, s3Endpoint: 'http://127.0.0.1:9000' }).toString(),
    );
    expect(config.config).toMatchObject({ 's3.endpoint': 'http://127.0.0.1:9000', 's3.path-style-access': 'true' });
    expect(config['storage-credentials'][0].config['s3.endpoint']).toBe('http://127.0.0.1:9000');
  });

  it('for remote signing, answers the signer settings of every client version and no key at all', () => {
    const text = rewriteLoadTable(upstreamLoadTable(), signing, store).toString();
    const result = JSON.parse(text);
    expect(result.config).toEqual({
      'client.region': REGION,
      'write.format.default': 'parquet',
      's3.remote-signing-enabled': 'true',
      's3.signer': 'S3V4RestSigner',
      'py-io-impl': 'pyiceberg.io.fsspec.FsspecFileIO',
      'signer.endpoint': SIGN,
      's3.signer.endpoint': SIGN,
    });
    expect(result['remote-signing-config']).toEqual({ properties: {}, headers: {} });
    expect(result['storage-credentials']).toBeUndefined();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('UPSTREAM-SECRET');
    expect(SIGN.startsWith('/')).toBe(false);
  });

  it('keeps the config non-empty even when the upstream sends none', () => {
    const bare = Buffer.from(`{"metadata-location":"x","metadata":${UPSTREAM_METADATA}}`);
    expect(JSON.parse(rewriteLoadTable(bare, signing, store).toString()).config).toMatchObject({ 'client.region': REGION });
  });

  it('reads the location from the metadata, s3a:// spelled s3:// in the credential prefix', () => {
    expect(tableLocation(upstreamLoadTable())).toBe(LOCATION);
    const s3a = Buffer.from(`{"metadata":{"location":"s3a://b/t"}}`);
    expect(JSON.parse(rewriteLoadTable(s3a, vended, store).toString())['storage-credentials'][0].prefix).toBe('s3://b/t');
  });

  it('answers 503 for an upstream body that is not a usable LoadTableResult', () => {
    for (const body of ['not json', '[1]', '{"metadata":{}}', '{"metadata":{"location":"file:///tmp/t"}}']) {
      let error: unknown;
      try {
        rewriteLoadTable(Buffer.from(body), vended, store);
      } catch (err) {
        error = err;
      }
      expect(error, body).toBeInstanceOf(IcebergError);
      expect((error as IcebergError).status).toBe(503);
    }
  });
});
