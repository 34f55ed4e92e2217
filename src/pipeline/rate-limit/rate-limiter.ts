/**
 * The rate-limit stage of the log path: between the line handler (or the Kafka record decoder) and
 * the sink, per batch (never per event). Events are counted per key — a tailed file's id, a Kafka
 * partition — or all together (`scope: 'global'`), against token buckets in this process or in Redis.
 *
 * - `delay`: the batch waits until its tokens are there, then goes on whole. The source is not
 *   acknowledged meanwhile, so its in-flight limit stops it reading: backpressure, nothing lost, and
 *   checkpoints stay behind what was delivered.
 * - `drop`: the events over the rate are left out of the batch and counted
 *   (`sluice_component_dropped_events_total{reason="rate_limited"}`); the batch is then acknowledged
 *   as handled, so dropped events are gone for good (that is what the mode is for: shedding a flood).
 */
import { SluiceError } from '../../errors.js';
import type { ComponentMetrics } from '../../telemetry/metrics.js';
import type { BucketStore, RateLimitMode } from './bucket-store.js';
import { LocalBucketStore } from './local-bucket-store.js';

/** Which events share a bucket: each source (file, partition) its own, or one for everything. */
export type RateLimitScope = 'source' | 'global';

/** Rate-limit settings (the `rate_limit.*` configuration keys). */
export interface RateLimitOptions {
  /** Events per second allowed (per key with `scope: 'source'`). */
  readonly eventsPerSec: number;
  /** Events allowed at once after a quiet spell (the bucket size). Default: one second's worth. */
  readonly burst?: number;
  readonly mode: RateLimitMode;
  /** Default `source`. */
  readonly scope?: RateLimitScope;
  /** Cap of local buckets (keys) kept; least recently used forgotten beyond. Default 10,000. */
  readonly maxBuckets?: number;
}

/** What the limiter needs from outside (all optional: real clock, local buckets). */
export interface RateLimiterDeps {
  /** Where buckets live (default: local buckets on {@link RateLimiterDeps.now}). */
  readonly store?: BucketStore;
  /** The clock of the local buckets (tests pass a fake one). */
  readonly now?: () => number;
  /** How to wait in `delay` mode; must reject when `signal` aborts (tests advance a fake clock). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The source's counters: drops are counted as `rate_limited`. */
  readonly metrics?: ComponentMetrics;
}

/** What one {@link RateLimiter.limit} let through. */
export interface RateLimitResult<T> {
  /** The items to deliver, in their order. */
  readonly kept: T[];
  /** Items dropped (`drop` mode). */
  readonly dropped: number;
  /** How long the batch waited (`delay` mode), ms. */
  readonly waitedMs: number;
}

/** Counters of a limiter (plain numbers). */
export interface RateLimiterStats {
  calls: number;
  admitted: number;
  dropped: number;
  /** Batches that had to wait, and the sum of their waits (ms). */
  delayed: number;
  waitedMs: number;
}

/** Thrown by {@link RateLimiter.limit} when its signal aborts during a wait: the batch was not delivered. */
export class RateLimitAborted extends Error {
  constructor() {
    super('rate-limit wait aborted (stopping)');
    this.name = 'RateLimitAborted';
  }
}

/** Checks the settings; throws SLUICE_CONFIG_INVALID naming the key. */
export function checkRateLimitOptions(o: RateLimitOptions): Required<RateLimitOptions> {
  const bad = (key: string, msg: string) => new SluiceError('SLUICE_CONFIG_INVALID', `rate_limit.${key}: ${msg}`);
  if (!(o.eventsPerSec > 0) || !Number.isFinite(o.eventsPerSec)) throw bad('events_per_sec', `must be a number above 0 (events per second), got ${o.eventsPerSec}`);
  const burst = o.burst ?? Math.max(1, Math.ceil(o.eventsPerSec));
  if (!(burst >= 1) || !Number.isFinite(burst)) throw bad('burst_count', `must be at least 1 (events allowed at once), got ${o.burst}`);
  if (o.mode !== 'delay' && o.mode !== 'drop') throw bad('mode', `must be delay (wait for tokens) or drop (drop and count what is over the rate), got ${String(o.mode)}`);
  const scope = o.scope ?? 'source';
  if (scope !== 'source' && scope !== 'global') throw bad('scope', `must be source (a bucket per file or partition) or global (one bucket), got ${String(scope)}`);
  return { eventsPerSec: o.eventsPerSec, burst, mode: o.mode, scope, maxBuckets: o.maxBuckets ?? 10_000 };
}

/** See the module comment. */
export class RateLimiter {
  readonly options: Required<RateLimitOptions>;
  readonly store: BucketStore;
  readonly stats: RateLimiterStats = { calls: 0, admitted: 0, dropped: 0, delayed: 0, waitedMs: 0 };
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: RateLimitOptions, private readonly deps: RateLimiterDeps = {}) {
    this.options = checkRateLimitOptions(options);
    this.store = deps.store ?? new LocalBucketStore(this.options.eventsPerSec, this.options.burst, deps.now ?? Date.now, this.options.maxBuckets);
    this.sleep = deps.sleep ?? abortableSleep;
  }

  /**
   * Applies the limit to one batch. `keyOf` names each item's source (ignored with `scope: 'global'`).
   * In `delay` mode resolves once the batch may go (rejects with {@link RateLimitAborted} when
   * `signal` aborts first); in `drop` mode resolves at once with the items within the rate.
   */
  async limit<T>(items: readonly T[], keyOf: (item: T, index: number) => string, signal?: AbortSignal): Promise<RateLimitResult<T>> {
    this.stats.calls++;
    if (items.length === 0) return { kept: [], dropped: 0, waitedMs: 0 };
    // Count per key, in order of first appearance (usually one key per batch).
    const counts = new Map<string, number>();
    const keys: string[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const k = this.options.scope === 'global' ? 'global' : keyOf(items[i]!, i);
      keys[i] = k;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    if (this.options.mode === 'delay') {
      let wait = 0;
      for (const [k, n] of counts) wait = Math.max(wait, (await this.store.take(k, n, 'delay')).waitMs);
      if (wait > 0) {
        this.stats.delayed++;
        this.stats.waitedMs += wait;
        if (signal?.aborted) throw new RateLimitAborted();
        try {
          await this.sleep(wait, signal);
        } catch {
          throw new RateLimitAborted();
        }
      }
      this.stats.admitted += items.length;
      return { kept: [...items], dropped: 0, waitedMs: wait };
    }
    const granted = new Map<string, number>();
    for (const [k, n] of counts) granted.set(k, (await this.store.take(k, n, 'drop')).granted);
    let kept: T[];
    if ([...counts].every(([k, n]) => granted.get(k) === n)) kept = [...items];
    else {
      kept = [];
      for (let i = 0; i < items.length; i++) {
        const left = granted.get(keys[i]!)!;
        if (left > 0) {
          kept.push(items[i]!);
          granted.set(keys[i]!, left - 1);
        }
      }
    }
    const dropped = items.length - kept.length;
    this.stats.admitted += kept.length;
    this.stats.dropped += dropped;
    if (dropped > 0) this.deps.metrics?.dropped('rate_limited', dropped);
    return { kept, dropped, waitedMs: 0 };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RateLimitAborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RateLimitAborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
