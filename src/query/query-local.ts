/**
 * Runs a KQL query against the embedded store: the query is parsed, compiled to a SQL WHERE
 * clause with bound parameters (src/query/sql), and matching packets are streamed in time order
 * with a SQLite iterator: no cap, memory bounded by SQLite's sorter (which spills to disk).
 */
import type Database from 'better-sqlite3';
import { parseKql } from './kql/parse-kql.js';
import { compileSql } from './sql/compile-sql.js';
import { registerSqlFunctions } from './sql/sql-functions.js';
import type { LocalStore } from '../sinks/local/local-store.js';
import type { CaptureInterface } from '../sources/pcap/types.js';

/** A query on the embedded store. */
export interface LocalQuery {
  /** KQL; empty or `*` for everything. */
  readonly kql: string;
  /** Only packets at or after this time (ns since the epoch). */
  readonly fromNs?: bigint;
  /** Only packets before this time (ns since the epoch). */
  readonly toNs?: bigint;
  /** Stop after this many packets. Default: no limit. */
  readonly limit?: number;
}

/** What each matching row carries. */
export type RowPayload = 'doc' | 'data';

/** A matching packet. */
export interface QueryRow {
  /** Row id: capture number × 2^32 + frame. */
  readonly rowid: number;
  /** The capture's number in the store (`captures.id`). */
  readonly capture: number;
  readonly frame: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  readonly linkType: number;
  readonly iface: number;
  readonly origLen: number;
  /** The stored document (`doc` payload) or the captured bytes (`data` payload). */
  readonly payload: Buffer;
}

/** What the store knows about one capture, for completing documents and describing interfaces. */
export interface CaptureInfo {
  readonly id: number;
  readonly captureId: string;
  readonly path: string;
  readonly docTail: Buffer;
  readonly interfaces: CaptureInterface[];
}

const prepared = new WeakSet<Database.Database>();

function ensureFunctions(db: Database.Database): void {
  if (prepared.has(db)) return;
  registerSqlFunctions(db);
  prepared.add(db);
}

/** The SQL (with its parameters) selecting the matches of `q`, in time order. */
export function compileLocalQuery(q: LocalQuery, payload: RowPayload | 'count' | 'captures'): { sql: string; params: unknown[] } {
  const { where, params } = compileSql(parseKql(q.kql));
  const conds = [`(${where})`];
  const all: unknown[] = [...params];
  if (q.fromNs !== undefined) {
    // Whole captures outside the range are skipped by their min/max times before any row is read.
    conds.push('c.max_ts_ns >= ?', 'p.ts_ns >= ?');
    all.push(q.fromNs, q.fromNs);
  }
  if (q.toNs !== undefined) {
    conds.push('c.min_ts_ns < ?', 'p.ts_ns < ?');
    all.push(q.toNs, q.toNs);
  }
  const from = 'FROM packets p JOIN captures c ON c.id = (p.rowid >> 32)';
  if (payload === 'count') return { sql: `SELECT count(*) AS n ${from} WHERE ${conds.join(' AND ')}`, params: all };
  if (payload === 'captures') return { sql: `SELECT DISTINCT c.id AS id ${from} WHERE ${conds.join(' AND ')}`, params: all };
  let sql =
    `SELECT p.rowid AS rowid, p.ts_sec AS s, p.ts_nsec AS ns, p.link_type AS lt, p.interface AS i, p.orig_len AS len, p.${payload} AS payload ` +
    `${from} WHERE ${conds.join(' AND ')} ORDER BY p.ts_sec, p.ts_nsec, p.rowid`;
  if (q.limit !== undefined) {
    sql += ' LIMIT ?';
    all.push(q.limit);
  }
  return { sql, params: all };
}

/** Streams the packets matching `q`, in time order (ties in capture and frame order). */
export function* queryLocal(store: LocalStore, q: LocalQuery, payload: RowPayload): Generator<QueryRow> {
  if (q.limit !== undefined && q.limit <= 0) return;
  ensureFunctions(store.db);
  const { sql, params } = compileLocalQuery(q, payload);
  const rows = store.db.prepare(sql).iterate(...params) as IterableIterator<{ rowid: number; s: number; ns: number; lt: number; i: number; len: number; payload: Buffer }>;
  for (const r of rows) {
    const capture = Math.floor(r.rowid / 4294967296);
    yield { rowid: r.rowid, capture, frame: r.rowid - capture * 4294967296, tsSec: r.s, tsNsec: r.ns, linkType: r.lt, iface: r.i, origLen: r.len, payload: r.payload };
  }
}

/** Number of packets matching `q`. */
export function countLocal(store: LocalStore, q: LocalQuery): number {
  ensureFunctions(store.db);
  const { sql, params } = compileLocalQuery(q, 'count');
  const n = (store.db.prepare(sql).get(...params) as { n: number }).n;
  return q.limit === undefined ? n : Math.min(n, q.limit);
}

/** Numbers of the captures that hold at least one match of `q`. */
export function matchingCaptures(store: LocalStore, q: LocalQuery): number[] {
  ensureFunctions(store.db);
  const { sql, params } = compileLocalQuery({ ...q, limit: undefined }, 'captures');
  return (store.db.prepare(sql).all(...params) as { id: number }[]).map((r) => r.id);
}

/** Every capture of the store, by number. */
export function loadCaptures(store: LocalStore): Map<number, CaptureInfo> {
  const rows = store.db.prepare('SELECT id, capture_id, doc_file, doc_tail, interfaces FROM captures').all() as {
    id: number; capture_id: string; doc_file: string; doc_tail: Buffer; interfaces: string;
  }[];
  return new Map(rows.map((r) => [r.id, { id: r.id, captureId: r.capture_id, path: r.doc_file, docTail: r.doc_tail, interfaces: JSON.parse(r.interfaces) as CaptureInterface[] }]));
}
