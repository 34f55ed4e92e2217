/**
 * Field catalogs of the log datasets, generated from the field lists behind their index templates
 * (`ACCESS_LOG_MAPPED_FIELDS`, `HONEYPOT_FIELDS`): a field is queryable exactly when the engine
 * indexes it, so the embedded store and Elasticsearch / OpenSearch answer the same query the same
 * way. Engine types map to query types: numbers → `long`, `ip` → `ip`, `keyword` / `text_keyword`
 * (the keyword part) → `keyword`, `date_nanos` → `date`, `boolean` → `boolean`; full-text,
 * unindexed and `geo_point` fields are named in `unqueryable` with the reason.
 *
 * SQL context: `e` = `log_events` of `<data_dir>/logs.db` (`e.doc` = the ECS document as JSON
 * text). Values come from `json_extract(e.doc, '$.path')`; the fields that can hold an array
 * (below, per dataset) are read with `json_each`, which also yields a lone scalar, so a document
 * holding one value where others hold a list still matches. `@timestamp` is parsed to exact
 * nanoseconds by `sluice_date_ns` (the `ts_ms` column only has milliseconds).
 */
import type { EcsField } from '../sinks/elasticsearch/ecs-template.js';
import type { HoneypotField } from '../decoders/honeypot/honeypot-fields.js';
import { ACCESS_LOG_MAPPED_FIELDS } from '../decoders/access-log/access-log-mapped-fields.js';
import { HONEYPOT_FIELDS } from '../decoders/honeypot/honeypot-fields.js';
import { SluiceError } from '../errors.js';
import { makeFieldCatalog, PACKET_CATALOG, type FieldAlias, type FieldCatalog, type FieldSpec, type FieldType } from './fields.js';

/** The datasets `sluice search --dataset` knows. */
export const QUERY_DATASETS = ['packets', 'access', 'honeypot'] as const;

/** A dataset name. */
export type QueryDataset = (typeof QUERY_DATASETS)[number];

/** The datasets kept in `logs.db` / log indices. */
export type LogDataset = Exclude<QueryDataset, 'packets'>;

/** Engine `ignore_above` of keyword fields in the log templates (src/sinks/elasticsearch/ecs-template.ts). */
export const LOG_KEYWORD_IGNORE_ABOVE = 8191;

/** SQL expression of `@timestamp` in nanoseconds (the path is not a plain identifier: quoted). */
const TIMESTAMP_NS_SQL = `sluice_date_ns(json_extract(e.doc, '$."@timestamp"'))`;

/** Why a mapped field cannot be queried. */
const UNQUERYABLE: Readonly<Record<string, string>> = {
  text: 'it is full text (analysed words), which the embedded store does not index; match a keyword field instead',
  unindexed_keyword: 'it is stored but not indexed (kept for display only)',
  unindexed_object: 'it is stored but not indexed (kept for display only)',
  geo_point: 'it is a geo point; query source.geo.country_iso_code, source.geo.city_name and the like instead',
};

const QUERY_TYPE: Readonly<Record<string, FieldType>> = {
  ip: 'ip',
  integer: 'long',
  long: 'long',
  // Floats (event.risk_score) compare as numbers; values in queries are integers.
  float: 'long',
  keyword: 'keyword',
  text_keyword: 'keyword',
  date_nanos: 'date',
  date: 'date',
  boolean: 'boolean',
};

/** What a log catalog is generated from. */
export interface LogCatalogSource {
  readonly dataset: LogDataset;
  /** The index template's field list. */
  readonly fields: readonly (EcsField | HoneypotField)[];
  /** Fields whose value can be a JSON array (any element matching is a match). */
  readonly arrays: readonly string[];
  readonly aliases: readonly FieldAlias[];
  readonly defaultTextFields: readonly string[];
  readonly defaultTextIpFields: readonly string[];
}

