/**
 * The one batching / concurrency / retry / dead-letter driver every sink uses (Vector's sink
 * driver, reduced to what sluice needs).
 *
 *   push(item) → batch (by bytes, or when the interval passes) → at most `concurrency` requests in
 *   flight → per-item outcomes → created / exists: done; retry: backoff, then resend those items
 *   only; dead: dead-letter queue → acknowledgement to the source.
 *
 * Whole-request failures are retried behind a circuit breaker; a 413 splits the batch in two.
 * `push` waits while more than `maxPendingBytes` are buffered or in flight: that is the
 * backpressure that keeps memory bounded when the engine is slow or down. Nothing is counted as
 * dropped while it may still be retried, and an item is acknowledged only when it is final.
 */
import { fullJitterDelay, sleep, type BackoffOptions } from './backoff.js';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { RequestFailure, type BatchSender, type FinalOutcome, type SinkItem } from './sink-item.js';

/** Where the driver puts permanently refused items (a DeadLetterQueue, or anything that records them). */
export interface DeadLetterSink<I extends SinkItem> {
  add(items: readonly { item: I; status: number; type: string; reason: string }[]): Promise<void>;
}

/** How one request ended: every item final (`success`), some items to resend or refused (`partial`), or no answer to use (`error`: refused connection, timeout, 5xx, 413). */
export type SinkRequestOutcome = 'success' | 'partial' | 'error';

/** What a driver holds right now (read by metrics on scrape, never pushed per event). */
export interface BatchDriverQueueState {
  /** Items pushed and not yet final: how far the checkpoint trails what was read. */
  readonly unacknowledgedItems: number;
  /** Items waiting to be sent (in the open batch, waiting for a request slot, or waiting to be resent). */
  readonly queuedItems: number;
  /** Requests waiting for an answer. */
  readonly inFlightRequests: number;
  /** Bytes buffered or in flight (what backpressure is measured in). */
  readonly pendingBytes: number;
  /** The circuit breaker in front of whole requests. */
  readonly breaker: 'closed' | 'half-open' | 'open';
}

/**
 * Optional instrumentation of a driver (metrics). Called per request and per group of final items,
 * never per pushed item; every member is optional and must not throw.
 */
export interface BatchDriverObserver {
  /** The driver was created; `state` reads its queue at any time. */
  attached?(state: () => BatchDriverQueueState): void;
  /** The driver closed or stopped (called once); drop the `state` reader. */
  detached?(state: () => BatchDriverQueueState): void;
  /** A request ended after `durationSeconds`, carrying `items` items of `bytes` bytes. */
  requestFinished?(request: { readonly items: number; readonly bytes: number; readonly durationSeconds: number; readonly outcome: SinkRequestOutcome }): void;
  /** `items` items (of `bytes` bytes) became final with `outcome`. */
  final?(outcome: FinalOutcome, items: number, bytes: number): void;
}

/** Driver settings (units in the names). */
export interface BatchDriverOptions<I extends SinkItem> {
  readonly sender: BatchSender<I>;
  /** Send a batch once it holds this many bytes. Default 5 MiB. */
  readonly flushBytes?: number;
  /** …or this many items. Default 10,000. */
  readonly flushItems?: number;
  /** …or once its first item waited this long. Default 1,000 ms. */
  readonly flushIntervalMs?: number;
  /** Requests in flight at once. Default 2. */
  readonly concurrency?: number;
  /** push() waits while more bytes than this are buffered or in flight. Default 4 × flushBytes × concurrency. */
  readonly maxPendingBytes?: number;
  readonly retry?: BackoffOptions;
  readonly breaker?: CircuitBreakerOptions;
  /** Where permanently refused items go. Without one they are acknowledged as 'dead' and counted. */
  readonly deadLetters?: DeadLetterSink<I>;
  /** Called when items are final, with their outcome. */
  readonly onAck?: (items: readonly I[], outcome: FinalOutcome) => void;
  /** A failure that needs an operator (bad credentials, a rejected request): the driver stops. */
  readonly onFatal?: (err: Error) => void;
  /** Instrumentation (metrics): request durations and outcomes, final items, queue state. */
  readonly observer?: BatchDriverObserver;
}

