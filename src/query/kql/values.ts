/**
 * Value parsing for queries: IP addresses and CIDR blocks, integers, dates. Pure functions that
 * return `undefined` for invalid input (the caller turns that into `SLUICE_QUERY_VALUE`).
 */

/** A parsed IP address: family, 128-bit value (IPv4 as IPv4-mapped IPv6) and the canonical text. */
export interface IpAddress {
  readonly family: 4 | 6;
  /** IPv4 in the low 32 bits of `::ffff:0:0/96`; IPv6 as is. */
  readonly value: bigint;
  /** IPv4 dotted quad, IPv6 RFC 5952 (compressed, lower case) — the form of the documents. */
  readonly text: string;
}

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAPPED = 0xffffn << 32n;

function parseV4(s: string): number | undefined {
  const m = V4.exec(s);
  if (!m) return undefined;
  let v = 0;
  for (let k = 1; k <= 4; k++) {
    const part = m[k]!;
    if (part.length > 1 && part.startsWith('0')) return undefined; // no octal-looking octets
    const n = Number(part);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v;
}

function v4Text(v: number): string {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** RFC 5952 text of a 128-bit IPv6 value. */
export function ipv6Text(value: bigint): string {
  const groups: number[] = [];
  for (let k = 7; k >= 0; k--) groups.push(Number((value >> BigInt(k * 16)) & 0xffffn));
  // Longest run (≥ 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

function parseV6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let tail4: number | undefined;
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    // Replace the dotted tail by two placeholder groups.
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = body.split('::');
  if (dbl.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const gs = part.split(':');
    const out: number[] = [];
    for (const g of gs) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(dbl[0]!);
  const rest = dbl.length === 2 ? parse(dbl[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  let groups: number[];
  if (dbl.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  if (tail4 !== undefined) v = (v & ~0xffffffffn) | BigInt(tail4);
  return v;
}

/** Parses an IPv4 or IPv6 address (no zone id, no brackets). */
export function parseIp(s: string): IpAddress | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { family: 4, value: MAPPED | BigInt(v4), text: v4Text(v4) };
  if (!s.includes(':')) return undefined;
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  return { family: 6, value: v6, text: ipv6Text(v6) };
}

/** A CIDR block; `network` has the host bits cleared. */
export interface Cidr {
  readonly network: IpAddress;
  /** Prefix length within the family: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefix: number;
  /** Canonical text, `10.0.0.0/8`, `2001:db8::/32`. */
  readonly text: string;
}

/** Parses `address/prefix`; host bits are cleared (`10.1.2.3/8` → `10.0.0.0/8`). */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (ip === undefined || !/^\d{1,3}$/.test(p)) return undefined;
  const prefix = Number(p);
  const bits = ip.family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const mask = ~((1n << hostBits) - 1n);
  const value = ip.value & mask;
  const network = ip.family === 4 ? { family: 4 as const, value, text: v4Text(Number(value & 0xffffffffn)) } : { family: 6 as const, value, text: ipv6Text(value) };
  return { network, prefix, text: `${network.text}/${prefix}` };
}

/** Sortable key of an address: 32 lower-case hex digits of its 128-bit value (IPv4 mapped). */
export function ipKey(ip: IpAddress): string {
  return ip.value.toString(16).padStart(32, '0');
}

/** Is `ip` inside `cidr`? Families must match (an IPv4 address is never in an IPv6 block). */
export function ipInCidr(ip: IpAddress, cidr: Cidr): boolean {
  if (ip.family !== cidr.network.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  const hostBits = BigInt(bits - cidr.prefix);
  return ip.value >> hostBits === cidr.network.value >> hostBits;
}

/** Integers in decimal (`-5`, `1024`); `undefined` for anything else or outside 64-bit signed. */
export function parseInteger(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) return undefined;
  return v;
}

/** A number or a bigint when it is outside the safe integer range (what SQLite bindings accept). */
export function toBindable(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A parsed date. */
export interface ParsedDate {
  /** Nanoseconds since the epoch (UTC), exact. */
  readonly ns: bigint;
  /** True for `YYYY-MM-DD` (a whole UTC day). */
  readonly dateOnly: boolean;
}

const NS_PER_DAY = 86_400_000_000_000n;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian, Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Parses an ISO 8601 date (`2024-01-01`, `2024-01-01T12:00Z`, `2024-01-01T12:00:00.123456789+02:00`;
 * no zone means UTC) or epoch milliseconds (`1700000000000`) into exact nanoseconds.
 */
export function parseDate(s: string): ParsedDate | undefined {
  if (/^-?\d+$/.test(s)) {
    const ms = BigInt(s);
    return { ns: ms * 1_000_000n, dateOnly: false };
  }
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  if (mo < 1 || mo > 12 || d < 1) return undefined;
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
  if (d > dim) return undefined;
  const days = BigInt(daysFromCivil(y, mo, d));
  if (hs === undefined) return { ns: days * NS_PER_DAY, dateOnly: true };
  const h = Number(hs);
  const mi = Number(mis);
  const sec = ss === undefined ? 0 : Number(ss);
  if (h > 23 || mi > 59 || sec > 59) return undefined;
  let ns = days * NS_PER_DAY + BigInt(h * 3600 + mi * 60 + sec) * 1_000_000_000n;
  if (frac !== undefined) ns += BigInt(frac.padEnd(9, '0'));
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const zh = Number(zm[2]);
    const zmin = Number(zm[3]);
    if (zh > 23 || zmin > 59) return undefined;
    const offset = BigInt((zh * 60 + zmin) * 60) * 1_000_000_000n;
    ns = zm[1] === '+' ? ns - offset : ns + offset;
  }
  return { ns, dateOnly: false };
}

/** `YYYY-MM-DD` of the UTC day `ns` falls in. */
export function dayText(ns: bigint): string {
  const ms = Number((ns >= 0n ? ns : ns - NS_PER_DAY + 1n) / NS_PER_DAY) * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

export { NS_PER_DAY };
