/**
 * The store worker: owns the SQLite connection of an ingest and runs its transactions on the
 * second core while the main thread reads, decodes and serializes the next batch.
 */
import { parentPort } from 'node:worker_threads';
import { SluiceError } from '../../errors.js';
import { finishCapture, registerCapture, writePacketBatch } from './capture-writer.js';
import { openLocalStore, type LocalStore } from './local-store.js';
import type { StoreRequest, StoreResponse } from './store-protocol.js';
import { reusableBuffers } from '../../pipeline/packet-batch.js';
import { WalLimit } from './wal-limit.js';

let store: LocalStore | undefined;
/** Truncates a WAL that readers let grow. */
let wal: WalLimit | undefined;

function handle(req: StoreRequest): StoreResponse {
  try {
    switch (req.op) {
      case 'open':
        store = openLocalStore(req.options);
        wal = new WalLimit(store, req.options.walLimitBytes);
        return { id: req.id, ok: true };
      case 'register':
        return { id: req.id, ok: true, result: registerCapture(need(), req.identity) };
      case 'write': {
        const inserted = writePacketBatch(need(), req.captureRowId, req.batch, req.progress);
        wal?.check();
        // The batch's bytes are in SQLite now: its buffers go back to be filled again.
        return { id: req.id, ok: true, result: inserted, buffers: reusableBuffers(req.batch) };
      }
      case 'finish':
        finishCapture(need(), req.captureRowId, req.outcome);
        wal?.check();
        return { id: req.id, ok: true };
      case 'close':
        store?.close();
        store = undefined;
        wal = undefined;
        return { id: req.id, ok: true };
    }
  } catch (err) {
    const e = err as Error & { code?: string };
    return { id: req.id, ok: false, error: { message: e.message, code: err instanceof SluiceError ? err.code : undefined } };
  }
}

function need(): LocalStore {
  if (store === undefined) throw new Error('the store worker received a request before open');
  return store;
}

parentPort!.on('message', (req: StoreRequest) => {
  const res = handle(req);
  parentPort!.postMessage(res, res.ok ? (res.buffers ?? []) : []);
});
