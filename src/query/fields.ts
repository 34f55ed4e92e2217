/**
 * The field catalogs of the query language: every field a query may name, its type, whether it is
 * an array, and where it lives in the SQL store and in Elasticsearch / OpenSearch. Field names and
 * JSON paths used in SQL come only from these tables, never from user input.
 *
 * This file holds the catalog type and the packet catalog (`p` = packets, `c` = captures);
 * `log-field-catalogs.ts` generates the access-log and honeypot catalogs from their index-template
 * field lists. See `docs/reference/packet-document.md` for the packet fields and
 * `docs/reference/query-language.md` for the language and every dataset's fields.
 */
import { SluiceError } from '../errors.js';

/**
 * Query types:
 * - `ip`: an address; equality on the normalised address, CIDR blocks, ranges in address order.
 * - `keyword`: exact, case-sensitive string; wildcards; ranges compare strings.
 * - `long`: integer; equality and ranges.
 * - `date`: `@timestamp`; ISO 8601 dates or epoch milliseconds, nanosecond precision.
 * - `boolean`: `true` / `false`.
 */
export type FieldType = 'ip' | 'keyword' | 'long' | 'date' | 'boolean';

/** Where a field's value comes from in the SQL store. */
export type SqlSource =
  /** `json_extract(CAST(p.doc AS TEXT), path)`. */
  | { readonly kind: 'json'; readonly path: string }
  /** A fixed SQL expression over `p` / `c` columns (`p.ts_ns`, `c.doc_file`, …). */
  | { readonly kind: 'column'; readonly expr: string }
  /**
   * An array in the document: rows of `json_each(CAST(p.doc AS TEXT), path) AS j`; the element is
   * `j.value`, or `json_extract(j.value, member)` for a member of an array of objects.
   */
  | { readonly kind: 'each'; readonly path: string; readonly member?: string }
  /** Not stored per row: the same for every document. */
  | { readonly kind: 'constant'; readonly value: string | readonly string[] };

/** One queryable field. */
export interface FieldSpec {
  /** Name in queries (ECS dotted name; members of arrays of objects without `[]`). */
  readonly name: string;
  readonly type: FieldType;
  /** The document holds an array; a query matches when any element matches. */
  readonly array: boolean;
  /**
   * A keyword that holds a decimal integer as a string (`network.iana_number`, `network.vlan.id`,
   * `dns.id`): equality compares text (`10` → `"10"`), SQL ranges compare numerically.
   */
  readonly numericString: boolean;
  /** MAC address in ECS form (`02-00-5E-10-00-01`): values in other notations are normalised. */
  readonly mac: boolean;
  readonly sql: SqlSource;
  /** Field name in Elasticsearch / OpenSearch. */
  readonly es: string;
}

/** A name that stands for several fields (a match on any of them). */
export interface FieldAlias {
  readonly name: string;
  readonly targets: readonly string[];
}

interface Opts {
  array?: boolean;
  numericString?: boolean;
  mac?: boolean;
  sql?: SqlSource;
}

function f(name: string, type: FieldType, opts: Opts = {}): FieldSpec {
  const array = opts.array ?? false;
  return {
    name,
    type,
    array,
    numericString: opts.numericString ?? false,
    mac: opts.mac ?? false,
    sql: opts.sql ?? (array ? { kind: 'each', path: '$.' + name } : { kind: 'json', path: '$.' + name }),
    es: name,
  };
}

/** Member of an array of objects: `dns.answers[].data` → name `dns.answers.data`. */
function member(arrayPath: string, key: string, type: FieldType): FieldSpec {
  return f(`${arrayPath}.${key}`, type, { array: true, sql: { kind: 'each', path: '$.' + arrayPath, member: '$.' + key } });
}

const constant = (name: string, value: string | readonly string[]): FieldSpec =>
  f(name, 'keyword', { array: Array.isArray(value), sql: { kind: 'constant', value } });