/** Generates a catalog over `log_events` from a template field list. */
export function logFieldCatalog(source: LogCatalogSource): FieldCatalog {
  const arrays = new Set(source.arrays);
  const fields: FieldSpec[] = [];
  const unqueryable = new Map<string, string>();
  for (const { name, type } of source.fields) {
    const queryType = QUERY_TYPE[type];
    if (queryType === undefined) {
      unqueryable.set(name, UNQUERYABLE[type] ?? `its engine type ${type} cannot be queried`);
      continue;
    }
    const array = arrays.has(name);
    const path = '$.' + name;
    fields.push({
      name,
      type: queryType,
      array,
      numericString: false,
      mac: false,
      sql: name === '@timestamp' ? { kind: 'column', expr: TIMESTAMP_NS_SQL } : array ? { kind: 'each', path } : { kind: 'json', path },
      es: name,
    });
  }
  for (const a of arrays) if (!fields.some((f) => f.name === a)) throw new Error(`log catalog ${source.dataset}: array field ${a} is not a queryable field`);
  return makeFieldCatalog({
    dataset: source.dataset,
    fields,
    aliases: source.aliases,
    defaultTextFields: source.defaultTextFields,
    defaultTextIpFields: source.defaultTextIpFields,
    unqueryable,
    sqlDoc: 'e.doc',
    rawIps: true,
    keywordIgnoreAbove: LOG_KEYWORD_IGNORE_ABOVE,
  });
}

const IP_PORT_ALIASES: readonly FieldAlias[] = [
  { name: 'ip', targets: ['source.ip', 'destination.ip'] },
  { name: 'port', targets: ['source.port', 'destination.port'] },
];

/**
 * Web access-log documents (`sluice-access-*`, `log_events` with dataset `access`). Arrays: the
 * ECS list fields, and `rule.*` / `threat.technique.*` / `threat.tactic.*`, which hold a list when
 * several attack rules fire on one request.
 */
export const ACCESS_CATALOG: FieldCatalog = logFieldCatalog({
  dataset: 'access',
  fields: ACCESS_LOG_MAPPED_FIELDS,
  arrays: [
    'tags',
    'event.category',
    'event.type',
    'related.ip',
    'related.user',
    'rule.id',
    'rule.name',
    'rule.category',
    'rule.ruleset',
    'rule.version',
    'rule.reference',
    'threat.technique.id',
    'threat.technique.name',
    'threat.technique.reference',
    'threat.technique.subtechnique.id',
    'threat.technique.subtechnique.name',
    'threat.technique.subtechnique.reference',
    'threat.tactic.id',
    'threat.tactic.name',
    'threat.tactic.reference',
  ],
  aliases: [...IP_PORT_ALIASES, { name: 'host', targets: ['url.domain', 'source.domain'] }],
  defaultTextFields: [
    'url.original',
    'url.path',
    'http.request.method',
    'http.request.referrer',
    'user_agent.original',
    'user_agent.name',
    'source.address',
    'source.domain',
    'user.name',
    'rule.id',
    'rule.name',
    'tags',
  ],
  defaultTextIpFields: ['source.ip', 'destination.ip'],
});

/** Honeypot documents (`sluice-honeypot-*`, `log_events` with dataset `honeypot`). */
export const HONEYPOT_CATALOG: FieldCatalog = logFieldCatalog({
  dataset: 'honeypot',
  fields: HONEYPOT_FIELDS,
  arrays: [
    'tags',
    'event.category',
    'event.type',
    'related.ip',
    'related.user',
    'related.hash',
    'cowrie.kex.kex_algs',
    'cowrie.kex.key_algs',
    'cowrie.kex.enc_cs',
    'cowrie.kex.mac_cs',
    'cowrie.kex.comp_cs',
    'cowrie.kex.lang_cs',
    'cowrie.truncated_fields',
  ],
  aliases: [...IP_PORT_ALIASES, { name: 'session', targets: ['cowrie.session'] }],
  defaultTextFields: [
    'cowrie.session',
    'cowrie.eventid',
    'event.action',
    'user.name',
    'cowrie.password',
    'process.command_line',
    'url.full',
    'file.hash.sha256',
    'file.name',
    'cowrie.client_version',
    'cowrie.hassh',
    'observer.name',
  ],
  defaultTextIpFields: ['source.ip', 'destination.ip'],
});

/** The catalog of a dataset. */
export function catalogForDataset(dataset: QueryDataset): FieldCatalog {
  switch (dataset) {
    case 'packets':
      return PACKET_CATALOG;
    case 'access':
      return ACCESS_CATALOG;
    case 'honeypot':
      return HONEYPOT_CATALOG;
  }
}

/** Checks a dataset name from the command line or a caller (`SLUICE_USAGE`). */
export function parseQueryDataset(name: string): QueryDataset {
  if ((QUERY_DATASETS as readonly string[]).includes(name)) return name as QueryDataset;
  throw new SluiceError('SLUICE_USAGE', `--dataset '${name}' is not a dataset: use ${QUERY_DATASETS.join(', ')}`);
}
