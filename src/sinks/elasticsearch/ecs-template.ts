/**
 * Composable index templates for ECS documents of one dataset (honeypot events, web access logs),
 * generated from one field list: explicit mappings, `dynamic: false` (fields sluice does not know
 * stay in `_source` without a mapping explosion), `best_compression`, one shard and no replica by
 * default (single-node clusters stay green). The packet template (index-template.ts) is built from
 * the query field catalog instead, because it also drives the SQL side.
 */
import { SluiceError } from '../../errors.js';
import { assertAuthorized } from './http/assert-authorized.js';
import type { EngineClient } from './http/engine-client.js';

/** Engine type of a field. `text_keyword` is a keyword with a `.text` full-text sub-field. */
export type EcsFieldType = 'date_nanos' | 'date' | 'ip' | 'integer' | 'long' | 'float' | 'keyword' | 'text' | 'text_keyword' | 'boolean' | 'geo_point' | 'unindexed_keyword' | 'unindexed_object';

/** One mapped field (dotted ECS name). */
export interface EcsField {
  readonly name: string;
  readonly type: EcsFieldType;
}

/** ECS `<prefix>.geo.*` and `<prefix>.as.*` as the GeoIP enricher fills them. */
export function geoFields(prefix: string): EcsField[] {
  const f = (name: string, type: EcsFieldType): EcsField => ({ name: `${prefix}.${name}`, type });
  return [
    f('geo.city_name', 'keyword'),
    f('geo.country_iso_code', 'keyword'),
    f('geo.country_name', 'keyword'),
    f('geo.continent_code', 'keyword'),
    f('geo.continent_name', 'keyword'),
    f('geo.region_name', 'keyword'),
    f('geo.region_iso_code', 'keyword'),
    f('geo.postal_code', 'keyword'),
    f('geo.timezone', 'keyword'),
    f('geo.location', 'geo_point'),
    f('as.number', 'long'),
    f('as.organization.name', 'keyword'),
  ];
}

/** `ignore_above` of keyword fields: longer values are stored but not indexed (Lucene's term limit is 32 766 bytes). */
const IGNORE_ABOVE = 8191;

/** The mapping of one field type. */
export function ecsMapping(type: EcsFieldType): Record<string, unknown> {
  switch (type) {
    case 'keyword':
      return { type: 'keyword', ignore_above: IGNORE_ABOVE };
    case 'text_keyword':
      // ECS maps command lines and URLs as wildcard/keyword with a text multi-field; OpenSearch has
      // no `wildcard` before 2.15 and Elasticsearch 7 OSS none at all: keyword + text works everywhere.
      return { type: 'keyword', ignore_above: IGNORE_ABOVE, fields: { text: { type: 'text' } } };
    case 'unindexed_keyword':
      return { type: 'keyword', index: false, doc_values: false };
    case 'unindexed_object':
      return { type: 'object', enabled: false };
    default:
      return { type };
  }
}

/** Options of {@link ecsIndexTemplate}. */
export interface EcsTemplateOptions {
  /** Template name. */
  readonly name: string;
  readonly indexPatterns: readonly string[];
  readonly fields: readonly EcsField[];
  /** `_meta.description`. */
  readonly description: string;
  /** `index.refresh_interval` in seconds. Default 5. */
  readonly refreshIntervalSecs?: number;
  /** Default 1. */
  readonly shards?: number;
  /** Default 0. */
  readonly replicas?: number;
  /** Template priority. Default 200, above the engines' built-in templates. */
  readonly priority?: number;
}

/** `{ name, body }` of the composable template for `PUT _index_template/<name>`. */
export function ecsIndexTemplate(options: EcsTemplateOptions): { name: string; body: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  for (const field of options.fields) setMappingPath(properties, field.name, ecsMapping(field.type));
  return {
    name: options.name,
    body: {
      index_patterns: [...options.indexPatterns],
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
      _meta: { managed_by: 'sluice', description: options.description },
    },
  };
}

/**
 * PUTs a composable template (idempotent: the same content replaces itself). A refusal is
 * `SLUICE_ENGINE_TEMPLATE` with the engine's reason, and a hint when another template clashes.
 */
export async function putIndexTemplate(client: EngineClient, template: { name: string; body: Record<string, unknown> }): Promise<string> {
  const { name, body } = template;
  const res = await client.request({ method: 'PUT', path: `/_index_template/${encodeURIComponent(name)}`, body });
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) {
    const text = client.scrub(res.text());
    const reason = /"reason":"((?:[^"\\]|\\.)*)"/.exec(text)?.[1] ?? text.slice(0, 500);
    const clash = /existing templates \[([^\]]+)\]/.exec(reason)?.[1];
    const hint = clash === undefined ? '' : ` Another index template (${clash}) matches the same indices with the same priority: choose another index pattern or prefix, or change or remove that template.`;
    throw new SluiceError('SLUICE_ENGINE_TEMPLATE', `installing the index template ${name} on ${res.node} failed: HTTP ${res.status}: ${reason}.${hint}`);
  }
  return name;
}

/** Puts `leaf` at the dotted `path` of a mapping's `properties` tree, creating object levels. */
export function setMappingPath(root: Record<string, any>, dotted: string, leaf: Record<string, unknown>): void {
  const parts = dotted.split('.');
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i];
    node[p] ??= { properties: {} };
    node[p].properties ??= {};
    node = node[p].properties;
  }
  node[parts[parts.length - 1]] = leaf;
}
