/**
 * Wireshark's field registry (`tshark -G fields`): every protocol and field tshark can emit, with
 * its type. The EK output flattens names (`ip.src` of protocol `ip` is printed as `ip_ip_src`) and
 * prints every value as a string; the registry maps the flat key back to the field and tells how
 * to type its value, so nothing is guessed from the shape of a string.
 *
 * Format of `tshark -G fields` (Wireshark 3.x/4.x, tab-separated):
 *   P  <name>  <abbrev>                                               a protocol
 *   F  <name>  <abbrev>  <FT_type>  <parent protocol>  <base> …        a field
 * EK key (epan/print.c, ek_write_name): fields `<parent>_<abbrev>`, protocols `<abbrev>`, with every
 * `.` replaced by `_`.
 */
import { spawnSync } from 'node:child_process';
import { SluiceError } from '../../errors.js';

/** How a field's EK string becomes a JSON value. */
export const enum ValueKind {
  /** Text, bytes, MAC addresses, GUIDs, OIDs…: kept as a string. */
  String = 0,
  /** Integers of at most 48 bits (FT_UINT8…FT_UINT48, FT_INT8…FT_INT48, FT_FRAMENUM, FT_CHAR excluded): a JSON number. */
  Int = 1,
  /** 56/64-bit integers: a number up to 2^53, a decimal string beyond (no precision is lost). */
  Int64 = 2,
  /** FT_FLOAT, FT_DOUBLE, FT_RELATIVE_TIME (seconds): a number. */
  Float = 3,
  Bool = 4,
  /** FT_IPv4, FT_IPv6: the address string (mapped as `ip`). */
  Ip = 5,
  /** FT_ABSOLUTE_TIME: an ISO-8601 UTC string with every digit of the fraction tshark printed. */
  Time = 6,
  /** FT_NONE (a marker without a value, e.g. an expert flag): `true` (present). */
  Marker = 7,
}

/** One EK key resolved. */
export interface FieldInfo {
  /** The Wireshark field name (`ip.src`), or the protocol name for a protocol item. */
  readonly name: string;
  readonly kind: ValueKind;
  /**
   * True when other registered names extend this one (`tcp.flags` → `tcp.flags.syn`): a leaf value
   * of it cannot share an object path with its children in a dynamic mapping, so it is written
   * under `<name>._value` in the catch-all.
   */
  readonly hasChildren: boolean;
}

const KIND_BY_FTYPE: Record<string, ValueKind> = {
  FT_UINT8: ValueKind.Int, FT_UINT16: ValueKind.Int, FT_UINT24: ValueKind.Int, FT_UINT32: ValueKind.Int,
  FT_UINT40: ValueKind.Int, FT_UINT48: ValueKind.Int, FT_UINT56: ValueKind.Int64, FT_UINT64: ValueKind.Int64,
  FT_INT8: ValueKind.Int, FT_INT16: ValueKind.Int, FT_INT24: ValueKind.Int, FT_INT32: ValueKind.Int,
  FT_INT40: ValueKind.Int, FT_INT48: ValueKind.Int, FT_INT56: ValueKind.Int64, FT_INT64: ValueKind.Int64,
  FT_FRAMENUM: ValueKind.Int,
  FT_FLOAT: ValueKind.Float, FT_DOUBLE: ValueKind.Float, FT_RELATIVE_TIME: ValueKind.Float,
  FT_BOOLEAN: ValueKind.Bool,
  FT_IPv4: ValueKind.Ip, FT_IPv6: ValueKind.Ip,
  FT_ABSOLUTE_TIME: ValueKind.Time,
  FT_NONE: ValueKind.Marker,
};

/** The registry of one tshark installation. */
export class FieldRegistry {
  /** EK key → `name index << 4 | kind << 1 | hasChildren`: numbers, not objects (236,000 of them). */
  private readonly byKey: Map<string, number>;
  private readonly names: string[];
  private readonly protocols: Map<string, string>;
  /** FieldInfo of the keys actually seen (a few thousand at most). */
  private readonly seen = new Map<string, FieldInfo | null>();

  private constructor(byKey: Map<string, number>, names: string[], protocols: Map<string, string>) {
    this.byKey = byKey;
    this.names = names;
    this.protocols = protocols;
  }

  /** Number of registered fields and protocols. */
  get fieldCount(): number {
    return this.names.length;
  }

