/** The rate limiter of `rate_limit.*` (and `redis.*`) for `sluice tail` and `sluice consume`. */
import type { DaemonOps } from '../../api/daemon-ops.js';
import { redisReadiness } from '../../api/readiness.js';
import type { SluiceConfig } from '../../config/index.js';
import type { RateLimiter } from '../../pipeline/rate-limit/rate-limiter.js';
import type { ComponentMetrics } from '../../telemetry/metrics.js';

/**
 * Builds the limiter the configuration asks for, or `undefined` when `rate_limit.events_per_sec` is
 * not set. With `redis.url` the buckets live in Redis (shared by every process with the same key
 * prefix) and `/readyz` reports Redis; an unreachable Redis falls back to local buckets with one
 * warning, it never stops delivery. Drops are counted on `source` as `rate_limited`.
 */
export async function rateLimiterFromConfig(
  config: SluiceConfig,
  extra: { readonly ops: DaemonOps; readonly source?: ComponentMetrics; readonly warn: (message: string) => void },
): Promise<RateLimiter | undefined> {
  const r = config.rate_limit;
  if (r.events_per_sec === undefined) return undefined;
  const { openRateLimiter } = await import('../../pipeline/rate-limit/open-rate-limiter.js');
  const redis = config.redis.url === undefined ? undefined : { url: config.redis.url.reveal(), keyPrefix: config.redis.key_prefix, connectTimeoutMs: config.redis.connect_timeout_ms };
  const opened = await openRateLimiter({ eventsPerSec: r.events_per_sec, burst: r.burst_count, mode: r.mode, scope: r.scope }, { redis, metrics: extra.source, warn: extra.warn });
  if (opened.redis !== undefined) extra.ops.addReadiness(redisReadiness(opened.redis));
  return opened.limiter;
}

/** One line for the summary: what the limiter did (empty when there was none or it never acted). */
export function rateLimitReport(limiter: RateLimiter | undefined): string {
  if (limiter === undefined) return '';
  const s = limiter.stats;
  const parts: string[] = [];
  if (s.dropped > 0) parts.push(`${s.dropped} event(s) dropped by the rate limit`);
  if (s.delayed > 0) parts.push(`${s.delayed} batch(es) held back ${(s.waitedMs / 1000).toFixed(1)} s by the rate limit`);
  return parts.join(', ');
}
