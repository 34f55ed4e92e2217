/**
 * One line of a Cowrie JSON log (or of the flat HP_TI shape) → a validated, sanitised
 * {@link CowrieEvent}, or a reason why not. Never throws: honeypot logs are written by attackers'
 * input, and one bad line must not stop an ingest (it is indexed as a pipeline error instead).
 *
 * Cowrie version traps handled here: `duration` is a string of seconds in current releases and a
 * number in old ones, `duration_ms` (milliseconds) in newer ones; `message` may be an array (2.x);
 * `protocol`, `src_port` and `password` may be missing; events may come after `session.closed`
 * (the parser is stateless, so order does not matter).
 */
import { isUtf8 } from 'node:buffer';
import { isIP } from 'node:net';
import { cowrieEventSpec } from './cowrie-events.js';
import type { CowrieEvent, CowrieFlag, CowrieLinePosition, CowrieParseResult, CowrieRejectReason } from './cowrie-event.js';
import { normalizeCowrieTimestamp } from './cowrie-timestamp.js';
import { HP_TI_KEY_ALIASES, hpTiEventId } from './hp-ti-event-type.js';
import { sanitizeText, truncateUtf8, type SanitizeFlags } from './sanitize-text.js';

/** Options of {@link parseCowrieLine}. */
export interface CowrieParseOptions {
  /** Largest UTF-8 size of one string value (and of `event.original`); longer ones are cut and flagged. Default 65 536. */
  readonly maxFieldBytes?: number;
}

/** Default of {@link CowrieParseOptions.maxFieldBytes}. */
export const DEFAULT_MAX_FIELD_BYTES = 65_536;

/** Keys the record holds; everything else goes to `extra`. */
const CONSUMED = new Set([
  'eventid', 'event_type', 'timestamp', 'session', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'protocol', 'sensor', 'uuid', 'message',
  'username', 'password', 'input', 'url', 'outfile', 'destfile', 'filename', 'shasum', 'sha256', 'size', 'duration', 'duration_ms', 'ttylog',
  'duplicate', 'arch', 'version', 'hassh', 'hasshAlgorithms', 'kexAlgs', 'keyAlgs', 'encCS', 'macCS', 'compCS', 'langCS', 'width', 'height',
  'name', 'value', 'fingerprint', 'key', 'type', 'data', 'positives', 'total', 'is_new', 'system', 'isError', 'level', 'component',
]);

/** Depth beyond which nested extra values are kept as (cut) JSON text. */
const MAX_EXTRA_DEPTH = 8;

/** Per-line state of the normaliser: the flags it raised. */
class Collector {
  readonly sf: SanitizeFlags = { controlChars: false, invalidUtf8: false, truncated: false };
  readonly truncatedFields: string[] = [];
  invalidField = false;
  constructor(readonly maxBytes: number) {}

  text(field: string, v: string): string {
    const before = this.sf.truncated;
    this.sf.truncated = false;
    const out = sanitizeText(v, this.maxBytes, this.sf);
    if (this.sf.truncated && !this.truncatedFields.includes(field)) this.truncatedFields.push(field);
    this.sf.truncated ||= before;
    return out;
  }

  flags(unknown: boolean): CowrieFlag[] {
    const f: CowrieFlag[] = [];
    if (this.sf.controlChars) f.push('control_chars');
    if (this.sf.invalidUtf8) f.push('invalid_utf8');
    if (this.sf.truncated) f.push('truncated');
    if (this.invalidField) f.push('invalid_field');
    if (unknown) f.push('unknown_eventid');
    return f;
  }
}

/**
 * Parse one log line (without or with its trailing newline). `line` may be a Buffer holding any
 * bytes: invalid UTF-8 is replaced with U+FFFD and flagged. See {@link CowrieParseResult}.
 */
