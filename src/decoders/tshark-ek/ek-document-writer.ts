/**
 * One `tshark -T ek` packet → one typed document, shaped like the original espcap's (`layers`,
 * `protocol` = highest protocol, `sniff_date_utc`, `sniff_timestamp`, `file_name`) with sluice's
 * additions (`@timestamp` in UTC at the capture's precision, `frame_number`, `capture_id`,
 * `network.community_id`):
 *
 *   layers.<layer>.<field>           fields of {@link COMMON_FIELDS}, typed, mapped explicitly
 *   layers_other.<layer>.<field>     every other field, typed: the catch-all (flat_object /
 *                                    flattened / bounded dynamic mapping)
 *   layers_overflow.<layer>.<field>  fields kept but not indexed: over the bounded budget, or values
 *                                    longer than {@link MAX_INDEXED_CHARS}; counted in
 *                                    sluice.overflow_fields
 *
 * Field names are Wireshark's (`ip.src`), found through the registry from the EK key (`ip_ip_src`),
 * and written as dotted keys (`"ip":{"ip.src":"10.0.0.1"}`), which the engines map as
 * `layers.ip.ip.src`. Values are typed by the field's registered type, never by their look.
 * Repeated fields (duplicate EK keys, repeated layers) become arrays in order.
 *
 * Synchronous; one call per packet.
 */
import { JsonBytes, ascii } from '../../pipeline/json-bytes.js';
import { COMMON_FIELD_TYPES } from './common-fields.js';
import type { FieldBudget } from './field-budget.js';
import { ValueKind, type FieldRegistry } from './field-registry.js';
import type { EkPacket, EkScalar, EkValue } from './parse-ek-line.js';

/**
 * Longest string value indexed in the catch-all. Longer ones (payload hex dumps, HTTP bodies) go
 * to `layers_overflow`: a keyword term over 32,766 bytes makes Lucene refuse the whole document,
 * and `flat_object` has no `ignore_above`.
 */
export const MAX_INDEXED_CHARS = 8191;

/** What the writer learns about a packet before writing it. */
export interface EkPacketMeta {
  /** frame.number (0 when tshark printed none). */
  frame: number;
  /** frame.cap_len: bytes captured. */
  capturedBytes: number;
  /** Whole seconds since the epoch (UTC) of frame.time_epoch; NaN when absent. */
  epochSec: number;
  /** frame.time_epoch as tshark printed it (`1591780794.740079000`), '' when absent. */
  epochText: string;
  /** Last protocol of frame.protocols (espcap's "highest protocol"). */
  protocol: string;
  /** The Community ID tshark computed (`--enable-protocol communityid`), '' when none. */
  communityId: string;
}

interface Slot {
  readonly kind: ValueKind;
  readonly values: EkScalar[];
}

type Tree = Map<string, Map<string, Slot>>;

/** EK key of Wireshark's Community ID (a layer of its own: `"communityid_communityid":"1:…"`). */
const COMMUNITY_ID_KEY = 'communityid_communityid';

const K_TS = ascii('{"@timestamp":');
const K_SNIFF_DATE = ascii(',"sniff_date_utc":');
const K_SNIFF_TS = ascii(',"sniff_timestamp":');
const K_PROTOCOL = ascii(',"protocol":');
const K_FILE = ascii(',"file_name":');
const K_FRAME = ascii(',"frame_number":');
const K_CAPTURE = ascii(',"capture_id":');
const K_COMMUNITY = ascii(',"network":{"community_id":');
const K_LAYERS = ascii(',"layers":');
const K_OTHER = ascii(',"layers_other":');
const K_OVERFLOW = ascii(',"layers_overflow":');
const K_SLUICE = ascii(',"sluice":{"overflow_fields":');
const K_NULL = ascii('null');
const K_TRUE = ascii('true');
const K_FALSE = ascii('false');

/** Writes the documents of one capture file. */
export class EkDocumentWriter {
  /** Fields moved to layers_overflow so far (all documents of this writer). */
  overflowFields = 0;
  private readonly fileName: string;
  private readonly captureId: string;

  /**
   * @param budget the bounded-fields budget when the catch-all is a dynamic mapping; undefined
   *   for `flat_object` / `flattened` (no limit needed).
   */
  constructor(
    private readonly registry: FieldRegistry,
    capture: { readonly fileName: string; readonly captureId: string },
    private readonly budget?: FieldBudget,
  ) {
    this.fileName = capture.fileName;
    this.captureId = capture.captureId;
  }

