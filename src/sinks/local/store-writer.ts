/**
 * The ingest's handle on the embedded store: every write runs in a worker thread (one SQLite
 * connection there), so SQLite's work overlaps with decoding on the main thread.
 *
 * At most `maxInFlight` batches (default 2, ~10 MB; more bought no speed and cost memory) are queued in the worker: {@link StoreWriter.write} resolves as
 * soon as there is room, which is the backpressure that keeps memory bounded when the disk is slow.
 * {@link StoreWriter.drain} waits until every batch sent is committed.
 */
import { Worker } from 'node:worker_threads';
import { SluiceError, type ErrorCode, ERROR_CODES } from '../../errors.js';
import type { CaptureIdentity, CaptureOutcome, CaptureProgress, StoredCaptureState } from './capture-writer.js';
import type { LocalStoreOptions } from './local-store.js';
import { transferList, type PackedPacketBatch } from '../../pipeline/packet-batch.js';
import type { StoreRequest, StoreResponse } from './store-protocol.js';
import { BufferPool } from '../../pipeline/buffer-pool.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type RequestBody = StoreRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** Asynchronous writer over the store worker. */
export class StoreWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private inFlight: Promise<unknown>[] = [];
  private failure: Error | undefined;
  /** Rows inserted by all committed batches. */
  inserted = 0;
  /** Byte buffers of committed batches, back from the worker: build the next batches in them. */
  readonly buffers = new BufferPool();

  private constructor(private readonly maxInFlight: number) {
    this.worker = new Worker(new URL('./store-worker.js', import.meta.url));
    this.worker.on('message', (res: StoreResponse) => {
      const p = this.pending.get(res.id);
      if (res.ok && res.buffers) for (const b of res.buffers) this.buffers.give(b);
      if (p === undefined) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else {
        const code = res.error.code as ErrorCode | undefined;
        p.reject(code !== undefined && code in ERROR_CODES ? new SluiceError(code, res.error.message) : new SluiceError('SLUICE_STORE_WRITE', res.error.message));
      }
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0) this.failAll(new Error(`the store worker exited (code ${code}) with ${this.pending.size} request(s) pending`));
    });
  }

  /** Starts the worker and opens the store in it. */
  static async open(options: LocalStoreOptions, maxInFlight = 2): Promise<StoreWriter> {
    const w = new StoreWriter(maxInFlight);
    try {
      await w.call({ op: 'open', options });
    } catch (err) {
      await w.worker.terminate();
      throw err;
    }
    return w;
  }

  register(identity: CaptureIdentity): Promise<StoredCaptureState> {
    return this.call({ op: 'register', identity }) as Promise<StoredCaptureState>;
  }

  /**
   * Queues a batch; resolves when the worker has room for another (not when this one is committed).
   * `counter.inserted` (when given) grows by the rows this batch inserted once it is committed: several
   * captures may share one writer, and each counts its own rows.
   */
  async write(captureRowId: number, batch: PackedPacketBatch, progress: CaptureProgress, counter?: { inserted: number }): Promise<void> {
    if (this.failure) throw this.failure;
    const p = this.call({ op: 'write', captureRowId, batch, progress }, transferList(batch)).then((n) => {
      this.inserted += n as number;
      if (counter) counter.inserted += n as number;
    });
    // Failures surface from drain() or the next write(); keep the rejection handled meanwhile.
    p.catch((err: Error) => {
      this.failure ??= err;
    });
    this.inFlight.push(p);
    while (this.inFlight.length >= this.maxInFlight) {
      await this.inFlight.shift()!.catch(() => undefined);
      if (this.failure) throw this.failure;
    }
  }

  /** Waits until every queued batch is committed. */
  async drain(): Promise<void> {
    const all = this.inFlight;
    this.inFlight = [];
    await Promise.all(all.map((p) => p.catch(() => undefined)));
    if (this.failure) throw this.failure;
  }

  async finish(captureRowId: number, outcome: CaptureOutcome): Promise<void> {
    await this.drain();
    await this.call({ op: 'finish', captureRowId, outcome });
  }

  async close(): Promise<void> {
    try {
      await this.drain().catch(() => undefined);
      await this.call({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }

  private call(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as StoreRequest, transfer);
    });
  }

  private failAll(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