/** Counters of a driver (per item, not per request). */
export interface BatchDriverStats {
  items: number;
  created: number;
  exists: number;
  retried: number;
  dead: number;
  requests: number;
  requestFailures: number;
  splits: number;
}

/** See the module comment. */
export class BatchDriver<I extends SinkItem> {
  private batch: I[] = [];
  private batchBytes = 0;
  private batchStarted = 0;
  private pendingBytes = 0;
  private inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private fatal: Error | undefined;
  private readonly abort = new AbortController();
  /** Items pushed and not final, and items inside a request now (for {@link BatchDriver.queueState}). */
  private unacked = 0;
  private sendingItems = 0;
  private sendingRequests = 0;
  private observed: (() => BatchDriverQueueState) | undefined;
  readonly breaker: CircuitBreaker;
  readonly stats: BatchDriverStats = { items: 0, created: 0, exists: 0, retried: 0, dead: 0, requests: 0, requestFailures: 0, splits: 0 };

  constructor(private readonly options: BatchDriverOptions<I>) {
    this.breaker = new CircuitBreaker(options.breaker);
    if (options.observer !== undefined) {
      this.observed = () => this.queueState();
      options.observer.attached?.(this.observed);
    }
  }

  /** What the driver holds now (see {@link BatchDriverQueueState}). */
  queueState(): BatchDriverQueueState {
    return {
      unacknowledgedItems: this.unacked,
      queuedItems: this.unacked - this.sendingItems,
      inFlightRequests: this.sendingRequests,
      pendingBytes: this.pendingBytes,
      breaker: this.breaker.state,
    };
  }

  private detach(): void {
    const state = this.observed;
    if (state === undefined) return;
    this.observed = undefined;
    this.options.observer?.detached?.(state);
  }

  private get flushBytes(): number {
    return this.options.flushBytes ?? 5 * 1024 * 1024;
  }

  private get maxPendingBytes(): number {
    return this.options.maxPendingBytes ?? 4 * this.flushBytes * (this.options.concurrency ?? 2);
  }

