/**
 * A {@link CowrieEvent} as an Elastic Common Schema document: `source.*`, `destination.*`,
 * `event.*` from the event table, `user.name`, `process.command_line`, `url.*`, `file.*`,
 * `observer.*`, `related.*`, and a `cowrie.*` namespace for what ECS has no field for (password,
 * session, HASSH, client version, key-exchange lists, TTY log). Every field written here is in
 * HONEYPOT_FIELDS (and so in the index template); fields Cowrie adds that sluice does not know go
 * to `cowrie.extra`, stored but not indexed.
 *
 * Compare Cowrie's own Logstash pipeline (docs/elk/logstash-cowrie.conf), which nests the whole
 * event under `honeypot.*` untyped and adds only GeoIP: every IP there is a string and every port a
 * dynamic long.
 */
import { cowrieEventSpec, UNKNOWN_EVENT_SPEC } from './cowrie-events.js';
import type { CowrieEvent, CowrieParseResult } from './cowrie-event.js';

/** ECS version the documents follow. */
export const HONEYPOT_ECS_VERSION = '8.11.0';

/** Options of {@link cowrieEventToEcs}. */
export interface CowrieEcsOptions {
  /** `observer.name` for lines without a `sensor` (HP_TI lines, stripped logs). Default: none. */
  readonly sensorName?: string;
  /** Keep the line in `event.original` (stored, not indexed). Default true. */
  readonly keepOriginal?: boolean;
  /** `log.file.path` of the source file, when it has one. */
  readonly filePath?: string;
  /** `log.offset`: byte offset of the line in the file. */
  readonly offset?: number;
}

type Doc = Record<string, unknown>;

/** The ECS document of one event (a fresh plain object, ready for JSON.stringify). */
export function cowrieEventToEcs(e: CowrieEvent, options: CowrieEcsOptions = {}): Doc {
  const spec = cowrieEventSpec(e.eventid) ?? UNKNOWN_EVENT_SPEC;
  const event: Doc = {
    kind: spec.kind,
    ...(spec.category.length > 0 ? { category: spec.category.slice() } : {}),
    type: spec.type.slice(),
    action: e.eventid.startsWith('cowrie.') ? e.eventid.slice(7) : e.eventid,
    ...(spec.outcome ? { outcome: spec.outcome } : {}),
    dataset: e.format === 'hp_ti' ? 'hp_ti' : 'cowrie',
    module: e.format === 'hp_ti' ? 'hp_ti' : 'cowrie',
  };
  if (e.duration !== undefined) event.duration = Math.round(e.duration * 1e9);
  if (options.keepOriginal !== false) event.original = e.original;

  const doc: Doc = { '@timestamp': e.timestamp, ecs: { version: HONEYPOT_ECS_VERSION } };
  if (e.message !== undefined) doc.message = e.message;
  doc.event = event;
  if (e.src_ip !== undefined || e.src_port !== undefined) doc.source = compact({ ip: e.src_ip, port: e.src_port });
  if (e.dst_ip !== undefined || e.dst_port !== undefined) doc.destination = compact({ ip: e.dst_ip, port: e.dst_port });
  // Cowrie only listens on TCP (SSH, Telnet) and every connection is made to it.
  doc.network = compact({ transport: 'tcp', protocol: e.protocol, direction: 'inbound' });
  if (e.username !== undefined) doc.user = { name: e.username };
  if (e.input !== undefined && (e.eventid.startsWith('cowrie.command.') || e.eventid === 'cowrie.session.input' || e.format === 'hp_ti')) {
    doc.process = compact({ command_line: e.input, name: firstToken(e.input) });
  }
  if (e.url !== undefined) doc.url = urlFields(e.url);
  if (e.shasum !== undefined || e.outfile !== undefined || e.filename !== undefined) {
    const file: Doc = {};
    // log.closed's shasum is of the TTY input, not a file the attacker brought: keep it out of file.*.
    if (e.shasum !== undefined && e.eventid !== 'cowrie.log.closed') file.hash = { sha256: e.shasum };
    if (e.outfile !== undefined) file.path = e.outfile;
    if (e.filename !== undefined) file.name = e.filename;
    if (e.size !== undefined && e.eventid !== 'cowrie.log.closed') file.size = e.size;
    if (Object.keys(file).length > 0) doc.file = file;
  }
  const observerName = e.sensor ?? options.sensorName;
  doc.observer = compact({ name: observerName, type: 'honeypot', product: 'Cowrie', vendor: 'Cowrie' });
  const related: Doc = {};
  const ips = unique([e.src_ip, e.dst_ip]);
  if (ips.length > 0) related.ip = ips;
  if (e.username !== undefined) related.user = [e.username];
  const hashes = unique([e.shasum, e.hassh]);
  if (hashes.length > 0) related.hash = hashes;
  if (Object.keys(related).length > 0) doc.related = related;
  if (e.level !== undefined || e.component !== undefined || options.filePath !== undefined || options.offset !== undefined) {
    doc.log = compact({
      level: e.level,
      logger: e.component,
      file: options.filePath !== undefined ? { path: options.filePath } : undefined,
      offset: options.offset,
    });
  }
  if (e.flags.length > 0) doc.tags = e.flags.map((f) => (f === 'unknown_eventid' ? 'cowrie_unknown_eventid' : f));
  doc.cowrie = cowrieNamespace(e);
  return doc;
}

