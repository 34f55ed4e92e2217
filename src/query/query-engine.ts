/**
 * Runs a KQL query against Elasticsearch / OpenSearch: the same AST as the embedded store,
 * compiled to query DSL (never `query_string`), read in time order with a point in time and
 * `search_after` — no 10,000-hit cap, every match exactly once even while documents arrive.
 *
 * The two engines open and close points in time differently (Elasticsearch `_pit`, OpenSearch
 * `_search/point_in_time`); the engine is detected once. Sort values of `date_nanos` fields are
 * nanosecond integers beyond 2^53, so they are kept as strings when the response is parsed, and
 * given back to `search_after` as ISO times.
 *
 * Packets sort by `@timestamp`, capture id and frame. Log documents (access, honeypot) sort by
 * `@timestamp` at millisecond resolution (`numeric_type: date`), then `event.id` (the document id,
 * also in the document as a keyword): the order of the embedded store (`ts_ms`, then id), so both
 * list the same documents in the same order. Not `_id`: sorting on it loads its field data, which
 * OpenSearch 3 warns about (deprecated) and Elasticsearch 8 refuses by default.
 */
import { SluiceError } from '../errors.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import { assertAuthorized } from '../sinks/elasticsearch/http/assert-authorized.js';
import type { EngineInfo } from '../sinks/elasticsearch/http/engine-info.js';
import { compileEs } from './es/compile-es.js';
import { nsToIso } from './kql/bind.js';
import { parseKql } from './kql/parse-kql.js';
import { catalogForDataset, type QueryDataset } from './log-field-catalogs.js';

/** A query on the engine. */
export interface EngineQuery {
  readonly kql: string;
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  readonly limit?: number;
  /** Indices to search, e.g. `sluice-packets-*`. */
  readonly index: string;
  /** Hits per page. Default 5,000. */
  readonly pageSize?: number;
  /** Which documents the indices hold (field catalog and sort order). Default `packets`. */
  readonly dataset?: QueryDataset;
}

/** One hit. */
export interface EngineHit {
  readonly id: string;
  readonly index: string;
  readonly source: Record<string, unknown>;
}

/** The DSL of `q` (with the time range). */
export function engineQueryBody(q: Omit<EngineQuery, 'index'> & { readonly index?: string }): Record<string, unknown> {
  const query = compileEs(parseKql(q.kql), catalogForDataset(q.dataset ?? 'packets'));
  if (q.fromNs === undefined && q.toNs === undefined) return query;
  const range: Record<string, unknown> = { format: 'strict_date_optional_time_nanos' };
  if (q.fromNs !== undefined) range.gte = nsToIso(q.fromNs);
  if (q.toNs !== undefined) range.lt = nsToIso(q.toNs);
  return { bool: { filter: [query, { range: { '@timestamp': range } }] } };
}

/** The sort of a dataset's search (see the file comment). */
export function engineSort(dataset: QueryDataset = 'packets'): unknown[] {
  if (dataset === 'packets') return [{ '@timestamp': { order: 'asc', numeric_type: 'date_nanos' } }, { 'pcap.capture_id': 'asc' }, { 'pcap.frame': 'asc' }];
  return [{ '@timestamp': { order: 'asc', numeric_type: 'date' } }, { 'event.id': 'asc' }];
}

/** Streams the hits of `q` in time order (packets: ties by capture id and frame; logs: by id). */
export async function* searchEngine(client: EngineClient, engine: EngineInfo, q: EngineQuery): AsyncGenerator<EngineHit> {
  const opensearch = engine.distribution === 'opensearch';
  const keepAlive = '2m';
  const open = await client.request(
    opensearch
      ? { method: 'POST', path: `/${encodeURIComponent(q.index)}/_search/point_in_time`, query: { keep_alive: keepAlive } }
      : { method: 'POST', path: `/${encodeURIComponent(q.index)}/_pit`, query: { keep_alive: keepAlive } },
  );
  assertAuthorized(open, client.scrub);
  if (open.status === 404 && /index_not_found/.test(open.text())) return; // no index matches: no hits
  // Engines without the point-in-time API (Elasticsearch before 7.10 or without X-Pack, OpenSearch
  // before 2.4) answer 400/404/405: page with search_after on the indices themselves, which is exact
  // as long as no document is added meanwhile.
  const noPit = open.status >= 300;
  let pit = noPit ? '' : opensearch ? (open.json() as { pit_id: string }).pit_id : (open.json() as { id: string }).id;
  const query = engineQueryBody(q);
  const packets = (q.dataset ?? 'packets') === 'packets';
  const sort = engineSort(q.dataset);
  let left = q.limit ?? Number.POSITIVE_INFINITY;
  let after: unknown[] | undefined;
  try {
    while (left > 0) {
      const size = Math.min(q.pageSize ?? 5_000, left);
      const body: Record<string, unknown> = {
        size,
        query,
        ...(noPit ? {} : { pit: { id: pit, keep_alive: keepAlive } }),
        sort,
        track_total_hits: false,
      };
      if (after !== undefined) body.search_after = after;
      const res = await client.request({ method: 'POST', path: noPit ? `/${encodeURIComponent(q.index)}/_search` : '/_search', body, query: noPit ? { ignore_unavailable: true, allow_no_indices: true } : undefined });
      assertAuthorized(res, client.scrub);
      if (res.status >= 300) throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `search on ${q.index} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
      const page = parseKeepingBigSorts(res.text());
      pit = page.pit_id ?? pit;
      const hits = page.hits?.hits ?? [];
      for (const h of hits) {
        yield { id: h._id, index: h._index, source: h._source };
        if (--left <= 0) return;
      }
      if (hits.length < size) return;
      // The date_nanos sort value comes back as nanoseconds, but search_after parses a number as
      // epoch milliseconds (OpenSearch; sort `format` is Elasticsearch-only): send it back as an
      // ISO time with all nine fraction digits, which both engines parse exactly.
      // Log sorts are epoch milliseconds (numeric_type: date), which search_after takes as they are.
      const last = hits[hits.length - 1].sort;
      if (packets) {
        const [ts, ...rest] = last;
        after = [nsToIso(BigInt(ts as string | number)), ...rest];
      } else after = last;
    }
  } finally {
    if (!noPit) await client.request(
      opensearch
        ? { method: 'DELETE', path: '/_search/point_in_time', body: { pit_id: [pit] } }
        : { method: 'DELETE', path: '/_pit', body: { id: pit } },
    ).catch(() => undefined);
  }
}

interface SearchPage {
  pit_id?: string;
  hits?: { hits: { _id: string; _index: string; _source: Record<string, unknown>; sort: unknown[] }[] };
}

/** JSON.parse, but integers of 16+ digits inside `"sort":[…]` arrays stay exact (as strings). */
export function parseKeepingBigSorts(text: string): SearchPage {
  const fixed = text.replace(/"sort":\[([^\]]*)\]/g, (_m, inner: string) => `"sort":[${inner.replace(/(^|,)(-?\d{16,})(?=,|$)/g, '$1"$2"')}]`);
  return JSON.parse(fixed) as SearchPage;
}
