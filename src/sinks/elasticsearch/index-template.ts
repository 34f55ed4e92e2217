/**
 * The composable index template of packet documents: explicit ECS mappings generated from the
 * one field catalog that also drives the query compilers (src/query/fields.ts), so what can be
 * queried is exactly what is mapped. IPs are `ip` (CIDR queries work), `@timestamp` is
 * `date_nanos` (packet times keep their nanoseconds), the raw packet bytes are a `binary` field that
 * is stored but not indexed, and unknown fields are kept in `_source` but not mapped
 * (`dynamic: false`): no mapping explosion (tshark -T ek's template raises the field limit to
 * 1,000,000 instead).
 */
import { FIELDS, type FieldSpec } from '../../query/fields.js';
import { setMappingPath } from './ecs-template.js';

/** Options of {@link packetIndexTemplate}. */
export interface PacketTemplateOptions {
  /** Daily index pattern with %Y %m %d (see dailyIndex); the template matches it with `*`. Default `sluice-packets-%Y.%m.%d`. */
  readonly indexPattern?: string;
  /** `index.refresh_interval` in seconds. Default 5 (bulk loads do not need 1 s refreshes). */
  readonly refreshIntervalSecs?: number;
  readonly shards?: number;
  readonly replicas?: number;
  /** Template priority (composable templates). Default 200. */
  readonly priority?: number;
  /** Make the template a data stream template for {@link dataStreamName} (ES ≥ 7.9, OpenSearch ≥ 1.0). */
  readonly dataStream?: boolean;
}

/** Field that carries the raw packet bytes (base64) in engine documents, for pcap export from the engine. */
export const RAW_FIELD = 'packet.raw';

const ES_TYPE: Record<FieldSpec['type'], string> = { ip: 'ip', keyword: 'keyword', long: 'long', date: 'date_nanos', boolean: 'boolean' };

/** Port-like fields fit `integer`; everything else keeps the catalog's type. */
const INTEGER_FIELDS = new Set(['source.port', 'destination.port', 'url.port', 'http.response.status_code', 'pcap.link_type', 'pcap.interface']);

/**
 * The data stream of a daily pattern: its name up to the first date token, without the separator
 * before it (`sluice-packets-%Y.%m.%d` → `sluice-packets`).
 */
export function dataStreamName(indexPattern: string): string {
  const i = indexPattern.indexOf('%');
  return (i < 0 ? indexPattern : indexPattern.slice(0, i)).replace(/[-._+]+$/, '') || 'sluice-packets';
}

/** What documents are written to and searched in: the data stream, or every daily index. */
export function searchTarget(indexPattern: string, dataStream: boolean): string {
  return dataStream ? dataStreamName(indexPattern) : templatePattern(indexPattern);
}

/** Index name pattern the template applies to: the daily pattern up to its first date token, then `*`. */
export function templatePattern(indexPattern: string): string {
  const i = indexPattern.indexOf('%');
  return i < 0 ? indexPattern : indexPattern.slice(0, i) + '*';
}

/** `{ name, body }` of the composable template for `PUT _index_template/<name>`. */
export function packetIndexTemplate(options: PacketTemplateOptions = {}): { name: string; body: Record<string, unknown> } {
  const pattern = options.indexPattern ?? 'sluice-packets-%Y.%m.%d';
  const properties: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (field.sql.kind === 'constant' && field.name !== 'ecs.version' && !field.name.startsWith('event.')) continue;
    const type = INTEGER_FIELDS.has(field.name) ? 'integer' : ES_TYPE[field.type];
    setMappingPath(properties, field.es, field.type === 'keyword' ? { type, ignore_above: 8191 } : { type });
  }
  setMappingPath(properties, RAW_FIELD, { type: 'binary', doc_values: false, store: false });
  return {
    name: templatePattern(pattern).replace(/\*/g, '').replace(/[-._]+$/, '') || 'sluice-packets',
    body: {
      index_patterns: [options.dataStream ? dataStreamName(pattern) : templatePattern(pattern)],
      ...(options.dataStream ? { data_stream: {} } : {}),
      priority: options.priority ?? 200,
      template: {
        settings: {
          'index.codec': 'best_compression',
          'index.refresh_interval': `${options.refreshIntervalSecs ?? 5}s`,
          'index.number_of_shards': options.shards ?? 1,
          'index.number_of_replicas': options.replicas ?? 0,
        },
        mappings: { dynamic: false, properties },
      },
      _meta: { managed_by: 'sluice', description: 'sluice packet documents (ECS)' },
    },
  };
}
