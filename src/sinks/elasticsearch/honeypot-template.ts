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
import { HONEYPOT_FIELDS } from '../../decoders/honeypot/honeypot-fields.js';
import { ecsIndexTemplate, putIndexTemplate } from './ecs-template.js';
import { SluiceError } from '../../errors.js';
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
  return ecsIndexTemplate({
    name: prefix,
    indexPatterns: [honeypotIndexPattern(prefix)],
    fields: HONEYPOT_FIELDS,
    description: 'sluice honeypot events (Cowrie, HP_TI) as ECS',
    refreshIntervalSecs: options.refreshIntervalSecs,
    shards: options.shards,
    replicas: options.replicas,
    priority: options.priority,
  });
}

/** PUTs the honeypot template (idempotent); returns its name. */
export async function installHoneypotTemplate(client: EngineClient, options: HoneypotTemplateOptions = {}): Promise<string> {
  return putIndexTemplate(client, honeypotIndexTemplate(options));
}
