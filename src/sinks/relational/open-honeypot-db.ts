/**
 * Opens the honeypot database: SQLite (better-sqlite3, the embedded default, its own file beside
 * the packet store so the two schemas migrate independently) or PostgreSQL (a `pg` pool), both
 * behind one `Kysely<HoneypotDatabase>`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { SluiceError } from '../../errors.js';
import { timestampOut } from './canonical-timestamp.js';
import type { HoneypotDatabase, HoneypotDialect } from './honeypot-database.js';

/** PostgreSQL connection and pool settings. */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:port/database` (a secret: never logged as given). */
  readonly url: string;
  /**
   * Most connections the pool opens (`pg.Pool` `max`). Default 10. pg's pool has no "overflow"
   * connections beyond `max`: further queries wait in the pool's queue, for at most
   * {@link poolTimeoutMs}.
   */
  readonly poolMaxCount?: number;
  /**
   * How long a query waits for a free pool connection, or for a new connection to be established,
   * before failing with SLUICE_HONEYPOT_DB (`connectionTimeoutMillis`). Default 10,000 ms; 0 waits
   * forever.
   */
  readonly poolTimeoutMs?: number;
  /** An idle connection is closed after this long (`idleTimeoutMillis`). Default 30,000 ms. */
  readonly idleTimeoutMs?: number;
}

/** Where the honeypot store lives. */
export type HoneypotDbOptions =
  | { readonly dialect: 'sqlite'; /** File path (`<data_dir>/honeypot.db`), or `:memory:`. */ readonly path: string }
  | ({ readonly dialect: 'postgres' } & PostgresConnectionOptions);

/** An open database. */
export interface HoneypotDb {
  readonly db: Kysely<HoneypotDatabase>;
  readonly dialect: HoneypotDialect;
  /** Where it is, for messages: the SQLite path, or the PostgreSQL URL without its password. */
  readonly where: string;
  close(): Promise<void>;
}

/** Defaults of {@link PostgresConnectionOptions}. */
export const POSTGRES_POOL_DEFAULTS = { poolMaxCount: 10, poolTimeoutMs: 10_000, idleTimeoutMs: 30_000 } as const;

/** The URL with its password replaced by `***` (for messages and logs). */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** Opens (but does not migrate) the database. Connection problems surface on the first query. */
export async function openHoneypotDb(options: HoneypotDbOptions): Promise<HoneypotDb> {
  if (options.dialect === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    let database: import('better-sqlite3').Database;
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      database = new Database(options.path);
      database.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last ones,
      // and those are re-read from the log because checkpoints advance only after the commit.
      database.pragma('synchronous = NORMAL');
      database.pragma('busy_timeout = 5000');
      // A batch touches pages all over the random-key indexes (uuid ids, session ids, addresses):
      // with the default 1000-page autocheckpoint nearly every commit checkpointed (copy + fsync),
      // and the cost grew with the store (half the ingest time at 200k events). 16k pages (64 MB
      // of WAL) checkpoint the same hot pages once for many batches; 64 MB of page cache keeps the
      // index interiors in memory. Durability is unchanged: commits live in the WAL either way.
      database.pragma('cache_size = -65536');
      database.pragma('wal_autocheckpoint = 16384');
    } catch (err) {
      throw new SluiceError('SLUICE_HONEYPOT_DB', `The honeypot database ${options.path} cannot be opened (${(err as Error).message}). Check that its folder is writable.`, { cause: err });
    }
    const db = new Kysely<HoneypotDatabase>({ dialect: new SqliteDialect({ database }) });
    return { db, dialect: 'sqlite', where: options.path, close: () => db.destroy() };
  }
  const where = redactPostgresUrl(options.url);
  const pg = await import('pg');
  const Pool = pg.default?.Pool ?? (pg as unknown as typeof import('pg')).Pool;
  const types = pg.default?.types ?? (pg as unknown as typeof import('pg')).types;
  // timestamptz as text (microseconds kept; a JS Date would cut them), turned into the canonical
  // form; bigint counts as numbers (they stay far below 2^53). Per pool, not pg's global table.
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') => {
    if (oid === 1184 || oid === 1114) return (v: string) => timestampOut(v);
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1700) return (v: string) => Number(v);
    return types.getTypeParser(oid, format as 'text');
  }) as typeof types.getTypeParser;
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolMaxCount ?? POSTGRES_POOL_DEFAULTS.poolMaxCount,
    connectionTimeoutMillis: options.poolTimeoutMs ?? POSTGRES_POOL_DEFAULTS.poolTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs ?? POSTGRES_POOL_DEFAULTS.idleTimeoutMs,
    // Session time zone UTC so timestamptz text comes back as +00.
    options: '-c TimeZone=UTC',
    types: { getTypeParser },
  });
  // An idle client that errors (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<HoneypotDatabase>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', where, close: () => db.destroy() };
}

/**
 * Runs a trivial query and turns a connection failure into SLUICE_HONEYPOT_DB with a message that
 * names the database (password redacted) and the cause.
 */
export async function checkHoneypotDb(h: HoneypotDb): Promise<void> {
  try {
    await sql`select 1`.execute(h.db);
  } catch (err) {
    throw honeypotDbError(h, 'cannot be reached', err);
  }
}

/** A SLUICE_HONEYPOT_DB error about `h`. */
export function honeypotDbError(h: Pick<HoneypotDb, 'dialect' | 'where'>, what: string, err: unknown): SluiceError {
  const e = err as { code?: string; message?: string };
  const hint =
    h.dialect === 'postgres'
      ? e.code === 'ECONNREFUSED'
        ? 'nothing listens there: is PostgreSQL running and postgres.url right?'
        : e.code === '28P01' || e.code === '28000'
          ? 'the login was refused: check the user and password in postgres.url'
          : e.code === '3D000'
            ? 'the database does not exist: create it (createdb) or fix postgres.url'
            : /timeout/i.test(e.message ?? '')
              ? 'no connection became free or could be opened within postgres.pool_timeout_ms'
              : 'check the server and postgres.url'
      : 'check that the file and its folder are writable';
  const cause = (e.message ?? String(err)).replace(/postgres(ql)?:\/\/[^\s]*/gi, (m) => redactPostgresUrl(m));
  return new SluiceError('SLUICE_HONEYPOT_DB', `The honeypot database ${h.where} ${what}: ${cause} (${hint}).`, { cause: err });
}
