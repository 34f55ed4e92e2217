/**
 * The embedded store: one SQLite database (better-sqlite3) under the data directory.
 *
 * WAL mode lets searches read while an ingest writes. Writes happen in batched transactions; a
 * capture's progress row is updated in the same transaction as its packets, so after a crash the
 * store says exactly which frames were committed (the checkpoint), never more.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SluiceError } from '../../errors.js';
import { MIGRATIONS } from './schema.js';

/** File name of the database inside the data directory. */
export const STORE_FILE = 'sluice.db';

/** Options of {@link openLocalStore}. */
export interface LocalStoreOptions {
  /** Directory of the store; created when missing. Default `./sluice-data`. */
  readonly dataDir?: string;
  /** SQLite `synchronous` pragma. Default 'normal' (durable at checkpoints in WAL mode). */
  readonly synchronous?: 'off' | 'normal' | 'full';
  /** Page cache size in MiB. Default 16 (an ingest appends; it does not need a large cache). */
  readonly cacheMb?: number;
  /** Open read-only (searches). The store must exist. */
  readonly readonly?: boolean;
  /** A writer truncates the WAL when it grows past this many bytes (readers kept it from restarting). Default 256 MiB. */
  readonly walLimitBytes?: number;
}

/** An open embedded store. */
export interface LocalStore {
  readonly db: Database.Database;
  readonly path: string;
  close(): void;
}

/** Opens (and creates or migrates) the embedded store. */
export function openLocalStore(options: LocalStoreOptions = {}): LocalStore {
  const dir = resolve(options.dataDir ?? './sluice-data');
  const path = join(dir, STORE_FILE);
  let db: Database.Database;
  try {
    if (!options.readonly) mkdirSync(dir, { recursive: true });
    db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (err) {
    const hint = options.readonly ? 'nothing has been ingested into it yet (run `sluice ingest` first)' : 'check that the directory is writable';
    throw new SluiceError('SLUICE_STORE_OPEN', `cannot open the store at ${path}: ${(err as Error).message}; ${hint}`, { cause: err });
  }
  try {
    // page_size only takes effect on a new, empty database, and must come before WAL is enabled.
    // Larger pages suit rows that carry a packet and its document (~0.5–2 KB each).
    if (!options.readonly) db.pragma('page_size = 8192');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'normal'}`);
    db.pragma(`cache_size = ${-1024 * (options.cacheMb ?? 16)}`);
    // Sorts (results in time order) spill to temporary files beyond the page cache, so a query
    // over millions of packets runs in bounded memory.
    db.pragma('temp_store = file');
    db.pragma('busy_timeout = 10000');
    // Checkpoint the WAL every ~80 MB rather than every 8 MB: each checkpoint syncs, and bulk
    // ingests write hundreds of MB.
    if (!options.readonly) db.pragma('wal_autocheckpoint = 10000');
    if (!options.readonly) migrate(db);
  } catch (err) {
    db.close();
    throw new SluiceError('SLUICE_STORE_OPEN', `cannot prepare the store at ${path}: ${(err as Error).message}`, { cause: err });
  }
  // No checkpoint on close: copying the WAL back costs a tenth of a large ingest, and the next
  // writer (or SQLite's automatic checkpoint) does it anyway.
  return { db, path, close: () => db.close() };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`the store was written by a newer sluice (schema ${version}, this one knows ${MIGRATIONS.length}); upgrade sluice`);
  }
  if (version === MIGRATIONS.length) return;
  const run = db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  run();
}
