/**
 * `sluice search [kql…]`: matching documents from the embedded store, in time order. NDJSON when
 * the output is not a terminal or with `--output json`; a table on a terminal. No cap unless
 * `--limit` is given; `--count` prints the number of matches only.
 *
 * `--dataset packets|access|honeypot` picks the documents (default packets): packets come from
 * sluice.db / `sluice-packets-*`, access logs and honeypot events from logs.db / their daily
 * indices, each queried with its own field catalog. Both paths list the same documents in the same
 * order for the same query.
 */
import { completeDocument, packetDocumentId } from '../../pipeline/packet-document.js';
import { countLocal, loadCaptures, queryLocal } from '../../query/query-local.js';
import { openLocalStore } from '../../sinks/local/local-store.js';
import { processIO, writeAsync, type CommandIO } from '../output.js';
import type { SluiceConfig } from '../../config/index.js';
import { SluiceError } from '../../errors.js';
import { engineClientFromConfig } from './engine-client-from-config.js';
import type { LogDataset, QueryDataset } from '../../query/log-field-catalogs.js';

const NEWLINE = Buffer.from('\n');

/** Options of {@link runSearch}. */
export interface SearchCommandOptions {
  readonly dataDir: string;
  /** KQL (already joined from the arguments; the positional archiver form already translated). */
  readonly kql: string;
  readonly output: 'table' | 'json' | 'auto';
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  readonly limit?: number;
  readonly count?: boolean;
  /** Search Elasticsearch/OpenSearch instead of the embedded store (when urls are set). */
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
  readonly engine?: boolean;
  /** Which documents to search. Default `packets`. */
  readonly dataset?: QueryDataset;
  /** `access_log.index_pattern` (engine search of `--dataset access`). Default `sluice-access-%Y.%m.%d`. */
  readonly accessIndexPattern?: string;
  /** `honeypot.index_prefix` (engine search of `--dataset honeypot`). Default `sluice-honeypot`. */
  readonly honeypotIndexPrefix?: string;
}

/** Runs the search; returns the exit code. */
export async function runSearch(options: SearchCommandOptions, io: CommandIO = processIO): Promise<number> {
  if (options.engine) return runEngineSearch(options, io);
  const dataset = options.dataset ?? 'packets';
  if (dataset !== 'packets') return runLogSearch(options, dataset, io);
  const store = openLocalStore({ dataDir: options.dataDir, readonly: true });
  try {
    const query = { kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit };
    if (options.count) {
      io.stdout.write(`${countLocal(store, query)}\n`);
      return 0;
    }
    const captures = loadCaptures(store);
    const json = options.output === 'json' || (options.output === 'auto' && io.stdout.isTTY !== true);
    if (!json) io.stdout.write(row(['@timestamp', 'source', 'destination', 'proto', 'info']) + '\n');
    let parts: Buffer[] = [];
    let size = 0;
    for (const r of queryLocal(store, query, 'doc')) {
      const capture = captures.get(r.capture)!;
      const doc = completeDocument(r.payload, capture.docTail);
      // Documents are stored as JSON bytes: splice the id in rather than parse and re-serialize.
      const line = json
        ? Buffer.concat([Buffer.from('{"_id":"' + packetDocumentId(capture.captureId, r.frame) + '",'), doc.subarray(1), NEWLINE])
        : Buffer.from(tableLine(doc.toString('utf8')) + '\n');
      parts.push(line);
      size += line.length;
      if (size > 65536) {
        await writeAsync(io.stdout, Buffer.concat(parts));
        parts = [];
        size = 0;
      }
    }
    if (parts.length > 0) await writeAsync(io.stdout, Buffer.concat(parts));
    return 0;
  } finally {
    store.close();
  }
}

/** `--dataset access|honeypot` on the embedded store (logs.db). */
async function runLogSearch(options: SearchCommandOptions, dataset: LogDataset, io: CommandIO): Promise<number> {
  const { countLogQuery, openLogQueryDatabase, queryLogEvents } = await import('../../query/log-query-local.js');
  const db = openLogQueryDatabase(options.dataDir);
  try {
    const query = { dataset, kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit };
    if (options.count) {
      io.stdout.write(`${countLogQuery(db, query)}\n`);
      return 0;
    }
    const json = options.output === 'json' || (options.output === 'auto' && io.stdout.isTTY !== true);
    if (!json) io.stdout.write(logTableHeader(dataset) + '\n');
    let buffered = '';
    for (const r of queryLogEvents(db, query)) {
      // Documents are stored as JSON objects: splice the id in rather than parse and re-serialize.
      buffered += (json ? `{"_id":${JSON.stringify(r.id)},${r.doc.slice(1)}` : logTableLine(dataset, r.doc)) + '\n';
      if (buffered.length > 65536) {
        await writeAsync(io.stdout, buffered);
        buffered = '';
      }
    }
    if (buffered !== '') await writeAsync(io.stdout, buffered);
    return 0;
  } finally {
    db.close();
  }
}

