/**
 * Writes captures into the embedded store: registration by content identity, packet batches, and
 * the final outcome.
 *
 * Each {@link writePacketBatch} is one transaction holding the batch's packets and the capture's
 * progress (frames committed, file bytes consumed): the checkpoint never runs ahead of the data.
 * Rows are keyed by a deterministic rowid (capture number × 2^32 + frame) and inserted with
 * INSERT OR IGNORE, so re-ingesting a file adds nothing.
 */
import type Database from 'better-sqlite3';
import { SluiceError } from '../../errors.js';
import type { CaptureProblem } from '../../sources/pcap/types.js';
import type { LocalStore } from './local-store.js';
import type { PackedPacketBatch } from '../../pipeline/packet-batch.js';
import { FRAME_SPAN } from './schema.js';

/** The identity of a capture being ingested. */
export interface CaptureIdentity {
  readonly captureId: string;
  readonly path: string;
  readonly name: string;
  readonly size: number;
  /** The constant end of the capture's documents (stored once, when the capture is first seen). */
  readonly docTail: Uint8Array;
}

/** What the store already knows about a capture. */
export interface StoredCaptureState {
  /** Row id of the capture in the `captures` table. */
  readonly id: number;
  readonly status: 'ingesting' | 'complete' | 'partial';
  /** Frames committed so far (frames 1..packets are stored). */
  readonly packets: number;
  readonly size: number;
}

/** Progress saved with each batch. */
export interface CaptureProgress {
  /** File bytes consumed up to the end of this batch. */
  readonly bytesRead: number;
  /** Highest frame read so far (including frames skipped because they were already stored). */
  readonly lastFrame: number;
  readonly format: string | undefined;
  /** JSON array of the capture's interfaces. */
  readonly interfacesJson: string;
}

/** Final state of a capture. */
export interface CaptureOutcome {
  readonly status: 'complete' | 'partial';
  readonly problems: readonly CaptureProblem[];
}

const statements = new WeakMap<Database.Database, { progress: Database.Statement; tx: (id: number, b: PackedPacketBatch, p: CaptureProgress) => number }>();

/** Rows per multi-row INSERT: one call into SQLite for 16 packets cuts the per-call cost (~15%). */
const ROWS_PER_INSERT = 16;
const COLUMNS = 8;

function prepared(db: Database.Database) {
  let s = statements.get(db);
  if (s !== undefined) return s;
  const sql = 'INSERT OR IGNORE INTO packets (rowid, ts_sec, ts_nsec, link_type, interface, orig_len, data, doc) VALUES ';
  const one = '(?, ?, ?, ?, ?, ?, ?, ?)';
  const insert = db.prepare(sql + one);
  const insertMany = db.prepare(sql + new Array(ROWS_PER_INSERT).fill(one).join(', '));
  const params: unknown[] = new Array(ROWS_PER_INSERT * COLUMNS);
  const progress = db.prepare(
    `UPDATE captures SET packets = max(packets, ?), bytes_read = ?, format = coalesce(?, format), interfaces = ?,
       min_ts_ns = CASE WHEN ? IS NULL THEN min_ts_ns WHEN min_ts_ns IS NULL THEN ? ELSE min(min_ts_ns, ?) END,
       max_ts_ns = CASE WHEN ? IS NULL THEN max_ts_ns WHEN max_ts_ns IS NULL THEN ? ELSE max(max_ts_ns, ?) END
     WHERE id = ?`,
  );
  const tx = db.transaction((id: number, b: PackedPacketBatch, p: CaptureProgress): number => {
    const base = id * FRAME_SPAN;
    const data = Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    const docs = Buffer.from(b.docs.buffer, b.docs.byteOffset, b.docs.byteLength);
    let inserted = 0;
    let dataStart = 0;
    let docStart = 0;
    let k = 0;
    for (let i = 0; i < b.count; i++) {
      const frame = b.frames[i];
      if (frame >= FRAME_SPAN) {
        throw new SluiceError('SLUICE_STORE_WRITE', `frame ${frame} exceeds the store's limit of ${FRAME_SPAN - 1} packets per capture; split the capture (editcap -c)`);
      }
      const dataEnd = b.dataEnds[i];
      const docEnd = b.docEnds[i];
      params[k] = base + frame;
      params[k + 1] = b.tsSec[i];
      params[k + 2] = b.tsNsec[i];
      params[k + 3] = b.linkTypes[i];
      params[k + 4] = b.ifaces[i];
      params[k + 5] = b.origLens[i];
      params[k + 6] = data.subarray(dataStart, dataEnd);
      params[k + 7] = docs.subarray(docStart, docEnd);
      k += COLUMNS;
      if (k === params.length) {
        inserted += insertMany.run(params).changes;
        k = 0;
      }
      dataStart = dataEnd;
      docStart = docEnd;
    }
    for (let j = 0; j < k; j += COLUMNS) inserted += insert.run(params.slice(j, j + COLUMNS)).changes;
    // Earliest and latest time of the batch (packets are not always in time order).
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < b.count; i++) {
      if (lo < 0 || b.tsSec[i] < b.tsSec[lo] || (b.tsSec[i] === b.tsSec[lo] && b.tsNsec[i] < b.tsNsec[lo])) lo = i;
      if (hi < 0 || b.tsSec[i] > b.tsSec[hi] || (b.tsSec[i] === b.tsSec[hi] && b.tsNsec[i] > b.tsNsec[hi])) hi = i;
    }
    const ns = (i: number) => (i < 0 ? null : BigInt(b.tsSec[i]) * 1_000_000_000n + BigInt(b.tsNsec[i]));
    const min = ns(lo);
    const max = ns(hi);
    progress.run(p.lastFrame, p.bytesRead, p.format ?? null, p.interfacesJson, min, min, min, max, max, max, id);
    return inserted;
  });
  s = { progress, tx };
  statements.set(db, s);
  return s;
}

