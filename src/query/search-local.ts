/**
 * Reads documents back from the embedded store in capture order (captures by first ingest, packets
 * by frame), without a query: what tests and tools use to walk a capture. Queries go through
 * query-local.ts.
 * Results are streamed with a SQLite iterator: no cap, constant memory.
 */
import { FRAME_SPAN } from '../sinks/local/schema.js';
import { completeDocument } from '../pipeline/packet-document.js';
import type { LocalStore } from '../sinks/local/local-store.js';

/** Options of {@link searchLocal}. */
export interface LocalSearchOptions {
  /** Only documents of captures whose path or base name equals this, or whose capture id does. */
  readonly file?: string;
  /** Stop after this many documents. Default: no limit. */
  readonly limit?: number;
}

/** One stored document. */
export interface StoredDocument {
  /** Deterministic document id (`<capture id>-<frame>`). */
  readonly id: string;
  /** The ECS document as UTF-8 JSON bytes. */
  readonly doc: Buffer;
}

/** Streams matching documents in capture order (captures by first ingest, packets by frame). */
export function* searchLocal(store: LocalStore, options: LocalSearchOptions = {}): Generator<StoredDocument> {
  const db = store.db;
  const captures = (options.file === undefined
    ? db.prepare('SELECT id, capture_id, doc_tail FROM captures ORDER BY id').all()
    : db.prepare('SELECT id, capture_id, doc_tail FROM captures WHERE path = ? OR name = ? OR capture_id = ? ORDER BY id').all(options.file, options.file, options.file)) as { id: number; capture_id: string; doc_tail: Buffer }[];
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  if (left <= 0) return;
  const stmt = db.prepare('SELECT rowid AS r, doc FROM packets WHERE rowid >= ? AND rowid < ? ORDER BY rowid');
  for (const c of captures) {
    const base = c.id * FRAME_SPAN;
    for (const row of stmt.iterate(base, base + FRAME_SPAN) as IterableIterator<{ r: number; doc: Buffer }>) {
      yield { id: c.capture_id + '-' + (row.r - base), doc: completeDocument(row.doc, c.doc_tail) };
      if (--left <= 0) return;
    }
  }
}

/** Number of documents (optionally only those of one capture). */
export function countStoredDocuments(store: LocalStore, options: Pick<LocalSearchOptions, 'file'> = {}): number {
  const db = store.db;
  if (options.file === undefined) return (db.prepare('SELECT count(*) AS n FROM packets').get() as { n: number }).n;
  const captures = db.prepare('SELECT id FROM captures WHERE path = ? OR name = ? OR capture_id = ?').all(options.file, options.file, options.file) as { id: number }[];
  const stmt = db.prepare('SELECT count(*) AS n FROM packets WHERE rowid >= ? AND rowid < ?');
  let n = 0;
  for (const c of captures) n += (stmt.get(c.id * FRAME_SPAN, (c.id + 1) * FRAME_SPAN) as { n: number }).n;
  return n;
}
