/** Where a rate limiter keeps its token buckets: in this process, or in Redis shared by several. */

/** How events are limited: wait for tokens (backpressure) or drop what is over the rate (and count it). */
export type RateLimitMode = 'delay' | 'drop';

/** The answer of one {@link BucketStore.take}. */
export interface BucketAnswer {
  /** Events that may pass: all of them in `delay` mode, whole tokens there were in `drop` mode. */
  readonly granted: number;
  /** `delay` mode: ms to wait before they pass (0 in `drop` mode). */
  readonly waitMs: number;
}

/** A set of token buckets by key. */
export interface BucketStore {
  /** `local` or `redis` (the one answering now: a Redis store answers `local` while it falls back). */
  readonly kind: 'local' | 'redis';
  /** Spends tokens of the bucket `key` for `n` events. Never throws for an unreachable backend. */
  take(key: string, n: number, mode: RateLimitMode): BucketAnswer | Promise<BucketAnswer>;
  close(): Promise<void>;
}
