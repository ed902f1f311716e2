import { describe, expect, it } from 'vitest';
import { ObjectStore, parseS3Uri } from '../../../src/emulator/object-store.js';
import { currentMetadataLocation } from '../../../src/emulator/iceberg-tables.js';
import type { CatalogTable } from '../../../src/emulator/catalog.js';

const table = (location: string) => ({ name: 't', location, registeredWithLakeFormation: true }) as CatalogTable;

function storeWith(keys: string[]): ObjectStore {
  const store = new ObjectStore();
  for (const key of keys) store.put('b', key, Buffer.from(key), 0);
  return store;
}

describe('ObjectStore', () => {
  it('lists keys under a prefix in UTF-8 binary order, paging after a key', () => {
    const store = storeWith(['a/2', 'a/10', 'a/1', 'b/1', 'a/\u00e9']);
    expect(store.list('b', { prefix: 'a/', max: 10 }).objects.map((o) => o.key)).toEqual(['a/1', 'a/10', 'a/2', 'a/\u00e9']);
    const first = store.list('b', { prefix: 'a/', max: 2 });
    expect(first.objects.map((o) => o.key)).toEqual(['a/1', 'a/10']);
    expect(first.nextKey).toBe('a/10');
    expect(store.list('b', { prefix: 'a/', after: first.nextKey!, max: 2 }).objects.map((o) => o.key)).toEqual(['a/2', 'a/\u00e9']);
    expect(store.list('other', { prefix: '', max: 10 }).objects).toEqual([]);
  });

  it('answers the quoted MD5 as the ETag', () => {
    const object = new ObjectStore().put('b', 'k', Buffer.from('hello'), 0);
    expect(object.etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });
});

describe('parseS3Uri', () => {
  it('splits s3:// and s3a:// URIs into bucket and key', () => {
    expect(parseS3Uri('s3://demo-lake/sales/orders/')).toEqual({ bucket: 'demo-lake', key: 'sales/orders/' });
    expect(parseS3Uri('s3a://demo-lake')).toEqual({ bucket: 'demo-lake', key: '' });
    expect(parseS3Uri('https://demo-lake/x')).toBeUndefined();
  });
});

describe('currentMetadataLocation', () => {
  it('picks the highest metadata version under <location>/metadata/, in either naming', () => {
    const store = storeWith([
      't/metadata/00001-aaa.metadata.json',
      't/metadata/00010-bbb.metadata.json',
      't/metadata/00002-ccc.metadata.json',
      't/metadata/snap-1.avro',
      't/metadata/nested/00099-x.metadata.json',
      't_old/metadata/00500-old.metadata.json',
    ]);
    expect(currentMetadataLocation(store, table('s3://b/t'))).toBe('s3://b/t/metadata/00010-bbb.metadata.json');
    expect(currentMetadataLocation(storeWith(['t/metadata/v3.metadata.json', 't/metadata/v12.metadata.json']), table('s3://b/t/'))).toBe(
      's3://b/t/metadata/v12.metadata.json',
    );
  });

  it('answers undefined for a table without Iceberg metadata', () => {
    expect(currentMetadataLocation(storeWith(['t/data/x.parquet']), table('s3://b/t/'))).toBeUndefined();
  });
});
