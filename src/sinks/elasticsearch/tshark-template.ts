/**
 * The composable index template of the tshark dissector's documents (`--dissector tshark`), daily
 * indices `packets-YYYY-MM-DD` by default:
 *
 * - the common layers' summary fields ({@link COMMON_FIELDS}) mapped explicitly and typed
 *   (`ip`, `long`, `integer`, `boolean`, `date_nanos`, `keyword`) under `layers`;
 * - everything else in one catch-all, `layers_other`, so that Wireshark's ~236,000 fields cannot
 *   explode the mapping: OpenSearch `flat_object` (2.7+), Elasticsearch `flattened` (7.3+, not in
 *   the OSS distribution), else a dynamic mapping bounded by `index.mapping.total_fields.limit`
 *   where the writer keeps each index under budget ({@link FieldBudget}) and parks the rest,
 *   unindexed, in `layers_overflow`;
 * - `index.mapping.ignore_malformed`, so that a value tshark printed oddly in a typed field is kept in
 *   `_source` without indexing instead of costing the whole packet.
 *
 * tshark's own EK template (`tshark -G elastic-mapping`) instead maps every field as a string and
 * raises the field limit to 1,000,000.
 */
import { SluiceError } from '../../errors.js';
import { COMMON_FIELDS } from '../../decoders/tshark-ek/common-fields.js';
import type { EngineClient } from './http/engine-client.js';
import type { EngineInfo } from './http/engine-info.js';
import { assertAuthorized } from './http/assert-authorized.js';
import { templatePattern } from './index-template.js';
import { setMappingPath } from './ecs-template.js';

/** How `layers_other` is indexed. */
export type CatchAllKind = 'flat_object' | 'flattened' | 'bounded';

/** Default daily index pattern of the tshark dissector (espcap's names, dated in UTC). */
export const TSHARK_INDEX_PATTERN = 'packets-%Y-%m-%d';

/** Default number of catch-all fields per index in the bounded mode. */
export const TSHARK_FIELD_LIMIT = 2000;

/** Options of {@link tsharkIndexTemplate}. */
export interface TsharkTemplateOptions {
  /** Daily index pattern with %Y %m %d. Default {@link TSHARK_INDEX_PATTERN}. */
  readonly indexPattern?: string;
  /** Catch-all kind. Default `bounded` (works everywhere). */
  readonly catchAll?: CatchAllKind;
  /** Catch-all fields per index in the bounded mode. Default {@link TSHARK_FIELD_LIMIT}. */
  readonly fieldLimitCount?: number;
  /** `index.refresh_interval` in seconds. Default 5. */
  readonly refreshIntervalSecs?: number;
  readonly shards?: number;
  readonly replicas?: number;
  /** Template priority. Default 201 (one above the native packet template's 200). */
  readonly priority?: number;
}

/** `{ name, body }` for `PUT _index_template/<name>`, plus the number of explicitly mapped fields. */
export function tsharkIndexTemplate(options: TsharkTemplateOptions = {}): { name: string; body: Record<string, unknown>; explicitFields: number } {
  const pattern = options.indexPattern ?? TSHARK_INDEX_PATTERN;
  const catchAll = options.catchAll ?? 'bounded';
  const keyword = { type: 'keyword', ignore_above: 8191 };
  const layers: Record<string, any> = {};
  for (const [layer, name, type] of COMMON_FIELDS) {
    setMappingPath(layers, `${layer}.${name}`, type === 'keyword' ? keyword : { type });
  }
  const properties: Record<string, unknown> = {
    '@timestamp': { type: 'date_nanos' },
    sniff_date_utc: { type: 'date_nanos' },
    sniff_timestamp: { type: 'double' },
    protocol: { type: 'keyword' },
    file_name: keyword,
    frame_number: { type: 'long' },
    capture_id: { type: 'keyword' },
    network: { properties: { community_id: { type: 'keyword' } } },
    layers: { properties: layers },
    layers_other: catchAllMapping(catchAll),
    layers_overflow: { type: 'object', enabled: false },
    sluice: { properties: { overflow_fields: { type: 'integer' } } },
  };
  const explicitFields = countFields(properties);
  const settings: Record<string, unknown> = {
    'index.codec': 'best_compression',
    'index.refresh_interval': `${options.refreshIntervalSecs ?? 5}s`,
    'index.number_of_shards': options.shards ?? 1,
    'index.number_of_replicas': options.replicas ?? 0,
    'index.mapping.ignore_malformed': true,
  };
  if (catchAll === 'bounded') {
    // Intermediate objects count as fields too: allow two per budgeted leaf, plus headroom.
    settings['index.mapping.total_fields.limit'] = explicitFields + 2 * (options.fieldLimitCount ?? TSHARK_FIELD_LIMIT) + 100;
  }
  return {
    name: templatePattern(pattern).replace(/\*/g, '').replace(/[-._]+$/, '') || 'packets',
    explicitFields,
    body: {
      index_patterns: [templatePattern(pattern)],
      priority: options.priority ?? 201,
      template: {
        settings,
        mappings: {
          dynamic: false,
          date_detection: false,
          numeric_detection: false,
          ...(catchAll === 'bounded'
            ? {
                dynamic_templates: [
                  { other_strings: { path_match: 'layers_other.*', match_mapping_type: 'string', mapping: { type: 'keyword', ignore_above: 1024 } } },
                  { other_doubles: { path_match: 'layers_other.*', match_mapping_type: 'double', mapping: { type: 'double' } } },
                ],
              }
            : {}),
          properties,
        },
      },
      _meta: { managed_by: 'sluice', description: 'sluice tshark dissector documents (layers + catch-all)', catch_all: catchAll },
    },
  };
}

