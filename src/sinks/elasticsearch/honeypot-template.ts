/**
 * The composable index template of honeypot documents (Cowrie / HP_TI events), built like the
 * packet template (index-template.ts): explicit mappings generated from one field list
 * (HONEYPOT_FIELDS, which a test checks against what the ECS mapper writes), `dynamic: false` so
 * fields sluice does not know are kept in `_source` without a mapping explosion, and
 * `best_compression`. IPs are `ip` (CIDR queries), ports `integer`, `@timestamp` `date_nanos`
 * (Cowrie writes microseconds), command lines and URLs `keyword` with a `.text` sub-field for
 * full-text search, the original line and unknown fields stored but not indexed.
 *
 * Events go to daily indices named by their UTC date: `<prefix>-YYYY.MM.DD`
 * (`sluice-honeypot-2026.04.18`). Cowrie's own Elasticsearch output relied on dynamic mappings and
 * an ingest pipeline and broke on Elasticsearch 8; an explicit template does not depend on either.
 */
import { HONEYPOT_FIELDS, type HoneypotFieldType } from '../../decoders/honeypot/honeypot-fields.js';
import { SluiceError } from '../../errors.js';
import { assertAuthorized } from './http/assert-authorized.js';
import type { EngineClient } from './http/engine-client.js';

/** Default index prefix: daily indices `sluice-honeypot-YYYY.MM.DD`. */
export const DEFAULT_HONEYPOT_INDEX_PREFIX = 'sluice-honeypot';

/** Options of {@link honeypotIndexTemplate}. */
export interface HoneypotTemplateOptions {
  /** Index name prefix; daily indices are `<prefix>-YYYY.MM.DD`. Default `sluice-honeypot`. */
  readonly prefix?: string;
  /** `index.refresh_interval` in seconds. Default 5. */
  readonly refreshIntervalSecs?: number;
  /** Default 1. */
  readonly shards?: number;
  /** Default 0 (single-node clusters stay green; raise it on a real cluster). */
  readonly replicas?: number;
  /** Template priority (composable templates). Default 200, above the engines' built-in templates. */
  readonly priority?: number;
}

/** `ignore_above` of keyword fields: longer values are stored but not indexed (Lucene's term limit is 32 766 bytes). */
const IGNORE_ABOVE = 8191;

function mappingOf(type: HoneypotFieldType): Record<string, unknown> {
  switch (type) {
    case 'keyword':
      return { type: 'keyword', ignore_above: IGNORE_ABOVE };
    case 'text_keyword':
      // ECS maps process.command_line and url.full as wildcard/keyword with a text multi-field;
      // OpenSearch has no `wildcard` before 2.15 and Elasticsearch 7 OSS none at all: keyword + text works everywhere.
      return { type: 'keyword', ignore_above: IGNORE_ABOVE, fields: { text: { type: 'text' } } };
    case 'unindexed_keyword':
      return { type: 'keyword', index: false, doc_values: false };
    case 'unindexed_object':
      return { type: 'object', enabled: false };
    default:
      return { type };
  }
}

/** Index pattern of the template: `<prefix>-*`. */
export function honeypotIndexPattern(prefix: string = DEFAULT_HONEYPOT_INDEX_PREFIX): string {
  return `${prefix}-*`;
}

/**
 * The daily index of an event: `<prefix>-YYYY.MM.DD` from the UTC date of its ISO-8601 UTC
 * timestamp (as the parser normalises it: `2026-04-18T12:46:33.693407Z` → `…-2026.04.18`).
 */
export function honeypotIndexName(timestamp: string, prefix: string = DEFAULT_HONEYPOT_INDEX_PREFIX): string {
  return `${prefix}-${timestamp.slice(0, 4)}.${timestamp.slice(5, 7)}.${timestamp.slice(8, 10)}`;
}

/** Throws `SLUICE_ENGINE_OPTIONS` when `prefix` cannot start an index name. */
export function checkHoneypotIndexPrefix(prefix: string): void {
  // Index name rules: lower case, not starting with - _ +, none of \ / * ? " < > | space , #
  const bad = prefix.length === 0 || prefix !== prefix.toLowerCase() || '-_+'.includes(prefix[0]) || [...'\\/*?"<>| ,#:'].some((ch) => prefix.includes(ch));
  if (bad) {
    throw new SluiceError(
      'SLUICE_ENGINE_OPTIONS',
      `honeypot index prefix ${JSON.stringify(prefix)} is not a valid index name start: use lower case letters, digits, "-" and "." (for example sluice-honeypot)`,
    );
  }
}

/** `{ name, body }` of the composable template for `PUT _index_template/<name>`. */
export function honeypotIndexTemplate(options: HoneypotTemplateOptions = {}): { name: string; body: Record<string, unknown> } {
  const prefix = options.prefix ?? DEFAULT_HONEYPOT_INDEX_PREFIX;
  checkHoneypotIndexPrefix(prefix);
  const properties: Record<string, unknown> = {};
  for (const field of HONEYPOT_FIELDS) setPath(properties, field.name, mappingOf(field.type));
  return {
    name: prefix,
    body: {
      index_patterns: [honeypotIndexPattern(prefix)],
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
      _meta: { managed_by: 'sluice', description: 'sluice honeypot events (Cowrie, HP_TI) as ECS' },
    },
  };
}

/** PUTs the honeypot template (idempotent); returns its name. */
export async function installHoneypotTemplate(client: EngineClient, options: HoneypotTemplateOptions = {}): Promise<string> {
  const { name, body } = honeypotIndexTemplate(options);
  const res = await client.request({ method: 'PUT', path: `/_index_template/${encodeURIComponent(name)}`, body });
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `installing the index template ${name} on ${res.node} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
  }
  return name;
}

function setPath(root: Record<string, any>, dotted: string, leaf: Record<string, unknown>): void {
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