  /** Builds the registry from the text of `tshark -G fields` (about 0.5 s for Wireshark 4.0's 236,000 fields). */
  static parse(text: string): FieldRegistry {
    const byKey = new Map<string, number>();
    const protocols = new Map<string, string>();
    const names: string[] = [];
    let start = 0;
    const n = text.length;
    while (start < n) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      const c = text.charCodeAt(start);
      if ((c === 80 /* P */ || c === 70) /* F */ && text.charCodeAt(start + 1) === 9) {
        const t1 = text.indexOf('\t', start + 2);
        const t2 = t1 < 0 || t1 > end ? -1 : text.indexOf('\t', t1 + 1);
        if (c === 80) {
          let stop = t2 < 0 || t2 > end ? end : t2;
          if (text.charCodeAt(stop - 1) === 13) stop--;
          const abbrev = text.slice(t1 + 1, stop);
          const key = underscored(abbrev);
          if (!protocols.has(key)) protocols.set(key, abbrev);
          if (!byKey.has(key)) byKey.set(key, (names.length << 4) | (ValueKind.String << 1));
          names.push(abbrev);
        } else if (t2 > 0 && t2 < end) {
          const t3 = text.indexOf('\t', t2 + 1);
          const t4 = t3 < 0 || t3 > end ? -1 : text.indexOf('\t', t3 + 1);
          if (t4 > 0 && t4 <= end) {
            const abbrev = text.slice(t1 + 1, t2);
            const parent = text.slice(t3 + 1, t4);
            const key = parent === '' ? underscored(abbrev) : underscored(parent) + '_' + underscored(abbrev);
            const kind = KIND_BY_FTYPE[text.slice(t2 + 1, t3)] ?? ValueKind.String;
            const seen = byKey.get(key);
            if (seen === undefined) byKey.set(key, (names.length << 4) | (kind << 1));
            else if (((seen >> 1) & 7) !== kind && names[seen >> 4] === abbrev) {
              // The same name registered twice with different types (it happens): keep the
              // string, which every value fits.
              byKey.set(key, (seen & ~14) | (ValueKind.String << 1));
            }
            names.push(abbrev);
          }
        }
      }
      start = end + 1;
    }
    // Every dotted prefix of every name: those names have children.
    const parents = new Set<string>();
    for (const name of names) {
      let cut = name.lastIndexOf('.');
      while (cut > 0) {
        const prefix = name.slice(0, cut);
        if (parents.has(prefix)) break; // its own prefixes were added with it
        parents.add(prefix);
        cut = prefix.lastIndexOf('.');
      }
    }
    for (const [key, packed] of byKey) if (parents.has(names[packed >> 4])) byKey.set(key, packed | 1);
    return new FieldRegistry(byKey, names, protocols);
  }

  /** The field behind an EK key (`ip_ip_src` → `ip.src`), or undefined for a key tshark did not register (`text`). */
  field(ekKey: string): FieldInfo | undefined {
    let info = this.seen.get(ekKey);
    if (info === undefined) {
      const packed = this.byKey.get(ekKey);
      info = packed === undefined ? null : { name: this.names[packed >> 4], kind: ((packed >> 1) & 7) as ValueKind, hasChildren: (packed & 1) === 1 };
      this.seen.set(ekKey, info);
    }
    return info ?? undefined;
  }

  /** The protocol name of an EK layer key (`_ws_malformed` → `_ws.malformed`); the key itself when unknown. */
  protocol(layerKey: string): string {
    return this.protocols.get(layerKey) ?? layerKey;
  }
}

/** `s` with every `.` replaced by `_` (EK key spelling). */
function underscored(s: string): string {
  return s.indexOf('.') < 0 ? s : s.split('.').join('_');
}

/** `tshark --version`'s first line, e.g. `TShark (Wireshark) 4.0.17 (…)`. Throws `SLUICE_TSHARK` when tshark cannot run. */
export function tsharkVersion(tsharkPath = 'tshark'): string {
  const r = spawnSync(tsharkPath, ['--version'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error !== undefined || r.status !== 0) {
    throw new SluiceError(
      'SLUICE_TSHARK',
      `could not run ${tsharkPath} --version (${r.error?.message ?? `exit code ${r.status}`}): install Wireshark's tshark (apt-get install tshark) or set tshark.path to its location.`,
      { cause: r.error },
    );
  }
  const first = r.stdout.split('\n', 1)[0] ?? '';
  return first.trim();
}

/**
 * Loads the registry of the tshark at `tsharkPath` (one `tshark -G fields`, about 0.3 s and 25 MB of
 * text for Wireshark 4.0's 236,000 fields). Call it once per run.
 */
export function loadFieldRegistry(tsharkPath = 'tshark'): FieldRegistry {
  const r = spawnSync(tsharkPath, ['-G', 'fields'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error !== undefined || r.status !== 0) {
    throw new SluiceError(
      'SLUICE_TSHARK',
      `could not run ${tsharkPath} -G fields (${r.error?.message ?? `exit code ${r.status}: ${r.stderr.slice(0, 300)}`}): install Wireshark's tshark (apt-get install tshark) or set tshark.path to its location.`,
      { cause: r.error },
    );
  }
  return FieldRegistry.parse(r.stdout);
}