/** Writes one batch of a capture and its progress in one transaction; returns the rows inserted. */
export function writePacketBatch(store: LocalStore, captureRowId: number, batch: PackedPacketBatch, progress: CaptureProgress): number {
  try {
    return prepared(store.db).tx(captureRowId, batch, progress);
  } catch (err) {
    if (err instanceof SluiceError) throw err;
    throw new SluiceError('SLUICE_STORE_WRITE', `writing to the store at ${store.path} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** Records the final status and problems of a capture. */
export function finishCapture(store: LocalStore, captureRowId: number, outcome: CaptureOutcome): void {
  store.db
    .prepare("UPDATE captures SET status = ?, problems = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?")
    .run(outcome.status, JSON.stringify(outcome.problems), captureRowId);
}

/**
 * Finds or registers a capture by its content fingerprint. A capture seen before keeps its row
 * (and so its rowid range); its path is updated when the file was renamed or copied.
 */
export function registerCapture(store: LocalStore, identity: CaptureIdentity): StoredCaptureState {
  const db = store.db;
  const existing = db.prepare('SELECT id, status, packets, size FROM captures WHERE capture_id = ?').get(identity.captureId) as
    | StoredCaptureState
    | undefined;
  if (existing !== undefined) {
    if (existing.status !== 'complete' || existing.size !== identity.size) {
      db.prepare("UPDATE captures SET path = ?, name = ?, size = ?, status = 'ingesting' WHERE id = ?").run(identity.path, identity.name, identity.size, existing.id);
      return { ...existing, status: 'ingesting' };
    }
    db.prepare('UPDATE captures SET path = ?, name = ? WHERE id = ?').run(identity.path, identity.name, existing.id);
    return existing;
  }
  const info = db
    .prepare(
      "INSERT INTO captures (capture_id, path, name, size, doc_file, doc_name, doc_tail, status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'ingesting', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .run(identity.captureId, identity.path, identity.name, identity.size, identity.path, identity.name, Buffer.from(identity.docTail.buffer, identity.docTail.byteOffset, identity.docTail.byteLength));
  const id = Number(info.lastInsertRowid);
  if ((id + 1) * FRAME_SPAN > Number.MAX_SAFE_INTEGER) {
    throw new SluiceError('SLUICE_STORE_WRITE', `the store holds too many captures (${id}); start a new data directory`);
  }
  return { id, status: 'ingesting', packets: 0, size: identity.size };
}