function catchAllMapping(kind: CatchAllKind): Record<string, unknown> {
  if (kind === 'flat_object') return { type: 'flat_object' };
  if (kind === 'flattened') return { type: 'flattened', ignore_above: 8191, depth_limit: 40 };
  return { type: 'object', dynamic: true };
}

/** The catch-all kinds worth trying on `info`, best first (the last one always works). */
export function catchAllCandidates(info: EngineInfo): CatchAllKind[] {
  const { major, minor } = info.version;
  if (info.distribution === 'opensearch') return major > 2 || (major === 2 && minor >= 7) ? ['flat_object', 'bounded'] : ['bounded'];
  // `flattened` is an X-Pack (basic licence) type: the default distribution has it from 7.3, the
  // OSS one never; the build flavor is not a reliable tell (runners report "default" with OSS
  // modules), so the template PUT is the probe.
  return major > 7 || (major === 7 && minor >= 3) ? (info.buildFlavor === 'oss' ? ['bounded'] : ['flattened', 'bounded']) : ['bounded'];
}

/** Result of {@link ensureTsharkTemplate}. */
export interface TsharkTemplateState {
  readonly name: string;
  /** The catch-all the indices will have; `bounded` when unknown (the safe assumption). */
  readonly catchAll: CatchAllKind;
  readonly status: 'exists' | 'installed' | 'not-allowed';
}

/**
 * Makes sure the template exists. An existing template is kept (its catch-all kind is read from
 * it); otherwise the best catch-all the engine accepts is installed: a PUT refused with a mapping
 * error (unknown type) falls back to the next candidate. A 401/403 leaves the template alone and
 * assumes the bounded mode.
 */
export async function ensureTsharkTemplate(client: EngineClient, info: EngineInfo, options: TsharkTemplateOptions = {}): Promise<TsharkTemplateState> {
  const { name } = tsharkIndexTemplate(options);
  const got = await client.request({ method: 'GET', path: `/_index_template/${encodeURIComponent(name)}` });
  if (got.status === 401 || got.status === 403) return { name, catchAll: 'bounded', status: 'not-allowed' };
  if (got.status === 200) return { name, catchAll: catchAllOf(got.json()), status: 'exists' };
  const candidates = options.catchAll ? [options.catchAll] : catchAllCandidates(info);
  let last = '';
  for (const catchAll of candidates) {
    const { body } = tsharkIndexTemplate({ ...options, catchAll });
    const res = await client.request({ method: 'PUT', path: `/_index_template/${encodeURIComponent(name)}`, body });
    if (res.status === 401 || res.status === 403) return { name, catchAll: 'bounded', status: 'not-allowed' };
    assertAuthorized(res, client.scrub);
    if (res.status < 300) return { name, catchAll, status: 'installed' };
    last = `HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`;
    if (res.status !== 400) break;
  }
  throw new SluiceError('SLUICE_ENGINE_TEMPLATE', `installing the index template ${name} on ${client.nodes.join(', ')} failed: ${last}`);
}

/** The catch-all kind of a template as `GET _index_template/<name>` returns it. */
function catchAllOf(body: unknown): CatchAllKind {
  const t = (body as { index_templates?: { index_template?: { template?: { mappings?: { properties?: { layers_other?: { type?: string } } } } } }[] })?.index_templates?.[0];
  const type = t?.index_template?.template?.mappings?.properties?.layers_other?.type;
  return type === 'flat_object' || type === 'flattened' ? type : 'bounded';
}

/**
 * The catch-all fields an existing index maps (paths below `layers_other`, e.g.
 * `tcp.tcp.options.mss_val`), to seed the bounded budget; empty when the index does not exist.
 */
export async function catchAllFieldsOf(client: EngineClient, index: string): Promise<string[]> {
  const res = await client.request({ method: 'GET', path: `/${encodeURIComponent(index)}/_mapping` });
  if (res.status === 404) return [];
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) return [];
  const out: string[] = [];
  const body = res.json() as Record<string, { mappings?: { properties?: { layers_other?: { properties?: Record<string, unknown> } } } }>;
  for (const idx of Object.values(body)) {
    const props = idx.mappings?.properties?.layers_other?.properties;
    if (props) walk(props, '', out);
  }
  return out;
}

function walk(props: Record<string, any>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(props)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (v && typeof v === 'object' && v.properties) walk(v.properties, path, out);
    else out.push(path);
  }
}

function countFields(props: Record<string, any>): number {
  let n = 0;
  for (const v of Object.values(props)) {
    n++;
    if (v && typeof v === 'object' && v.properties) n += countFields(v.properties);
  }
  return n;
}
