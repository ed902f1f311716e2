/**
 * Agent mode: each pod's budget of distinct new requests. A request a pod
 * has not asked for within the last {@link REMEMBER_MS} may cost a Lake
 * Formation call, and every pod on the node shares one queue of those
 * (`upstream.ratePerSecond`, 10/s): a pod asking for a new query id each
 * time, well within its own request budget, would fill that queue and hold
 * every other pod's first fetch behind it. So new requests spend a per-pod
 * token bucket (`agent.podNewRequestsPerSecond`, `agent.podNewRequestsBurst`),
 * checked as part of admission (`authorizeTarget`) before any call; a
 * request the pod asked for recently (served from the cache) spends nothing.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';
import { TokenBucket } from '../core/token-bucket.js';

/** How long a pod's request counts as known: a lease's usual life, so the pod's own refetches are free. */
export const REMEMBER_MS = 3_600_000;
/** (pod, request) pairs remembered at once; past it the oldest are forgotten (and cost a token again). */
const REMEMBERED_MAX = 50_000;
/** Pods whose budget is remembered at once (a node runs a few hundred at most). */
const BUCKETS_MAX = 10_000;

export interface NewRequestBudgetInit {
  clock: Clock;
  ratePerSecond: number;
  burst: number;
}

export interface NewRequestBudget {
  /** Whether `caller` may ask for the request whose cache key is `key` now; spends a token when it is new to the caller. */
  admit(caller: string, key: string): boolean;
}

export function newRequestBudget(init: NewRequestBudgetInit): NewRequestBudget {
  const perf = { now: () => init.clock.now() };
  const known = new LRUCache<string, true>({ max: REMEMBERED_MAX, ttl: REMEMBER_MS, perf, ttlResolution: 0 });
  const buckets = new LRUCache<string, TokenBucket>({ max: BUCKETS_MAX });
  return {
    admit(caller, key) {
      const pair = `${caller}\n${key}`;
      if (known.has(pair)) return true;
      let bucket = buckets.get(caller);
      if (bucket === undefined) {
        bucket = new TokenBucket({ clock: init.clock, ratePerSecond: init.ratePerSecond, burst: init.burst });
        buckets.set(caller, bucket);
      }
      if (!bucket.tryTake()) return false;
      known.set(pair, true);
      return true;
    },
  };
}