  /** Frame number, time, highest protocol and Community ID of a parsed packet. */
  meta(packet: EkPacket): EkPacketMeta {
    const meta: EkPacketMeta = { frame: 0, capturedBytes: 0, epochSec: Number.NaN, epochText: '', protocol: '', communityId: '' };
    const { layers, keys, values } = packet;
    for (let i = 0; i < keys.length; i++) {
      const layer = layers[i];
      if (layer === 'frame') {
        const k = keys[i];
        const v = values[i];
        if (typeof v !== 'string') continue;
        if (k === 'frame_frame_number' && meta.frame === 0) meta.frame = Number(v) || 0;
        else if (k === 'frame_frame_cap_len' && meta.capturedBytes === 0) meta.capturedBytes = Number(v) || 0;
        else if (k === 'frame_frame_time_epoch' && meta.epochText === '') {
          meta.epochText = v;
          const dot = v.indexOf('.');
          meta.epochSec = Number(dot < 0 ? v : v.slice(0, dot));
        } else if (k === 'frame_frame_protocols' && meta.protocol === '') meta.protocol = v.slice(v.lastIndexOf(':') + 1);
      } else if (keys[i] === COMMUNITY_ID_KEY) {
        const v = values[i];
        if (typeof v === 'string' && meta.communityId === '') meta.communityId = v;
      }
    }
    if (meta.epochText === '' && packet.timestamp !== '') {
      // Older tshark without frame.time_epoch in EK: the millisecond timestamp member.
      const ms = Number(packet.timestamp);
      meta.epochSec = Math.floor(ms / 1000);
      meta.epochText = (ms / 1000).toFixed(3);
    }
    return meta;
  }

  /** Writes the document of `packet` (going to `index`) into `out`. */
  write(packet: EkPacket, meta: EkPacketMeta, index: string, out: JsonBytes): void {
    const common: Tree = new Map();
    const other: Tree = new Map();
    const overflow: Tree = new Map();
    let overflowCount = 0;
    const { layers, keys, values } = packet;
    const registry = this.registry;
    const budget = this.budget;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === COMMUNITY_ID_KEY) continue; // network.community_id
      const layer = registry.protocol(layers[i]);
      const info = registry.field(key);
      const name = info?.name ?? key;
      const kind = info?.kind ?? ValueKind.String;
      const value = values[i];
      const explicit = COMMON_FIELD_TYPES.get(layer)?.get(name);
      if (explicit !== undefined) {
        add(common, layer, name, kind, value);
        continue;
      }
      const stored = info?.hasChildren ? name + '._value' : name;
      let indexable = !tooLong(value);
      if (indexable && budget !== undefined && !budget.admit(index, layer + '.' + stored)) indexable = false;
      if (indexable) add(other, layer, stored, kind, value);
      else add(overflow, layer, stored, kind, value);
    }
    // Counted per field (a repeated field is one array), as the document shows them.
    for (const fields of overflow.values()) overflowCount += fields.size;
    this.overflowFields += overflowCount;

    const iso = isoTime(meta.epochSec, meta.epochText);
    out.bytes(K_TS);
    if (iso === '') out.bytes(K_NULL);
    else out.str(iso);
    out.bytes(K_SNIFF_DATE);
    if (iso === '') out.bytes(K_NULL);
    else out.str(iso);
    out.bytes(K_SNIFF_TS);
    if (isJsonNumber(meta.epochText)) out.plain(meta.epochText);
    else out.bytes(K_NULL);
    out.bytes(K_PROTOCOL);
    out.str(meta.protocol);
    out.bytes(K_FILE);
    out.str(this.fileName);
    out.bytes(K_FRAME);
    out.int(meta.frame);
    out.bytes(K_CAPTURE);
    out.str(this.captureId);
    if (meta.communityId !== '') {
      out.bytes(K_COMMUNITY);
      out.str(meta.communityId);
      out.plain('}');
    }
    out.bytes(K_LAYERS);
    writeTree(out, common);
    out.bytes(K_OTHER);
    writeTree(out, other);
    if (overflowCount > 0) {
      out.bytes(K_OVERFLOW);
      writeTree(out, overflow);
      out.bytes(K_SLUICE);
      out.int(overflowCount);
      out.plain('}');
    }
    out.plain('}');
  }
}

function add(tree: Tree, layer: string, name: string, kind: ValueKind, value: EkValue): void {
  let fields = tree.get(layer);
  if (fields === undefined) tree.set(layer, (fields = new Map()));
  let slot = fields.get(name);
  if (slot === undefined) fields.set(name, (slot = { kind, values: [] }));
  if (Array.isArray(value)) for (const v of value) slot.values.push(v);
  else slot.values.push(value);
}

function tooLong(value: EkValue): boolean {
  if (typeof value === 'string') return value.length > MAX_INDEXED_CHARS;
  if (Array.isArray(value)) for (const v of value) if (typeof v === 'string' && v.length > MAX_INDEXED_CHARS) return true;
  return false;
}

