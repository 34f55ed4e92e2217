/**
 * `sluice search [kql…]`: matching documents from the embedded store, in time order. NDJSON when
 * the output is not a terminal or with `--output json`; a table on a terminal. No cap unless
 * `--limit` is given; `--count` prints the number of matches only.
 */
import { completeDocument, packetDocumentId } from '../../pipeline/packet-document.js';
import { countLocal, loadCaptures, queryLocal } from '../../query/query-local.js';
import { openLocalStore } from '../../sinks/local/local-store.js';
import { processIO, writeAsync, type CommandIO } from '../output.js';
import type { SluiceConfig } from '../../config/index.js';
import { engineClientFromConfig } from './engine-client-from-config.js';

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
}

/** Runs the search; returns the exit code. */
export async function runSearch(options: SearchCommandOptions, io: CommandIO = processIO): Promise<number> {
  if (options.engine) return runEngineSearch(options, io);
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
  const { searchTarget } = await import('../../sinks/elasticsearch/index-template.js');
  const client = engineClientFromConfig(es, io);
  try {
    const engine = await detectEngine(client);
    const index = searchTarget(es.index_pattern, es.data_stream);
    if (options.count) {
      const res = await client.request({ method: 'POST', path: `/${encodeURIComponent(index)}/_count`, body: { query: engineQueryBody({ kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, index }) } });
      const n = res.status === 404 ? 0 : (res.json() as { count: number }).count;
      io.stdout.write(`${options.limit === undefined ? n : Math.min(n, options.limit)}\n`);
      return 0;
    }
    const json = options.output === 'json' || (options.output === 'auto' && io.stdout.isTTY !== true);
    if (!json) io.stdout.write(row(['@timestamp', 'source', 'destination', 'proto', 'info']) + '\n');
    let buffered = '';
    for await (const hit of searchEngine(client, engine, { kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit, index })) {
      const text = JSON.stringify({ _id: hit.id, ...hit.source });
      buffered += (json ? text : tableLine(text)) + '\n';
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
