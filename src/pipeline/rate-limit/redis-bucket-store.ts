/**
 * Token buckets kept in Redis, so several processes (the members of a `sluice consume` group, or
 * several tails) share one rate. The bucket arithmetic of token-bucket.ts runs as one Lua script
 * (sent once, then called by EVALSHA: ioredis's `defineCommand` falls back to EVAL after a
 * NOSCRIPT, e.g. after a Redis restart), so read-refill-spend-write is atomic and every caller sees
 * the same bucket. The clock is the Redis server's (`TIME`), not the callers': processes on hosts
 * whose clocks disagree still share one rate.
 *
 * A bucket is a hash `<prefix>ratelimit:<key>` with `tokens` and `ts`, expiring once it would be
 * full again (an idle key costs nothing).
 *
 * Redis is an optimisation, not a dependency that may stop the pipeline: while it is unreachable
 * (down at start, or gone later) the store answers from a local {@link LocalBucketStore} and warns
 * once per outage; ioredis keeps reconnecting in the background and the shared buckets are used
 * again when it is back. Meanwhile each process allows the full rate on its own, which the warning
 * says. Readiness (`/readyz`) reports Redis as not ready through {@link RedisBucketStore.ping}.
 */
import { Redis } from 'ioredis';
import type { BucketAnswer, BucketStore, RateLimitMode } from './bucket-store.js';
import { LocalBucketStore } from './local-bucket-store.js';

/** The token bucket of token-bucket.ts, atomically in Redis. KEYS[1] bucket; ARGV rate/s, burst, n, mode. */
export const TOKEN_BUCKET_LUA = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(s[1])
local last = tonumber(s[2])
if tokens == nil or last == nil then
  tokens = burst
  last = now
end
if now > last then
  tokens = math.min(burst, tokens + (now - last) * rate / 1000)
  last = now
end
local granted = 0
local wait = 0
if ARGV[4] == 'drop' then
  granted = math.max(0, math.min(n, math.floor(tokens + 1e-9)))
  tokens = tokens - granted
else
  granted = n
  tokens = tokens - n
  if tokens < 0 then wait = math.ceil(-tokens * 1000 / rate) end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.3f', last))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {granted, wait}
`;

/** Options of {@link RedisBucketStore.open}. */
export interface RedisBucketStoreOptions {
  /** `redis://[:password@]host:port[/db]` (a secret: never shown; messages name host and port only). */
  readonly url: string;
  /** Prefix of every key (default `sluice:`): several deployments can share one Redis. */
  readonly keyPrefix?: string;
  readonly ratePerSec: number;
  readonly burst: number;
  /** Cap of the local fallback's buckets. */
  readonly maxBuckets?: number;
  /** How long a connection attempt may take (default 2 s). */
  readonly connectTimeoutMs?: number;
  /** Told when the store falls back to local buckets, and when Redis is back. */
  readonly warn?: (message: string) => void;
}

type BucketRedis = Redis & { sluiceTokenBucket(key: string, rate: number, burst: number, n: number, mode: string): Promise<[number, number]> };

/** See the module comment. */
export class RedisBucketStore implements BucketStore {
  /** `host:port` of the server (no credentials), for messages. */
  readonly address: string;
  private readonly fallback: LocalBucketStore;
  private readonly prefix: string;
  private falling = false;
  private lastError = 'not connected yet';
  /** Calls answered by Redis and by the fallback (tests, the summary). */
  readonly counts = { redis: 0, local: 0 };

  private constructor(
    private readonly redis: BucketRedis,
    private readonly options: RedisBucketStoreOptions,
  ) {
    this.address = redisAddress(options.url);
    this.prefix = options.keyPrefix ?? 'sluice:';
    this.fallback = new LocalBucketStore(options.ratePerSec, options.burst, Date.now, options.maxBuckets);
    redis.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    redis.on('ready', () => {
      if (!this.falling) return;
      this.falling = false;
      this.options.warn?.(`Redis at ${this.address} is reachable again: the shared rate limit applies again`);
    });
  }

  /**
   * Connects to Redis; when it cannot, warns and starts on the local fallback (and keeps trying in
   * the background). Never throws for an unreachable server.
   */
  static async open(options: RedisBucketStoreOptions): Promise<RedisBucketStore> {
    const redis = new Redis(options.url, {
      lazyConnect: true,
      // Fail at once while disconnected (the fallback answers) instead of queueing behind a dead socket.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      retryStrategy: (times) => Math.min(200 * times, 2_000),
    }) as BucketRedis;
    redis.defineCommand('sluiceTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    const store = new RedisBucketStore(redis, options);
    try {
      await redis.connect();
    } catch (err) {
      store.lastError = (err as Error).message;
      store.fallBack();
    }
    return store;
  }

  get kind(): 'local' | 'redis' {
    return this.redis.status === 'ready' ? 'redis' : 'local';
  }

  async take(key: string, n: number, mode: RateLimitMode): Promise<BucketAnswer> {
    if (this.redis.status === 'ready') {
      try {
        const [granted, waitMs] = await this.redis.sluiceTokenBucket(`${this.prefix}ratelimit:${key}`, this.options.ratePerSec, this.options.burst, n, mode);
        this.counts.redis++;
        return { granted: Number(granted), waitMs: Number(waitMs) };
      } catch (err) {
        this.lastError = (err as Error).message;
      }
    }
    this.fallBack();
    this.counts.local++;
    return this.fallback.take(key, n, mode);
  }

  /** Resolves when Redis answers PING; throws a message naming the address (no credentials) otherwise. */
  async ping(): Promise<void> {
    try {
      if (this.redis.status !== 'ready') throw new Error(this.lastError);
      await this.redis.ping();
    } catch (err) {
      throw new Error(`Redis at ${this.address} does not answer (${scrub((err as Error).message)}): the rate limit is per process until it is back`);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect(false);
    await this.fallback.close();
  }

  private fallBack(): void {
    if (this.falling) return;
    this.falling = true;
    this.options.warn?.(
      `Redis at ${this.address} is unreachable (${scrub(this.lastError)}): rate limiting uses this process's own buckets until it is back, so each process allows the full rate`,
    );
  }
}

/** `host:port` of a Redis URL, without credentials. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'the configured address';
  }
}

/** Removes anything URL-like with credentials from a client message. */
function scrub(message: string): string {
  return message.replace(/\/\/[^@\s/]*@/g, '//');
}
