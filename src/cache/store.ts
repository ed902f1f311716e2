/**
 * Where the cache keeps its leases: dynamic entries in an LRU bounded by
 * `maxEntries`, and the pinned ones (the sidecar's profiles) in a store of
 * their own that dynamic keys never evict. The one expiration check of the
 * cache is here ({@link isLive}); the cache reports the entry count through it.
 */
import { LRUCache } from 'lru-cache';
import type { Entry } from './entry.js';

/**
 * The one expiration check: whether the lease has more than `forMs` left at
 * `now`. With the default 0, whether it has not expired: a lease is served
 * only strictly before its expiration. The serving policy passes its bounds
 * (`minServeMs`, `hardMinimumMs`, a request's `minRemainingSeconds`) here.
 */
export function isLive(entry: Entry, now: number, forMs = 0): boolean {
  return entry.expiresAtMs - now > forMs;
}

export interface LeaseStoreInit {
  maxEntries: number;
  pinnedKeys: readonly string[];
  /** An entry left the store (evicted, expired, deleted, replaced or cleared). */
  onRetire: (entry: Entry) => void;
  /** The number of entries changed. */
  onCountChange: (count: number) => void;
}

export class LeaseStore {
  /** Dynamic entries: least recently requested evicted beyond `maxEntries`. */
  readonly #entries: LRUCache<string, Entry>;
  readonly #pinned: LRUCache<string, Entry>;
  readonly #pinnedKeys: ReadonlySet<string>;
  readonly #onCountChange: (count: number) => void;
  #reportedCount = 0;

  constructor(init: LeaseStoreInit) {
    this.#pinnedKeys = new Set(init.pinnedKeys);
    this.#onCountChange = init.onCountChange;
    const dispose = (entry: Entry): void => init.onRetire(entry);
    this.#entries = new LRUCache<string, Entry>({ max: init.maxEntries, dispose });
    this.#pinned = new LRUCache<string, Entry>({ max: Math.max(1, this.#pinnedKeys.size), dispose });
  }

  get size(): number {
    return this.#entries.size + this.#pinned.size;
  }

  /** Pinned entries are renewed even when idle. */
  isPinned(key: string): boolean {
    return this.#pinnedKeys.has(key);
  }

  /** The live entry for `key`, marked most recently used; an expired one is removed. */
  touch(key: string, now: number): Entry | undefined {
    const entry = this.#storeFor(key).get(key);
    if (entry === undefined || isLive(entry, now)) return entry;
    this.delete(key);
    return undefined;
  }

  /** The live entry for `key`, without touching its recency. */
  peek(key: string, now: number): Entry | undefined {
    const entry = this.#storeFor(key).peek(key);
    return entry && isLive(entry, now) ? entry : undefined;
  }

  /** Whether `entry` (live or not) is the one held for its key. */
  holds(entry: Entry): boolean {
    return this.#storeFor(entry.key).peek(entry.key) === entry;
  }

  set(entry: Entry): void {
    this.#storeFor(entry.key).set(entry.key, entry);
    this.#report();
  }

  delete(key: string): boolean {
    const deleted = this.#storeFor(key).delete(key);
    if (deleted) this.#report();
    return deleted;
  }

  /** Every entry, expired ones included: pinned first, then most recently requested first. */
  *values(): IterableIterator<Entry> {
    yield* this.#pinned.values();
    yield* this.#entries.values();
  }

  clear(): void {
    this.#entries.clear();
    this.#pinned.clear();
    this.#report();
  }

  #storeFor(key: string): LRUCache<string, Entry> {
    return this.#pinnedKeys.has(key) ? this.#pinned : this.#entries;
  }

  #report(): void {
    const count = this.size;
    if (count === this.#reportedCount) return;
    this.#reportedCount = count;
    this.#onCountChange(count);
  }
}
