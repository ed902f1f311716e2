/**
 * The objects the emulator's S3 endpoint serves: buckets of keys to bytes,
 * held in memory. A warehouse folder on disk (`<bucket>/<key>` below it,
 * e.g. `examples/demo-warehouse/demo-lake/sales/orders/...`) is read once at
 * start; writes (PUT) stay in memory, so a committed fixture is never changed.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface StoredObject {
  body: Buffer;
  /** Quoted hex MD5 of the body, as S3 answers for a single-part upload. */
  etag: string;
  /** Milliseconds since the epoch, on the emulator clock when written over HTTP. */
  lastModifiedMs: number;
}

export interface ObjectListing {
  objects: { key: string; object: StoredObject }[];
  /** Set when more keys follow: the last key listed, for `continuation-token`/`start-after`. */
  nextKey?: string;
}

/** Bucket and key of an `s3://bucket/key` URI, or undefined for anything else. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return match ? { bucket: match[1]!, key: match[2]! } : undefined;
}

export class ObjectStore {
  readonly #buckets = new Map<string, Map<string, StoredObject>>();

  /** Reads every file below `dir`: its first folder level names buckets, the rest of each path is the key. */
  static async fromDirectory(dir: string, lastModifiedMs: number): Promise<ObjectStore> {
    const store = new ObjectStore();
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const [bucket, ...key] = relative(dir, path).split(sep);
      if (key.length === 0) continue; // a file beside the buckets (a README) is no object
      store.put(bucket!, key.join('/'), await readFile(path), lastModifiedMs);
    }
    return store;
  }

  hasBucket(bucket: string): boolean {
    return this.#buckets.has(bucket);
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.#buckets.get(bucket)?.get(key);
  }

  /** Stores `body` under `bucket/key`, creating the bucket on first use. */
  put(bucket: string, key: string, body: Buffer, lastModifiedMs: number): StoredObject {
    const object: StoredObject = { body, etag: `"${md5Hex(body)}"`, lastModifiedMs };
    const objects = this.#buckets.get(bucket) ?? new Map<string, StoredObject>();
    objects.set(key, object);
    this.#buckets.set(bucket, objects);
    return object;
  }

  /** Keys starting with `prefix` and sorting after `after`, in UTF-8 binary order as S3 lists them, at most `max`. */
  list(bucket: string, options: { prefix: string; after?: string; max: number }): ObjectListing {
    const keys = [...(this.#buckets.get(bucket)?.keys() ?? [])]
      .filter((key) => key.startsWith(options.prefix) && (options.after === undefined || compareKeys(key, options.after) > 0))
      .sort(compareKeys);
    const page = keys.slice(0, options.max);
    const objects = page.map((key) => ({ key, object: this.get(bucket, key)! }));
    return keys.length > page.length && page.length > 0 ? { objects, nextKey: page[page.length - 1]! } : { objects };
  }
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function md5Hex(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}