function writeTree(out: JsonBytes, tree: Tree): void {
  out.plain('{');
  let firstLayer = true;
  for (const [layer, fields] of tree) {
    if (!firstLayer) out.plain(',');
    firstLayer = false;
    out.str(layer);
    out.plain(':{');
    let first = true;
    for (const [name, slot] of fields) {
      if (!first) out.plain(',');
      first = false;
      out.str(name);
      out.plain(':');
      const vs = slot.values;
      if (vs.length === 1) writeValue(out, slot.kind, vs[0]);
      else {
        out.plain('[');
        for (let i = 0; i < vs.length; i++) {
          if (i > 0) out.plain(',');
          writeValue(out, slot.kind, vs[i]);
        }
        out.plain(']');
      }
    }
    out.plain('}');
  }
  out.plain('}');
}

/** Writes one EK scalar typed by its field's kind (see {@link ValueKind}). */
export function writeValue(out: JsonBytes, kind: ValueKind, v: EkScalar): void {
  if (v === null) {
    // FT_NONE (and protocol items without bytes): the field is present.
    if (kind === ValueKind.Marker) out.bytes(K_TRUE);
    else out.bytes(K_NULL);
    return;
  }
  if (typeof v === 'boolean') {
    out.bytes(v ? K_TRUE : K_FALSE);
    return;
  }
  if (typeof v === 'number') {
    if (Number.isFinite(v)) out.plain(String(v));
    else out.bytes(K_NULL);
    return;
  }
  switch (kind) {
    case ValueKind.Int:
    case ValueKind.Int64: {
      const n = Number(v); // decimal, and BASE_HEX values printed as 0x…
      if (v === '' || Number.isNaN(n)) out.str(v);
      else if (Number.isSafeInteger(n)) out.int(n);
      else out.str(bigDecimal(v)); // 64-bit beyond 2^53: exact, as a decimal string
      return;
    }
    case ValueKind.Float:
      if (isJsonNumber(v)) {
        // The digits tshark printed (no rounding through a double), always with a fraction so a
        // dynamic mapping makes the field a double, not a long.
        out.plain(v);
        if (v.indexOf('.') < 0 && v.indexOf('e') < 0 && v.indexOf('E') < 0) out.plain('.0');
      } else {
        const n = Number(v);
        if (v !== '' && Number.isFinite(n)) out.plain(String(n));
        else out.str(v);
      }
      return;
    case ValueKind.Bool:
      out.bytes(v === '1' || v === 'true' || v === 'True' ? K_TRUE : K_FALSE);
      return;
    case ValueKind.Time: {
      const iso = absoluteTime(v);
      out.str(iso);
      return;
    }
    case ValueKind.Marker:
      out.bytes(K_TRUE);
      return;
    default:
      out.str(v);
  }
}

function bigDecimal(v: string): string {
  try {
    return BigInt(v).toString();
  } catch {
    return v;
  }
}

/** An FT_ABSOLUTE_TIME as ISO-8601 UTC: tshark 4 prints ISO already; epoch seconds (`-t ud` style) are converted. */
function absoluteTime(v: string): string {
  if (isJsonNumber(v)) {
    const dot = v.indexOf('.');
    const iso = isoTime(Number(dot < 0 ? v : v.slice(0, dot)), v);
    return iso === '' ? v : iso;
  }
  return v;
}

/**
 * ISO-8601 UTC of an epoch-seconds text with every fraction digit kept (`1591780794.740079000` →
 * `2020-06-10T09:19:54.740079000Z`); '' when unusable. Never local time (espcap's daily indices
 * were dated in local time).
 */
export function isoTime(epochSec: number, epochText: string): string {
  if (!Number.isFinite(epochSec) || epochSec < 0) return '';
  const d = new Date(epochSec * 1000);
  if (Number.isNaN(d.getTime())) return '';
  const base = d.toISOString().slice(0, 19);
  const dot = epochText.indexOf('.');
  const frac = dot < 0 ? '' : epochText.slice(dot + 1);
  return frac === '' ? base + 'Z' : base + '.' + frac + 'Z';
}

/** True when `s` is a JSON number literal (so it can be written as is). */
export function isJsonNumber(s: string): boolean {
  const n = s.length;
  let i = 0;
  if (i < n && s.charCodeAt(i) === 45) i++;
  const intStart = i;
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  const intLen = i - intStart;
  if (intLen === 0 || (intLen > 1 && s.charCodeAt(intStart) === 48)) return false;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    const f = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === f) return false;
  }
  if (i < n && (s.charCodeAt(i) === 101 || s.charCodeAt(i) === 69)) {
    i++;
    if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const e = i;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === e) return false;
  }
  return i === n;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
