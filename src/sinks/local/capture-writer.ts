/**
 * Writes the packets of one capture into the embedded store, batch by batch.
 *
 * Each {@link CaptureWriter.commit} is one transaction holding the batch's packets and the
 * capture's progress (frames committed, file bytes consumed): the checkpoint never runs ahead of
 * the data. Rows are keyed by a deterministic rowid (capture number × 2^32 + frame) and inserted
 * with INSERT OR IGNORE, so re-ingesting a file adds nothing.
 */
import type Database from 'better-sqlite3';
import { SluiceError } from '../../errors.js';
import type { CaptureInterface, CaptureProblem } from '../../sources/pcap/types.js';
import type { LocalStore } from './local-store.js';
import { FRAME_SPAN } from './schema.js';

/** The identity of a capture being ingested. */
export interface CaptureIdentity {
  readonly captureId: string;
  readonly path: string;
  readonly name: string;
  readonly size: number;
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
  readonly bytesRead: number;
  readonly format: string | undefined;
  readonly interfaces: readonly CaptureInterface[];
}

/** Final state of a capture. */
export interface CaptureOutcome {
  readonly status: 'complete' | 'partial';
  readonly problems: readonly CaptureProblem[];
}

/** Batches packets of one capture into transactions. */
export class CaptureWriter {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly saveProgress: Database.Statement;
  private readonly base: number;
  private readonly commitTx: (progress: CaptureProgress) => number;

  // Pending rows, as parallel arrays: no object per packet.
  private frames: number[] = [];
  private times: bigint[] = [];
  private linkTypes: number[] = [];
  private ifaces: number[] = [];
  private lengths: number[] = [];
  private datas: Buffer[] = [];
  private docs: string[] = [];
  private lastFrame = 0;
  private firstTs: bigint | undefined;
  private lastTs: bigint | undefined;

  /** Rows inserted by this writer (excluding ones that were already stored). */
  inserted = 0;

  constructor(store: LocalStore, readonly state: StoredCaptureState) {
    this.db = store.db;
    this.base = state.id * FRAME_SPAN;
    this.insert = this.db.prepare(
      'INSERT OR IGNORE INTO packets (rowid, ts_ns, link_type, interface, orig_len, data, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.saveProgress = this.db.prepare(
      `UPDATE captures SET packets = max(packets, ?), bytes_read = ?, format = ?, interfaces = ?,
         first_ts_ns = coalesce(first_ts_ns, ?), last_ts_ns = coalesce(?, last_ts_ns) WHERE id = ?`,
    );
    this.commitTx = this.db.transaction((progress: CaptureProgress): number => {
      let n = 0;
      const { frames, times, linkTypes, ifaces, lengths, datas, docs, insert, base } = this;
      for (let i = 0; i < frames.length; i++) {
        n += insert.run(base + frames[i], times[i], linkTypes[i], ifaces[i], lengths[i], datas[i], docs[i]).changes;
      }
      this.saveProgress.run(
        this.lastFrame, progress.bytesRead, progress.format ?? null, JSON.stringify(progress.interfaces),
        this.firstTs ?? null, this.lastTs ?? null, this.state.id,
      );
      return n;
    });
  }

  /** Number of rows waiting for the next commit. */
  get pending(): number {
    return this.frames.length;
  }

  /** Queues one packet. `data` is copied by SQLite at commit time, so it must stay valid until then. */
  add(frame: number, tsNs: bigint, linkType: number, iface: number, origLen: number, data: Buffer, doc: string): void {
    if (frame >= FRAME_SPAN) {
      throw new SluiceError('SLUICE_STORE_WRITE', `frame ${frame} exceeds the store's limit of ${FRAME_SPAN - 1} packets per capture; split the capture (editcap -c)`);
    }
    this.frames.push(frame);
    this.times.push(tsNs);
    this.linkTypes.push(linkType);
    this.ifaces.push(iface);
    this.lengths.push(origLen);
    this.datas.push(data);
    this.docs.push(doc);
    if (this.firstTs === undefined) this.firstTs = tsNs;
    this.lastTs = tsNs;
    this.lastFrame = frame;
  }

  /** Notes that frames up to `frame` were read (for progress even when nothing new was queued). */
  seen(frame: number): void {
    if (frame > this.lastFrame) this.lastFrame = frame;
  }

  /** Writes the queued rows and the progress in one transaction. */
  commit(progress: CaptureProgress): void {
    try {
      this.inserted += this.commitTx(progress);
    } catch (err) {
      throw new SluiceError('SLUICE_STORE_WRITE', `writing packets of ${this.state.id} to the store failed: ${(err as Error).message}`, { cause: err });
    }
    this.frames = [];
    this.times = [];
    this.linkTypes = [];
    this.ifaces = [];
    this.lengths = [];
    this.datas = [];
    this.docs = [];
  }

  /** Records the final status and problems of the capture. */
  finish(outcome: CaptureOutcome): void {
    this.db
      .prepare("UPDATE captures SET status = ?, problems = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?")
      .run(outcome.status, JSON.stringify(outcome.problems), this.state.id);
  }
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
      "INSERT INTO captures (capture_id, path, name, size, status, started_at) VALUES (?, ?, ?, ?, 'ingesting', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )
    .run(identity.captureId, identity.path, identity.name, identity.size);
  const id = Number(info.lastInsertRowid);
  if (id * FRAME_SPAN > Number.MAX_SAFE_INTEGER) {
    throw new SluiceError('SLUICE_STORE_WRITE', `the store holds too many captures (${id}); start a new data directory`);
  }
  return { id, status: 'ingesting', packets: 0, size: identity.size };
}
