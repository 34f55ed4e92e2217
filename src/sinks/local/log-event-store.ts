/**
 * The embedded store of log documents (web access logs, honeypot events): `<data_dir>/logs.db`,
 * SQLite in WAL mode, one row per document keyed by its deterministic id, so writing a document
 * again (a replay after a crash, a second run over the same log) is ignored: exactly once without a
 * server. Packets keep their own store (sluice.db), whose rows and blobs have another shape.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SluiceError } from '../../errors.js';
import type { LogDocument } from '../../pipeline/logs/log-document.js';
import type { LogSink, LogWriteResult } from '../../pipeline/logs/log-sink.js';

/** File name of the log store in the data directory. */
export const LOG_STORE_FILE = 'logs.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_events (
  id TEXT PRIMARY KEY,
  dataset TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  target TEXT NOT NULL,
  doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_dataset_ts ON log_events (dataset, ts_ms);
`;

/** Opens (creating) the log store. `readonly` for queries. */
export function openLogEventDatabase(dataDir: string, readonly = false): Database.Database {
  try {
    if (!readonly) mkdirSync(dataDir, { recursive: true });
    const db = new Database(join(dataDir, LOG_STORE_FILE), { readonly, fileMustExist: readonly });
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    if (!readonly) {
      db.pragma('synchronous = normal');
      db.exec(SCHEMA);
    }
    return db;
  } catch (err) {
    throw new SluiceError('SLUICE_STORE_OPEN', `could not open the log store ${join(dataDir, LOG_STORE_FILE)}: ${(err as Error).message}`, { cause: err });
  }
}

/** {@link LogSink} into the embedded store: one transaction per write. */
export class LocalLogSink implements LogSink {
  readonly description: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly writeAll: (docs: readonly LogDocument[]) => number;

  constructor(dataDir: string) {
    this.description = `the store ${dataDir}`;
    this.db = openLogEventDatabase(dataDir);
    this.insert = this.db.prepare('INSERT OR IGNORE INTO log_events (id, dataset, ts_ms, target, doc) VALUES (?, ?, ?, ?, ?)');
    this.writeAll = this.db.transaction((docs: readonly LogDocument[]) => {
      let created = 0;
      for (const d of docs) created += this.insert.run(d.id, d.dataset, d.timestampMs, d.target, d.body.toString('utf8')).changes;
      return created;
    });
  }

  async write(docs: readonly LogDocument[]): Promise<LogWriteResult> {
    let created: number;
    try {
      created = this.writeAll(docs);
    } catch (err) {
      throw new SluiceError('SLUICE_STORE_WRITE', `writing to the log store failed: ${(err as Error).message}`, { cause: err });
    }
    return { created, existing: docs.length - created, dead: 0 };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Number of stored documents of `dataset` (tests, summaries). */
export function countLogEvents(dataDir: string, dataset: string): number {
  const db = openLogEventDatabase(dataDir, true);
  try {
    return (db.prepare('SELECT count(*) AS n FROM log_events WHERE dataset = ?').get(dataset) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** `/readyz` check of the log store: it opens and answers a query. */
export function logStoreReadiness(dataDir: string, name = 'store'): { readonly name: string; check(): Promise<void> } {
  return {
    name,
    async check() {
      const db = openLogEventDatabase(dataDir, true);
      try {
        db.prepare('SELECT 1').get();
      } finally {
        db.close();
      }
    },
  };
}