/**
 * A line that gave no event, as a document that keeps it (never drop attack traffic):
 * `event.kind: pipeline_error`, the reason in `error.*`, the line in `event.original`. `timestamp`
 * is the caller's choice (the file's modification time, the time it was read). Returns undefined
 * for empty lines and for incomplete lines, which are not errors.
 */
export function cowrieRejectToEcs(result: CowrieParseResult, timestamp: string, options: CowrieEcsOptions = {}): Doc | undefined {
  if (result.ok || result.reason === 'empty' || result.reason === 'incomplete') return undefined;
  const doc: Doc = {
    '@timestamp': timestamp,
    ecs: { version: HONEYPOT_ECS_VERSION },
    event: { kind: 'pipeline_error', dataset: 'cowrie', module: 'cowrie', original: result.raw },
    error: { type: result.reason, message: result.error },
    observer: compact({ name: options.sensorName, type: 'honeypot', product: 'Cowrie', vendor: 'Cowrie' }),
    tags: ['cowrie_parse_error'],
  };
  if (options.filePath !== undefined || options.offset !== undefined) {
    doc.log = compact({ file: options.filePath !== undefined ? { path: options.filePath } : undefined, offset: options.offset });
  }
  return doc;
}

function cowrieNamespace(e: CowrieEvent): Doc {
  const kex = compact({ kex_algs: e.kexAlgs, key_algs: e.keyAlgs, enc_cs: e.encCS, mac_cs: e.macCS, comp_cs: e.compCS, lang_cs: e.langCS });
  return compact({
    eventid: e.eventid,
    format: e.format,
    session: e.session,
    password: e.password,
    hassh: e.hassh,
    hassh_algorithms: e.hasshAlgorithms,
    client_version: e.version,
    kex: Object.keys(kex).length > 0 ? kex : undefined,
    ttylog: e.ttylog,
    duplicate: e.duplicate,
    arch: e.arch,
    terminal: e.width !== undefined || e.height !== undefined ? compact({ width: e.width, height: e.height }) : undefined,
    env: e.name !== undefined || e.value !== undefined ? compact({ name: e.name, value: e.value }) : undefined,
    key: e.fingerprint !== undefined || e.key !== undefined || e.keyType !== undefined ? compact({ fingerprint: e.fingerprint, type: e.keyType, value: e.key }) : undefined,
    data: e.data,
    virustotal:
      e.positives !== undefined || e.total !== undefined || e.isNew !== undefined ? compact({ positives: e.positives, total: e.total, is_new: e.isNew }) : undefined,
    sensor_uuid: e.uuid,
    system: e.system,
    is_error: e.isError,
    truncated_fields: e.truncatedFields.length > 0 ? e.truncatedFields.slice() : undefined,
    extra: e.extra,
  });
}

function urlFields(url: string): Doc {
  const out: Doc = { full: url };
  // Attackers' URLs are often not URLs (`http://1.2.3.4/x;sh`, bare hosts): only what parses is split.
  if (url.length <= 8192 && URL.canParse(url)) {
    const u = new URL(url);
    out.scheme = u.protocol.endsWith(':') ? u.protocol.slice(0, -1) : u.protocol;
    if (u.hostname) out.domain = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    if (u.port) out.port = Number(u.port);
    if (u.pathname) out.path = u.pathname;
  }
  return out;
}

function firstToken(s: string): string | undefined {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
  let j = i;
  while (j < s.length && s.charCodeAt(j) !== 0x20 && s.charCodeAt(j) !== 0x09 && s[j] !== ';' && s[j] !== '|' && s[j] !== '&') j++;
  return j > i ? s.slice(i, j) : undefined;
}

function unique(values: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined && !out.includes(v)) out.push(v);
  return out;
}

/** A copy of `o` without its undefined members (a copy, not `delete`, which would turn the object into a slow dictionary). */
function compact(o: Doc): Doc {
  const out: Doc = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