/** Every queryable field, in the order of `docs/reference/packet-document.md`. */
export const FIELDS: readonly FieldSpec[] = [
  f('@timestamp', 'date', { sql: { kind: 'column', expr: 'p.ts_ns' } }),
  constant('ecs.version', '8.11.0'),
  constant('event.kind', 'event'),
  constant('event.category', ['network']),
  constant('event.type', ['connection']),
  constant('event.dataset', 'sluice.packet'),
  constant('event.module', 'sluice'),
  f('source.ip', 'ip'),
  f('source.port', 'long'),
  f('source.mac', 'keyword', { mac: true }),
  f('destination.ip', 'ip'),
  f('destination.port', 'long'),
  f('destination.mac', 'keyword', { mac: true }),
  f('network.bytes', 'long', { sql: { kind: 'column', expr: 'p.orig_len' } }),
  f('network.packets', 'long'),
  f('network.type', 'keyword'),
  f('network.transport', 'keyword'),
  f('network.iana_number', 'keyword', { numericString: true }),
  f('network.protocol', 'keyword'),
  f('network.community_id', 'keyword'),
  f('network.vlan.id', 'keyword', { numericString: true }),
  f('network.inner.vlan.id', 'keyword', { numericString: true }),
  f('dns.id', 'keyword', { numericString: true }),
  f('dns.type', 'keyword'),
  f('dns.op_code', 'keyword'),
  f('dns.response_code', 'keyword'),
  f('dns.header_flags', 'keyword', { array: true }),
  f('dns.question.name', 'keyword'),
  f('dns.question.type', 'keyword'),
  f('dns.question.class', 'keyword'),
  member('dns.questions', 'name', 'keyword'),
  member('dns.questions', 'type', 'keyword'),
  member('dns.questions', 'class', 'keyword'),
  member('dns.answers', 'name', 'keyword'),
  member('dns.answers', 'type', 'keyword'),
  member('dns.answers', 'class', 'keyword'),
  member('dns.answers', 'ttl', 'long'),
  member('dns.answers', 'data', 'keyword'),
  f('dns.resolved_ip', 'ip', { array: true }),
  f('http.version', 'keyword'),
  f('http.request.method', 'keyword'),
  f('http.response.status_code', 'long'),
  f('url.original', 'keyword'),
  f('url.domain', 'keyword'),
  f('url.port', 'long'),
  f('user_agent.original', 'keyword'),
  f('tls.version_protocol', 'keyword'),
  f('tls.client.server_name', 'keyword'),
  f('tls.client.ja3', 'keyword'),
  f('error.message', 'keyword'),
  f('packet.length', 'long', { sql: { kind: 'column', expr: 'p.orig_len' } }),
  f('packet.caplen', 'long'),
  f('packet.vlan_ids', 'long', { array: true }),
  f('packet.ip.ttl', 'long'),
  f('packet.ip.id', 'long'),
  f('packet.ip.fragment.offset', 'long'),
  f('packet.ip.fragment.more', 'boolean'),
  f('packet.tcp.flags', 'keyword', { array: true }),
  f('packet.tcp.seq', 'long'),
  f('packet.tcp.ack', 'long'),
  f('packet.tcp.window', 'long'),
  f('packet.icmp.type', 'long'),
  f('packet.icmp.code', 'long'),
  f('packet.tls.client_version', 'keyword'),
  f('packet.tls.supported_versions', 'keyword', { array: true }),
  f('packet.tls.alpn', 'keyword', { array: true }),
  f('packet.tls.ja3_string', 'keyword'),
  f('packet.http.x_forwarded_for', 'keyword'),
  f('pcap.file', 'keyword', { sql: { kind: 'column', expr: 'c.doc_file' } }),
  f('pcap.capture_id', 'keyword', { sql: { kind: 'column', expr: 'c.capture_id' } }),
  f('pcap.frame', 'long', { sql: { kind: 'column', expr: '(p.rowid & 4294967295)' } }),
  f('pcap.offset', 'long'),
  f('pcap.link_type', 'long', { sql: { kind: 'column', expr: 'p.link_type' } }),
  f('pcap.interface', 'long', { sql: { kind: 'column', expr: 'p.interface' } }),
  f('sniff_timestamp', 'keyword'),
  f('highest_protocol', 'keyword'),
  f('source_file', 'keyword', { sql: { kind: 'column', expr: 'c.doc_name' } }),
  f('source_date', 'keyword'),
];

