/**
 * {@link LogSink} into Elasticsearch/OpenSearch through the one shared driver: bulk `create` with
 * the documents' deterministic ids (a replay is a 409, counted as delivered), retries with backoff
 * behind the circuit breaker, refusals to the dead-letter queue under the data directory. A write
 * resolves when each of its documents is final, which is when the tail may move its checkpoint.
 */
import type { LogDocument, LogPosition } from '../../pipeline/logs/log-document.js';
import type { LogSink, LogWriteResult } from '../../pipeline/logs/log-sink.js';
import { BatchDriver, type BatchDriverObserver } from '../util/batch-driver.js';
import { DeadLetterQueue } from '../util/dead-letter-queue.js';
import type { FinalOutcome, SinkItem } from '../util/sink-item.js';
import { ElasticsearchSink } from './elasticsearch-sink.js';
import type { EngineClient } from './http/engine-client.js';

/** One write's documents still on their way. */
interface Pending {
  remaining: number;
  created: number;
  existing: number;
  dead: number;
  resolve: (r: LogWriteResult) => void;
}

type Item = SinkItem<LogPosition & { readonly write: Pending }>;

/** Options of {@link EngineLogSink}. */
export interface EngineLogSinkOptions {
  readonly client: EngineClient;
  /** Dead letters go to `<dataDir>/dlq/<sinkName>…`. */
  readonly dataDir: string;
  readonly sinkName: string;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
  readonly concurrency?: number;
  readonly observer?: BatchDriverObserver;
}

/** See the module comment. */
export class EngineLogSink implements LogSink {
  readonly description: string;
  private readonly driver: BatchDriver<Item>;
  private fatal: Error | undefined;
  private readonly waiting = new Set<{ reject: (e: Error) => void }>();

  constructor(options: EngineLogSinkOptions) {
    this.description = options.client.nodes.join(', ');
    this.driver = new BatchDriver<Item>({
      sender: new ElasticsearchSink(options.client),
      flushBytes: options.flushBytes,
      flushIntervalMs: options.flushIntervalMs,
      concurrency: options.concurrency,
      deadLetters: new DeadLetterQueue(options.dataDir, options.sinkName),
      observer: options.observer,
      onAck: (items, outcome) => this.acknowledge(items, outcome),
      onFatal: (err) => {
        this.fatal = err;
        for (const w of this.waiting) w.reject(err);
        this.waiting.clear();
      },
    });
  }

  async write(docs: readonly LogDocument[]): Promise<LogWriteResult> {
    if (this.fatal) throw this.fatal;
    if (docs.length === 0) return { created: 0, existing: 0, dead: 0 };
    let waiter!: { reject: (e: Error) => void };
    const done = new Promise<LogWriteResult>((resolve, reject) => {
      waiter = { reject };
      const pending: Pending = { remaining: docs.length, created: 0, existing: 0, dead: 0, resolve };
      this.waiting.add(waiter);
      void (async () => {
        try {
          for (const d of docs) {
            await this.driver.push({ id: d.id, target: d.target, body: d.body, position: { ...d.position, write: pending } });
          }
        } catch (err) {
          reject(err as Error);
        }
      })();
    });
    try {
      return await done;
    } finally {
      this.waiting.delete(waiter);
    }
  }

  private acknowledge(items: readonly Item[], outcome: FinalOutcome): void {
    for (const it of items) {
      const p = it.position.write;
      if (outcome === 'created') p.created++;
      else if (outcome === 'exists') p.existing++;
      else p.dead++;
      if (--p.remaining === 0) p.resolve({ created: p.created, existing: p.existing, dead: p.dead });
    }
  }

  /** Items pushed and not yet final. */
  get unacknowledged(): number {
    return this.driver.queueState().unacknowledgedItems;
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