export function parseCowrieLine(line: string | Buffer, position?: CowrieLinePosition, options?: CowrieParseOptions): CowrieParseResult {
  const maxBytes = Math.max(64, Math.floor(options?.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES));
  const c = new Collector(maxBytes);
  let text: string;
  if (typeof line === 'string') text = line;
  else {
    if (!isUtf8(line)) c.sf.invalidUtf8 = true;
    text = line.toString('utf8');
  }
  text = trimLine(text);
  let original = text;
  if (original.length * 3 > maxBytes && Buffer.byteLength(original, 'utf8') > maxBytes) {
    original = truncateUtf8(original, maxBytes);
    c.sf.truncated = true;
    c.truncatedFields.push('event.original');
  }
  if (text.length === 0) return reject('empty', 'the line is empty', original, position);

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Raw control characters inside strings are invalid JSON, but some writers emit them: escape
    // them and try once more rather than lose the event.
    const escaped = escapeRawControls(text);
    let recovered = false;
    if (escaped !== text) {
      try {
        parsed = JSON.parse(escaped);
        c.sf.controlChars = true;
        recovered = true;
      } catch {
        // fall through
      }
    }
    if (!recovered) {
      const cut = looksCutShort(text);
      if (cut && position?.terminated !== true) {
        return reject('incomplete', 'the line ends in the middle of a JSON object (the file is probably still being written)', original, position);
      }
      return reject(
        'invalid_json',
        cut ? 'the line ends in the middle of a JSON object although a newline follows it (a write was cut short)' : 'the line is not valid JSON',
        original,
        position,
      );
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return reject('not_an_object', 'the line is JSON but not an object', original, position);
  }
  let obj = parsed as Record<string, unknown>;
  let format: 'cowrie' | 'hp_ti';
  let eventid: string;
  if (typeof obj.eventid === 'string' && obj.eventid.length > 0) {
    format = 'cowrie';
    eventid = obj.eventid;
  } else if (typeof obj.event_type === 'string' && obj.event_type.length > 0) {
    format = 'hp_ti';
    eventid = hpTiEventId(obj.event_type, obj);
    obj = renameHpTi(obj);
  } else {
    return reject('no_eventid', 'the object has neither "eventid" (Cowrie) nor "event_type" (HP_TI)', original, position);
  }
  const timestamp = normalizeCowrieTimestamp(obj.timestamp);
  if (timestamp === undefined) {
    return reject('invalid_timestamp', `the ${eventid.length <= 64 ? JSON.stringify(eventid) + ' ' : ''}event has no valid "timestamp"`, original, position);
  }
  eventid = c.text('eventid', eventid);
  const known = cowrieEventSpec(eventid) !== undefined;

  const e: CowrieEvent = {
    eventid,
    known,
    format,
    timestamp,
    session: str(c, obj, 'session'),
    src_ip: ip(c, obj.src_ip),
    src_port: port(c, obj.src_port),
    dst_ip: ip(c, obj.dst_ip),
    dst_port: port(c, obj.dst_port),
    protocol: protocolOf(c, obj),
    sensor: str(c, obj, 'sensor'),
    uuid: str(c, obj, 'uuid'),
    message: messageOf(c, obj.message),
    username: str(c, obj, 'username'),
    password: str(c, obj, 'password'),
    input: str(c, obj, 'input'),
    url: str(c, obj, 'url'),
    outfile: str(c, obj, 'outfile') ?? str(c, obj, 'destfile'),
    filename: str(c, obj, 'filename'),
    shasum: hash(c, obj.shasum ?? obj.sha256),
    size: count(c, obj.size),
    duration: durationOf(c, obj),
    ttylog: str(c, obj, 'ttylog'),
    duplicate: bool(obj.duplicate),
    arch: str(c, obj, 'arch'),
    version: str(c, obj, 'version'),
    hassh: str(c, obj, 'hassh'),
    hasshAlgorithms: str(c, obj, 'hasshAlgorithms'),
    kexAlgs: list(c, obj, 'kexAlgs'),
    keyAlgs: list(c, obj, 'keyAlgs'),
    encCS: list(c, obj, 'encCS'),
    macCS: list(c, obj, 'macCS'),
    compCS: list(c, obj, 'compCS'),
    langCS: list(c, obj, 'langCS'),
    width: count(c, obj.width),
    height: count(c, obj.height),
    name: str(c, obj, 'name'),
    value: str(c, obj, 'value'),
    fingerprint: str(c, obj, 'fingerprint'),
    key: str(c, obj, 'key'),
    keyType: str(c, obj, 'type'),
    data: str(c, obj, 'data'),
    positives: count(c, obj.positives),
    total: count(c, obj.total),
    isNew: bool(obj.is_new),
    system: str(c, obj, 'system'),
    isError: bool(obj.isError),
    level: str(c, obj, 'level'),
    component: str(c, obj, 'component'),
    extra: extraOf(c, obj),
    flags: [],
    truncatedFields: c.truncatedFields,
    raw: parsed as Record<string, unknown>,
    original,
  };
  e.flags = c.flags(!known);
  return { ok: true, event: e };
}

function reject(reason: CowrieRejectReason, error: string, raw: string, position: CowrieLinePosition | undefined): CowrieParseResult {
  const where = position?.line !== undefined ? `line ${position.line}: ` : position?.offset !== undefined ? `byte offset ${position.offset}: ` : '';
  return position ? { ok: false, reason, error: where + error, raw, position } : { ok: false, reason, error: where + error, raw };
}

/** Drops a trailing LF/CRLF, surrounding white space and a UTF-8 byte order mark. */
function trimLine(s: string): string {
  let start = 0;
  let end = s.length;
  if (s.charCodeAt(0) === 0xfeff) start = 1;
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function escapeRawControls(s: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      out += s.slice(start, i) + '\\u00' + (c < 16 ? '0' : '1') + '0123456789abcdef'[c & 15];
      start = i + 1;
    }
  }
  return start === 0 ? s : out + s.slice(start);
}

