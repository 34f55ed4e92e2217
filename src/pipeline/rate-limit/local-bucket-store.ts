/**
 * Token buckets in this process, one per key (per tailed file, per Kafka partition), at most
 * `maxBuckets` of them: the least recently used is forgotten beyond, so a directory of thousands
 * of short-lived files cannot grow the map for ever. A forgotten bucket starts full again when its
 * key comes back, which only ever lets a long-idle source send its burst once more.
 */
import { LRUCache } from 'lru-cache';
import type { BucketAnswer, BucketStore, RateLimitMode } from './bucket-store.js';
import { TokenBucket } from './token-bucket.js';

/** Default cap on the number of buckets (keys) kept. */
export const DEFAULT_MAX_BUCKETS = 10_000;

/** See the module comment. */
export class LocalBucketStore implements BucketStore {
  readonly kind = 'local' as const;
  private readonly buckets: LRUCache<string, TokenBucket>;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    maxBuckets = DEFAULT_MAX_BUCKETS,
  ) {
    this.buckets = new LRUCache({ max: Math.max(1, maxBuckets) });
  }

  /** Buckets kept now. */
  get size(): number {
    return this.buckets.size;
  }

  take(key: string, n: number, mode: RateLimitMode): BucketAnswer {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new TokenBucket(this.ratePerSec, this.burst, now);
      this.buckets.set(key, b);
    }
    return mode === 'drop' ? { granted: b.takeUpTo(n, now), waitMs: 0 } : { granted: n, waitMs: b.reserve(n, now) };
  }

  async close(): Promise<void> {
    this.buckets.clear();
  }
}
