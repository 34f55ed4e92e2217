/** The contracts between the shared sink driver and a sink (Vector's sink model, simplified). */

/** One item to deliver. */
export interface SinkItem<P = unknown> {
  /** Deterministic document id (same input, same id): replays are idempotent with `create`. */
  readonly id: string;
  /** Target (index, table, topic). */
  readonly target: string;
  /** The encoded document. */
  readonly body: Buffer;
  /** Where the item came from (file and frame, log offset…): echoed in acknowledgements and dead letters. */
  readonly position: P;
}

/** The outcome of one item of a request. */
export type ItemOutcome =
  /** Stored by this request. */
  | { readonly kind: 'created' }
  /** Already stored (409 on `create`): a replay; counts as delivered. */
  | { readonly kind: 'exists' }
  /** Temporary refusal (429, 5xx, es_rejected_execution_exception): retried with backoff. */
  | { readonly kind: 'retry'; readonly status: number; readonly reason: string }
  /** Permanent refusal (any other 4xx): goes to the dead-letter queue. */
  | { readonly kind: 'dead'; readonly status: number; readonly type: string; readonly reason: string };

/** A failure of a whole request (no per-item outcome). */
export class RequestFailure extends Error {
  /**
   * @param retryable true for connection failures, timeouts and 5xx/429 on the whole request.
   * @param status HTTP status when there was a response (413 makes the driver split the batch).
   */
  constructor(message: string, readonly retryable: boolean, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RequestFailure';
  }
}

/** What a sink implements for the driver: send one batch, report one outcome per item, in order. */
export interface BatchSender<I extends SinkItem> {
  send(batch: readonly I[]): Promise<ItemOutcome[]>;
}

/** Final result of an item, as the driver acknowledges it to the source. */
export type FinalOutcome = 'created' | 'exists' | 'dead';
