/** Builds the rate limiter the configuration asks for: local buckets, or buckets shared through Redis. */
import type { ComponentMetrics } from '../../telemetry/metrics.js';
import { RateLimiter, checkRateLimitOptions, type RateLimitOptions } from './rate-limiter.js';
import { RedisBucketStore } from './redis-bucket-store.js';

/** Redis settings (`redis.url`, `redis.key_prefix`). */
export interface RedisOptions {
  /** A secret: from the environment or a file, never shown. */
  readonly url: string;
  readonly keyPrefix?: string;
  readonly connectTimeoutMs?: number;
}

/**
 * A limiter with local buckets, or with Redis buckets when `redis` is given (falls back to local
 * buckets with a warning while Redis is unreachable; never fails for it). The Redis store is
 * returned too, for `/readyz` ({@link RedisBucketStore.ping}).
 */
export async function openRateLimiter(
  options: RateLimitOptions,
  extra: { readonly redis?: RedisOptions; readonly metrics?: ComponentMetrics; readonly warn?: (message: string) => void } = {},
): Promise<{ limiter: RateLimiter; redis?: RedisBucketStore }> {
  const o = checkRateLimitOptions(options);
  if (extra.redis === undefined) return { limiter: new RateLimiter(o, { metrics: extra.metrics }) };
  const redis = await RedisBucketStore.open({
    url: extra.redis.url,
    keyPrefix: extra.redis.keyPrefix,
    connectTimeoutMs: extra.redis.connectTimeoutMs,
    ratePerSec: o.eventsPerSec,
    burst: o.burst,
    maxBuckets: o.maxBuckets,
    warn: extra.warn,
  });
  return { limiter: new RateLimiter(o, { store: redis, metrics: extra.metrics }), redis };
}