/** Names that stand for several fields. */
export const ALIASES: readonly FieldAlias[] = [
  { name: 'ip', targets: ['source.ip', 'destination.ip'] },
  { name: 'port', targets: ['source.port', 'destination.port'] },
  { name: 'host', targets: ['dns.question.name', 'url.domain', 'tls.client.server_name'] },
];

/**
 * Fields a value without a field name (free text, `google.de`) is matched against (exact,
 * case-sensitive, or wildcard). When the value is an IP address or CIDR block, {@link
 * DEFAULT_TEXT_IP_FIELDS} are matched too.
 */
export const DEFAULT_TEXT_FIELDS: readonly string[] = [
  'dns.question.name',
  'dns.answers.data',
  'url.domain',
  'url.original',
  'tls.client.server_name',
  'user_agent.original',
  'http.request.method',
  'network.protocol',
  'network.transport',
  'network.community_id',
  'tls.client.ja3',
  'highest_protocol',
  'error.message',
  'source.mac',
  'destination.mac',
  'pcap.file',
  'source_file',
];

/** IP fields matched by free text that is an IP address or CIDR block. */
export const DEFAULT_TEXT_IP_FIELDS: readonly string[] = ['source.ip', 'destination.ip', 'dns.resolved_ip'];

/**
 * The fields of one dataset (packets, web access logs, honeypot events) as the query language sees
 * them: what a name resolves to, which fields free text is matched against, and the SQL context
 * the fields' sources refer to. Binding and both compilers take a catalog; without one they use
 * {@link PACKET_CATALOG}.
 */
export interface FieldCatalog {
  /** Dataset name (`packets`, `access`, `honeypot`), for messages. */
  readonly dataset: string;
  readonly fields: readonly FieldSpec[];
  readonly aliases: readonly FieldAlias[];
  /** Keyword fields free text is matched against. */
  readonly defaultTextFields: readonly string[];
  /** IP fields free text that is an IP address or CIDR block is matched against. */
  readonly defaultTextIpFields: readonly string[];
  /**
   * Names the dataset's documents hold but the language cannot query, with the reason (full-text
   * or unindexed fields): naming one is a `SLUICE_QUERY_FIELD` error that says why.
   */
  readonly unqueryable: ReadonlyMap<string, string>;
  /** SQL expression of the document as JSON text (`CAST(p.doc AS TEXT)`, `e.doc`). */
  readonly sqlDoc: string;
  /**
   * The documents hold IP addresses as written by the source, maybe not in canonical form
   * (`::FFFF:10.0.0.1`, `2001:DB8::1`): SQL equality then compares address keys, as the engine's
   * `ip` type does. Packets are written by sluice in canonical form and compare text.
   */
  readonly rawIps: boolean;
  /**
   * Keyword values longer than this are not indexed by the engine (`ignore_above`): SQL tests on
   * keyword fields skip them too, so both give the same answer. Undefined: no limit.
   */
  readonly keywordIgnoreAbove?: number;
  /** The field named `name` (exact catalog name, no aliases), or `undefined`. */
  get(name: string): FieldSpec | undefined;
  /** The alias named `name`, or `undefined`. */
  alias(name: string): FieldAlias | undefined;
}

/** Parts of a {@link FieldCatalog} given to {@link makeFieldCatalog}. */
export type FieldCatalogParts = Omit<FieldCatalog, 'get' | 'alias' | 'unqueryable' | 'rawIps'> & {
  readonly unqueryable?: ReadonlyMap<string, string>;
  readonly rawIps?: boolean;
};

/**
 * Builds a catalog with its lookups. Throws when the parts do not fit together (a duplicate name,
 * an alias or default text field naming an unknown field): a programming error, caught by tests.
 */
