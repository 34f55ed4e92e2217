/**
 * Checkpoints of the tail source: `<data_dir>/tail-state.sqlite` (better-sqlite3, WAL).
 *
 * One row per file identity: the id used in document ids, where the file was last seen (path,
 * device, inode), its head (the first bytes, at most the fingerprint size, compared as a prefix to
 * recognise the file again), the offset up to which the sink acknowledged every line, the size
 * last seen and a status. A row is written before the first line of its file is emitted, so a
 * file's id never changes, even after a crash.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SluiceError } from '../../errors.js';

/** Whether a file is still followed. */
export type TailFileStatus =
  /** Being tailed (or was, when sluice stopped). */
  | 'active'
  /** Rotated away and idle: closed, recognised again by device + inode + head if it grows. */
  | 'closed'
  /** Deleted or truncated away: never matched again. */
  | 'gone';

/** One checkpoint row. */
export interface TailFileRow {
  readonly id: string;
  path: string;
  dev: bigint;
  ino: bigint;
  head: Buffer;
  /** Every line before this byte offset was acknowledged by the sink. */
  offset: number;
  size: number;
  status: TailFileStatus;
  readonly firstSeenMs: number;
  updatedMs: number;
}

/** The file name of the tail checkpoints inside the data directory. */
export const TAIL_STATE_FILE = 'tail-state.sqlite';

/** How long rows of files that are gone are kept (for diagnosis), in days. */
const GONE_RETENTION_DAYS = 7;

/** The tail checkpoint store. */
export class TailStateStore {
  private readonly db: Database.Database;
  private readonly upsertStmt: Database.Statement;
  private readonly writeMany: (rows: readonly TailFileRow[]) => void;

  /** Opens (creating) `<dataDir>/tail-state.sqlite`. */
  constructor(dataDir: string) {
    const file = join(dataDir, TAIL_STATE_FILE);
    try {
      mkdirSync(dataDir, { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = normal');
      this.db.pragma('busy_timeout = 10000');
      this.db.exec(`CREATE TABLE IF NOT EXISTS tail_files (
        id TEXT PRIMARY KEY,
        path TEXT NOT NULL,
        dev TEXT NOT NULL,
        ino TEXT NOT NULL,
        head BLOB NOT NULL,
        offset INTEGER NOT NULL,
        size INTEGER NOT NULL,
        status TEXT NOT NULL,
        first_seen_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      ) STRICT`);
      this.db.prepare(`DELETE FROM tail_files WHERE status = 'gone' AND updated_ms < ?`).run(Date.now() - GONE_RETENTION_DAYS * 86_400_000);
    } catch (err) {
      throw new SluiceError('SLUICE_STORE_OPEN', `Cannot open the tail checkpoints ${file}: ${(err as Error).message}. Check that the data directory is writable.`, { cause: err });
    }
    this.upsertStmt = this.db.prepare(`INSERT INTO tail_files (id, path, dev, ino, head, offset, size, status, first_seen_ms, updated_ms)
      VALUES (@id, @path, @dev, @ino, @head, @offset, @size, @status, @firstSeenMs, @updatedMs)
      ON CONFLICT (id) DO UPDATE SET path = excluded.path, dev = excluded.dev, ino = excluded.ino, head = excluded.head,
        offset = excluded.offset, size = excluded.size, status = excluded.status, updated_ms = excluded.updated_ms`);
    this.writeMany = this.db.transaction((rows: readonly TailFileRow[]) => {
      for (const r of rows) this.upsertStmt.run(toParams(r));
    });
  }

  /** The rows of files that may still be followed ('active' and 'closed'). */
  load(): TailFileRow[] {
    const rows = this.db.prepare(`SELECT * FROM tail_files WHERE status != 'gone' ORDER BY first_seen_ms`).all() as Record<string, unknown>[];
    return rows.map(fromRow);
  }

  /** Every row (tests and diagnostics). */
  all(): TailFileRow[] {
    return (this.db.prepare(`SELECT * FROM tail_files ORDER BY first_seen_ms`).all() as Record<string, unknown>[]).map(fromRow);
  }

  /** Writes rows in one transaction. */
  save(rows: readonly TailFileRow[]): void {
    if (rows.length === 0) return;
    try {
      this.writeMany(rows);
    } catch (err) {
      throw new SluiceError('SLUICE_STORE_WRITE', `Cannot write the tail checkpoints: ${(err as Error).message}. Lines acknowledged since the last checkpoint will be sent again after a restart (their ids make that harmless).`, { cause: err });
    }
  }

  close(): void {
    this.db.close();
  }
}

function toParams(r: TailFileRow) {
  return {
    id: r.id,
    path: r.path,
    dev: r.dev.toString(),
    ino: r.ino.toString(),
    head: r.head,
    offset: r.offset,
    size: r.size,
    status: r.status,
    firstSeenMs: r.firstSeenMs,
    updatedMs: r.updatedMs,
  };
}

function fromRow(r: Record<string, unknown>): TailFileRow {
  return {
    id: r.id as string,
    path: r.path as string,
    dev: BigInt(r.dev as string),
    ino: BigInt(r.ino as string),
    head: r.head as Buffer,
    offset: Number(r.offset),
    size: Number(r.size),
    status: r.status as TailFileStatus,
    firstSeenMs: Number(r.first_seen_ms),
    updatedMs: Number(r.updated_ms),
  };
}
