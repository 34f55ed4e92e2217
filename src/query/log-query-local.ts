/**
 * Runs a KQL query against the log documents of the embedded store (`<data_dir>/logs.db`, table
 * `log_events`): the query is compiled with the dataset's catalog (`log-field-catalogs.ts`) to a
 * SQL WHERE clause with bound parameters, and matches are streamed with a SQLite iterator in time
 * order — `ts_ms`, then the document id — which is the order of the engine side (`@timestamp`
 * sorted at millisecond resolution, then `_id`), so both list the same documents in the same order.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SluiceError } from '../errors.js';
import { LOG_STORE_FILE, openLogEventDatabase } from '../sinks/local/log-event-store.js';
import { parseKql } from './kql/parse-kql.js';
import { compileSql } from './sql/compile-sql.js';
import { registerSqlFunctions } from './sql/sql-functions.js';
import { catalogForDataset, type LogDataset } from './log-field-catalogs.js';

/** A query on the log documents of the embedded store. */
export interface LogLocalQuery {
  readonly dataset: LogDataset;
  /** KQL; empty or `*` for everything. */
  readonly kql: string;
  /** Only documents whose `@timestamp` is at or after this time (ns since the epoch). */
  readonly fromNs?: bigint;
  /** Only documents whose `@timestamp` is before this time (ns since the epoch). */
  readonly toNs?: bigint;
  /** Stop after this many documents. Default: no limit. */
  readonly limit?: number;
}

/** A matching log document. */
export interface LogRow {
  /** Deterministic document id (`<file id>-<byte offset>`). */
  readonly id: string;
  /** Event time in ms since the epoch (the `ts_ms` column). */
  readonly tsMs: number;
  /** The ECS document as JSON text. */
  readonly doc: string;
}

const MS = 1_000_000n;

/** Floor division for nanoseconds → milliseconds (times before 1970 round down too). */
function floorMs(ns: bigint): bigint {
  const q = ns / MS;
  return ns % MS < 0n ? q - 1n : q;
}

/** The SQL (with its parameters) selecting the matches of `q`, in time order, or their number. */
export function compileLogQuery(q: LogLocalQuery, mode: 'rows' | 'count'): { sql: string; params: unknown[] } {
  const { where, params } = compileSql(parseKql(q.kql), catalogForDataset(q.dataset));
  const conds = ['e.dataset = ?', `(${where})`];
  const all: unknown[] = [q.dataset, ...params];
  // ts_ms (indexed with the dataset) narrows by milliseconds; the exact test reads @timestamp.
  if (q.fromNs !== undefined) {
    conds.push('e.ts_ms >= ?', `sluice_date_ns(json_extract(e.doc, '$."@timestamp"')) >= ?`);
    all.push(floorMs(q.fromNs), q.fromNs);
  }
  if (q.toNs !== undefined) {
    conds.push('e.ts_ms <= ?', `sluice_date_ns(json_extract(e.doc, '$."@timestamp"')) < ?`);
    all.push(floorMs(q.toNs - 1n), q.toNs);
  }
  if (mode === 'count') return { sql: `SELECT count(*) AS n FROM log_events e WHERE ${conds.join(' AND ')}`, params: all };
  let sql = `SELECT e.id AS id, e.ts_ms AS ts, e.doc AS doc FROM log_events e WHERE ${conds.join(' AND ')} ORDER BY e.ts_ms, e.id`;
  if (q.limit !== undefined) {
    sql += ' LIMIT ?';
    all.push(q.limit);
  }
  return { sql, params: all };
}

/**
 * Opens `<data_dir>/logs.db` for queries, with sluice's SQL functions registered. Throws
 * `SLUICE_STORE_OPEN` with what to do when there is no log store yet.
 */
export function openLogQueryDatabase(dataDir: string): Database.Database {
  if (!existsSync(join(dataDir, LOG_STORE_FILE))) {
    throw new SluiceError(
      'SLUICE_STORE_OPEN',
      `the data directory ${dataDir} holds no log documents yet (no ${LOG_STORE_FILE}): ingest access logs with \`sluice tail FILE --once\` or honeypot logs with \`sluice tail --dataset honeypot FILE --once\`, or pass --data-dir`,
    );
  }
  const db = openLogEventDatabase(dataDir, true);
  registerSqlFunctions(db);
  return db;
}

/** Streams the documents matching `q` in time order (ties by id). `db` from {@link openLogQueryDatabase}. */
export function* queryLogEvents(db: Database.Database, q: LogLocalQuery): Generator<LogRow> {
  if (q.limit !== undefined && q.limit <= 0) return;
  const { sql, params } = compileLogQuery(q, 'rows');
  for (const r of db.prepare(sql).iterate(...params) as IterableIterator<{ id: string; ts: number; doc: string }>) {
    yield { id: r.id, tsMs: r.ts, doc: r.doc };
  }
}

/** Number of documents matching `q` (at most `q.limit`). */
export function countLogQuery(db: Database.Database, q: LogLocalQuery): number {
  const { sql, params } = compileLogQuery(q, 'count');
  const n = (db.prepare(sql).get(...params) as { n: number }).n;
  return q.limit === undefined ? n : Math.min(n, q.limit);
}