export function makeFieldCatalog(parts: FieldCatalogParts): FieldCatalog {
  const byName = new Map(parts.fields.map((s) => [s.name, s]));
  if (byName.size !== parts.fields.length) throw new Error(`field catalog ${parts.dataset}: duplicate field names`);
  const aliasByName = new Map(parts.aliases.map((a) => [a.name, a]));
  for (const n of [...parts.defaultTextFields, ...parts.defaultTextIpFields, ...parts.aliases.flatMap((a) => a.targets)]) {
    if (!byName.has(n)) throw new Error(`field catalog ${parts.dataset}: ${n} is not a field`);
  }
  return Object.freeze({
    ...parts,
    unqueryable: parts.unqueryable ?? new Map<string, string>(),
    rawIps: parts.rawIps ?? false,
    get: (name: string) => byName.get(name),
    alias: (name: string) => aliasByName.get(name),
  });
}

/** The packet documents of the embedded store (`sluice.db`) and of `sluice-packets-*`. */
export const PACKET_CATALOG: FieldCatalog = makeFieldCatalog({
  dataset: 'packets',
  fields: FIELDS,
  aliases: ALIASES,
  defaultTextFields: DEFAULT_TEXT_FIELDS,
  defaultTextIpFields: DEFAULT_TEXT_IP_FIELDS,
  sqlDoc: 'CAST(p.doc AS TEXT)',
});

/** The field named `name` (exact catalog name, no aliases), or `undefined`. */
export function getField(name: string, catalog: FieldCatalog = PACKET_CATALOG): FieldSpec | undefined {
  return catalog.get(name);
}

/** An unknown field in a query (`SLUICE_QUERY_FIELD`). */
export class KqlFieldError extends SluiceError {
  readonly field: string;
  readonly column: number;
  readonly suggestions: readonly string[];

  /**
   * @param why Set when the field exists but cannot be queried (full text, not indexed): the
   *   message says so instead of "unknown field".
   */
  constructor(field: string, column: number, suggestions: readonly string[], why?: string) {
    const hint = suggestions.length === 0 ? '' : `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?`;
    const what = why === undefined ? `unknown field "${field}"` : `field "${field}" cannot be queried: ${why}`;
    super('SLUICE_QUERY_FIELD', `query: column ${column}: ${what}${hint} (see docs/reference/query-language.md for the field list)`);
    this.name = 'KqlFieldError';
    this.field = field;
    this.column = column;
    this.suggestions = suggestions;
  }
}

/** A value that does not fit its field's type (`SLUICE_QUERY_VALUE`). */
export class KqlValueError extends SluiceError {
  readonly column: number;

  constructor(column: number, message: string) {
    super('SLUICE_QUERY_VALUE', `query: column ${column}: ${message}`);
    this.name = 'KqlValueError';
    this.column = column;
  }
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to three known names closest to `name` (edit distance, or a suffix match: `question.name`). */
export function suggestFields(name: string, catalog: FieldCatalog = PACKET_CATALOG): string[] {
  const lower = name.toLowerCase();
  const all = [...catalog.fields.map((s) => s.name), ...catalog.aliases.map((a) => a.name)];
  const scored: { n: string; d: number }[] = [];
  for (const n of all) {
    let d = levenshtein(lower, n.toLowerCase());
    if (lower.length >= 3 && (n.endsWith('.' + lower) || n.split('.').includes(lower))) d = Math.min(d, 1);
    if (n !== name && d <= Math.max(2, Math.floor(name.length / 3))) scored.push({ n, d });
  }
  scored.sort((x, y) => x.d - y.d || x.n.localeCompare(y.n));
  return scored.slice(0, 3).map((s) => s.n);
}

/**
 * The fields a query name stands for: one field, or the targets of an alias. `dns.answers[].data`
 * is accepted for `dns.answers.data`. Throws {@link KqlFieldError} for an unknown name.
 */
export function resolveField(name: string, column: number, catalog: FieldCatalog = PACKET_CATALOG): FieldSpec[] {
  const n = name.replaceAll('[]', '');
  const spec = catalog.get(n);
  if (spec) return [spec];
  const alias = catalog.alias(n);
  if (alias) return alias.targets.map((t) => catalog.get(t)!);
  const why = catalog.unqueryable.get(n);
  if (why !== undefined) {
    // A full-text field usually has a keyword sibling worth naming (`url.original.text` → `url.original`).
    throw new KqlFieldError(name, column, suggestFields(n, catalog), why);
  }
  throw new KqlFieldError(name, column, suggestFields(n, catalog));
}