const LOG_COLUMNS: Record<LogDataset, string[]> = {
  access: ['@timestamp', 'source', 'status', 'method', 'request'],
  honeypot: ['@timestamp', 'source', 'session', 'action', 'info'],
};

function logTableHeader(dataset: LogDataset): string {
  return logRow(LOG_COLUMNS[dataset]);
}

/** One table line of a log document: the columns an analyst scans first. */
export function logTableLine(dataset: LogDataset, json: string): string {
  const d = JSON.parse(json) as Record<string, any>;
  const source = d.source?.ip ?? d.source?.address ?? '';
  if (dataset === 'access') {
    const request = d.url?.original ?? d.error?.message ?? '';
    const alert = d.event?.kind === 'alert' ? ` [${[d.rule?.id].flat().join(',')}]` : '';
    return logRow([d['@timestamp'], source, String(d.http?.response?.status_code ?? ''), d.http?.request?.method ?? '', String(request).slice(0, 80) + alert]);
  }
  const info = d.process?.command_line ?? (d.user?.name !== undefined ? `${d.user.name}${d.cowrie?.password !== undefined ? ` / ${d.cowrie.password}` : ''}` : undefined) ?? d.message ?? '';
  return logRow([d['@timestamp'], source, d.cowrie?.session ?? '', d.event?.action ?? '', String(info).slice(0, 80)]);
}

function logRow(cells: string[]): string {
  const widths = [30, 40, 14, 20];
  return cells.map((c, i) => (i < widths.length ? String(c ?? '').padEnd(widths[i]) : String(c ?? ''))).join(' ');
}

function tableLine(json: string): string {
  const d = JSON.parse(json) as Record<string, any>;
  const ep = (e: any) => (e?.ip ? (e.port !== undefined ? (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`) : e.ip) : e?.mac ?? '');
  const info = d.dns?.question?.name ?? (d.http?.request?.method ? `${d.http.request.method} ${d.url?.original ?? ''}` : undefined)
    ?? (d.http?.response?.status_code ? `HTTP ${d.http.response.status_code}` : undefined) ?? d.tls?.client?.server_name ?? d.error?.message ?? '';
  return row([d['@timestamp'], ep(d.source), ep(d.destination), d.network?.protocol ?? d.network?.transport ?? d.highest_protocol, String(info).slice(0, 60)]);
}

function row(cells: string[]): string {
  const widths = [30, 45, 45, 8];
  return cells.map((c, i) => (i < widths.length ? String(c ?? '').padEnd(widths[i]) : String(c ?? ''))).join(' ');
}

/** `sluice search --es-url …`: the same query on Elasticsearch / OpenSearch (point in time + search_after). */
async function runEngineSearch(options: SearchCommandOptions, io: CommandIO): Promise<number> {
  const es = options.elasticsearch!;
  const { detectEngine } = await import('../../sinks/elasticsearch/http/index.js');
  const { searchEngine, engineQueryBody } = await import('../../query/query-engine.js');
  const { searchTarget, templatePattern } = await import('../../sinks/elasticsearch/index-template.js');
  const { honeypotIndexPattern } = await import('../../sinks/elasticsearch/honeypot-template.js');
  const { assertAuthorized } = await import('../../sinks/elasticsearch/http/assert-authorized.js');
  const dataset = options.dataset ?? 'packets';
  // Fail on a bad query before connecting.
  engineQueryBody({ kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, dataset });
  const client = engineClientFromConfig(es, io);
  try {
    const engine = await detectEngine(client);
    const index =
      dataset === 'access' ? templatePattern(options.accessIndexPattern ?? 'sluice-access-%Y.%m.%d')
      : dataset === 'honeypot' ? honeypotIndexPattern(options.honeypotIndexPrefix)
      : searchTarget(es.index_pattern, es.data_stream);
    if (options.count) {
      const res = await client.request({ method: 'POST', path: `/${encodeURIComponent(index)}/_count`, body: { query: engineQueryBody({ kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, dataset }) } });
      assertAuthorized(res, client.scrub);
      if (res.status >= 300 && res.status !== 404) throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `count on ${index} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
      const n = res.status === 404 ? 0 : (res.json() as { count: number }).count;
      io.stdout.write(`${options.limit === undefined ? n : Math.min(n, options.limit)}\n`);
      return 0;
    }
    const json = options.output === 'json' || (options.output === 'auto' && io.stdout.isTTY !== true);
    if (!json) io.stdout.write((dataset === 'packets' ? row(['@timestamp', 'source', 'destination', 'proto', 'info']) : logTableHeader(dataset)) + '\n');
    let buffered = '';
    for await (const hit of searchEngine(client, engine, { kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit, index, dataset })) {
      const text = JSON.stringify({ _id: hit.id, ...hit.source });
      buffered += (json ? text : dataset === 'packets' ? tableLine(text) : logTableLine(dataset, text)) + '\n';
      if (buffered.length > 65536) {
        await writeAsync(io.stdout, buffered);
        buffered = '';
      }
    }
    if (buffered !== '') await writeAsync(io.stdout, buffered);
    return 0;
  } finally {
    await client.close();
  }
}