  /** Adds an item; waits while the driver holds too much (backpressure). Throws after a fatal failure. */
  async push(item: I): Promise<void> {
    if (this.fatal) throw this.fatal;
    while (this.pendingBytes > this.maxPendingBytes) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      if (this.fatal) throw this.fatal;
    }
    if (this.batch.length === 0) {
      this.batchStarted = Date.now();
      this.timer ??= setTimeout(() => this.onTimer(), this.options.flushIntervalMs ?? 1_000);
    }
    this.batch.push(item);
    this.batchBytes += item.body.length;
    this.pendingBytes += item.body.length;
    this.stats.items++;
    this.unacked++;
    if (this.batchBytes >= this.flushBytes || this.batch.length >= (this.options.flushItems ?? 10_000)) await this.dispatch();
  }

  /** Sends what is buffered now (does not wait for it to finish). */
  async flush(): Promise<void> {
    if (this.batch.length > 0) await this.dispatch();
  }

  /** Sends what is buffered and waits until every item pushed so far is final. */
  async drain(): Promise<void> {
    await this.flush();
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    if (this.fatal) throw this.fatal;
  }

  /** Drains, then stops the timer. */
  async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.detach();
    }
  }

  /** Gives up on everything in flight (shutdown after a fatal failure). */
  stop(): void {
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.detach();
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const age = Date.now() - this.batchStarted;
    const interval = this.options.flushIntervalMs ?? 1_000;
    if (age >= interval) void this.dispatch().catch(() => undefined);
    else this.timer = setTimeout(() => this.onTimer(), interval - age);
  }

  private async dispatch(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    if (batch.length === 0) return;
    while (this.inFlight.size >= (this.options.concurrency ?? 2)) await Promise.race(this.inFlight);
    const task = this.deliver(batch).catch((err: Error) => {
      this.fatal ??= err;
      this.options.onFatal?.(err);
      this.release();
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Delivers one batch until every item is final. */
  private async deliver(items: readonly I[]): Promise<void> {
    let pending = items;
    let attempt = 0;
    while (pending.length > 0) {
      if (this.abort.signal.aborted) return;
      await this.breaker.allow(this.abort.signal);
      let outcomes;
      try {
        outcomes = await this.send(pending);
        this.breaker.success();
      } catch (err) {
        if (!(err instanceof RequestFailure)) throw err;
        this.stats.requestFailures++;
        if (err.status === 413) {
          if (pending.length === 1) {
            await this.final(pending, 'dead', { status: 413, type: 'request_entity_too_large', reason: 'the document alone is larger than the engine accepts (http.max_content_length)' });
            return;
          }
          // Too large for the engine: split in two and deliver each half on its own.
          this.stats.splits++;
          const half = Math.ceil(pending.length / 2);
          await this.deliver(pending.slice(0, half));
          await this.deliver(pending.slice(half));
          return;
        }
        if (!err.retryable) throw err;
        this.breaker.failure();
        await sleep(fullJitterDelay(attempt++, this.options.retry), this.abort.signal);
        continue;
      }
      const retry: I[] = [];
      const created: I[] = [];
      const exists: I[] = [];
      const dead: { item: I; status: number; type: string; reason: string }[] = [];
      for (let i = 0; i < pending.length; i++) {
        const o = outcomes[i];
        const item = pending[i];
        if (o === undefined) retry.push(item); // a short response: treat the missing items as not done
        else if (o.kind === 'created') created.push(item);
        else if (o.kind === 'exists') exists.push(item);
        else if (o.kind === 'retry') retry.push(item);
        else dead.push({ item, status: o.status, type: o.type, reason: o.reason });
      }
      if (created.length > 0) await this.final(created, 'created');
      if (exists.length > 0) await this.final(exists, 'exists');
      if (dead.length > 0) {
        await this.options.deadLetters?.add(dead);
        await this.final(dead.map((d) => d.item), 'dead');
      }
      pending = retry;
      if (retry.length > 0) {
        this.stats.retried += retry.length;
        await sleep(fullJitterDelay(attempt++, this.options.retry), this.abort.signal);
      }
    }
  }

  /** One request: counts it, and tells the observer how long it took and how it ended. */
  private async send(pending: readonly I[]): ReturnType<BatchSender<I>['send']> {
    const report = this.options.observer?.requestFinished;
    const started = report === undefined ? 0 : performance.now();
    this.stats.requests++;
    this.sendingItems += pending.length;
    this.sendingRequests++;
    let outcome: SinkRequestOutcome = 'error';
    try {
      const outcomes = await this.options.sender.send(pending);
      outcome = outcomes.length === pending.length && outcomes.every((o) => o.kind === 'created' || o.kind === 'exists') ? 'success' : 'partial';
      return outcomes;
    } finally {
      this.sendingItems -= pending.length;
      this.sendingRequests--;
      if (report !== undefined) {
        let bytes = 0;
        for (const it of pending) bytes += it.body.length;
        report({ items: pending.length, bytes, durationSeconds: (performance.now() - started) / 1000, outcome });
      }
    }
  }

  private async final(items: readonly I[], outcome: FinalOutcome, deadInfo?: { status: number; type: string; reason: string }): Promise<void> {
    if (deadInfo !== undefined) await this.options.deadLetters?.add(items.map((item) => ({ item, ...deadInfo })));
    this.stats[outcome] += items.length;
    let bytes = 0;
    for (const it of items) bytes += it.body.length;
    this.pendingBytes -= bytes;
    this.unacked -= items.length;
    this.options.observer?.final?.(outcome, items.length, bytes);
    this.options.onAck?.(items, outcome);
    this.release();
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    if (this.pendingBytes > this.maxPendingBytes && this.fatal === undefined) return;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