/**
 * True when `s` reads as the beginning of a JSON object that stops early: it starts with `{`,
 * its brackets never close more than they open, and at the end a string or a bracket is still
 * open. Only called after JSON.parse failed, so it need not validate the rest.
 */
export function looksCutShort(s: string): boolean {
  if (s.charCodeAt(0) !== 0x7b) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth <= 0) return false; // the object closed: what follows is garbage, not a cut
    }
  }
  return inString || depth > 0;
}

function renameHpTi(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const to = Object.hasOwn(HP_TI_KEY_ALIASES, k) ? HP_TI_KEY_ALIASES[k] : k;
    if (to !== k && Object.hasOwn(obj, to)) out[k] = obj[k]; // both spellings present: keep both
    else out[to] = obj[k];
  }
  return out;
}

function str(c: Collector, obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (typeof v === 'string') return c.text(key, v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return undefined;
  c.invalidField = true;
  return undefined;
}

function ip(c: Collector, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    const s = v.trim();
    if (isIP(s) !== 0) return s;
    // [2001:db8::1] as some loggers write IPv6.
    if (s.length > 2 && s[0] === '[' && s[s.length - 1] === ']' && isIP(s.slice(1, -1)) === 6) return s.slice(1, -1);
  }
  c.invalidField = true;
  return undefined;
}

function port(c: Collector, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (Number.isInteger(n) && n >= 0 && n <= 65535) return n;
  c.invalidField = true;
  return undefined;
}

function count(c: Collector, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (Number.isSafeInteger(n) && n >= 0) return n;
  c.invalidField = true;
  return undefined;
}

function seconds(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `duration_ms` wins when both are there: it has millisecond precision, `duration` strings one decimal. */
function durationOf(c: Collector, obj: Record<string, unknown>): number | undefined {
  if (obj.duration_ms !== undefined && obj.duration_ms !== null) {
    const ms = seconds(obj.duration_ms);
    if (ms !== undefined) return ms / 1000;
    c.invalidField = true;
  }
  if (obj.duration !== undefined && obj.duration !== null) {
    const s = seconds(obj.duration);
    if (s !== undefined) return s;
    c.invalidField = true;
  }
  return undefined;
}

function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true' || v === 'True') return true;
  if (v === 0 || v === '0' || v === 'false' || v === 'False') return false;
  return undefined;
}

function hash(c: Collector, v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s.length === 64 && isHex(s)) return s;
  }
  c.invalidField = true;
  return undefined;
}

function isHex(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (!((ch >= 48 && ch <= 57) || (ch >= 97 && ch <= 102))) return false;
  }
  return true;
}

function messageOf(c: Collector, v: unknown): string | undefined {
  if (typeof v === 'string') return v.length === 0 ? undefined : c.text('message', v);
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    let joined = '';
    for (let i = 0; i < v.length; i++) {
      const part = v[i];
      joined += (i > 0 ? ' ' : '') + (typeof part === 'string' ? part : safeJson(part));
    }
    return c.text('message', joined);
  }
  if (v === undefined || v === null) return undefined;
  return c.text('message', safeJson(v));
}

function list(c: Collector, obj: Record<string, unknown>, key: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [c.text(key, v)];
  if (!Array.isArray(v)) {
    c.invalidField = true;
    return undefined;
  }
  const out: string[] = [];
  for (const item of v) {
    if (typeof item === 'string') out.push(c.text(key, item));
    else c.invalidField = true;
  }
  return out;
}

function protocolOf(c: Collector, obj: Record<string, unknown>): string | undefined {
  const p = obj.protocol;
  if (typeof p === 'string' && p.length > 0) return c.text('protocol', p.toLowerCase());
  // Cowrie 2.x has no `protocol` but its Twisted `system` names the transport.
  const system = obj.system;
  if (typeof system === 'string') {
    const s = system.toLowerCase();
    if (s.includes('telnet')) return 'telnet';
    if (s.includes('ssh')) return 'ssh';
  }
  return undefined;
}

function extraOf(c: Collector, obj: Record<string, unknown>): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(obj)) {
    if (CONSUMED.has(k)) continue;
    out ??= {};
    out[c.text('extra', k)] = sanitizeValue(c, obj[k], 0);
  }
  return out;
}

function sanitizeValue(c: Collector, v: unknown, depth: number): unknown {
  if (typeof v === 'string') return c.text('extra', v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_EXTRA_DEPTH) return c.text('extra', safeJson(v));
  if (Array.isArray(v)) return v.map((x) => sanitizeValue(c, x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[c.text('extra', k)] = sanitizeValue(c, (v as Record<string, unknown>)[k], depth + 1);
  return out;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
