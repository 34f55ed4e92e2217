/** The contract between the log pipeline (tail, Kafka consumer) and a sink of log documents. */
import type { LogDocument } from './log-document.js';

/** What became of the documents of one write. */
export interface LogWriteResult {
  /** Stored now. */
  readonly created: number;
  /** Already there (a replay): counts as delivered. */
  readonly existing: number;
  /** Refused for good and put in the dead-letter queue (with the reason). */
  readonly dead: number;
}

/** A sink of log documents. */
export interface LogSink {
  /** For messages: where documents go (`the store /var/lib/sluice`, `http://es:9200`). */
  readonly description: string;
  /**
   * Delivers `docs`; resolves once every one is final (created, already there, or dead-lettered),
   * which is when the source may move its checkpoint past them. Rejects only on a failure that
   * needs an operator (the sink stopped); the source then keeps its checkpoint.
   */
  write(docs: readonly LogDocument[]): Promise<LogWriteResult>;
  /** Flushes and releases the sink. */
  close(): Promise<void>;
}
