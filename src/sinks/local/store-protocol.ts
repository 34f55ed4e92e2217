/** Messages between the ingest (main thread) and the store worker. */
import type { CaptureIdentity, CaptureOutcome, CaptureProgress, StoredCaptureState } from './capture-writer.js';
import type { LocalStoreOptions } from './local-store.js';
import type { PackedPacketBatch } from '../../pipeline/packet-batch.js';

export type StoreRequest =
  | { id: number; op: 'open'; options: LocalStoreOptions }
  | { id: number; op: 'register'; identity: CaptureIdentity }
  | { id: number; op: 'write'; captureRowId: number; batch: PackedPacketBatch; progress: CaptureProgress }
  | { id: number; op: 'finish'; captureRowId: number; outcome: CaptureOutcome }
  | { id: number; op: 'close' };

export type StoreResponse =
  /** `buffers`: a written batch's byte buffers, handed back (transferred) for the next batches. */
  | { id: number; ok: true; result?: StoredCaptureState | number; buffers?: ArrayBuffer[] }
  | { id: number; ok: false; error: { message: string; code?: string } };
