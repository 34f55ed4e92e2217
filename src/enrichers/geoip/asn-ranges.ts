import { closeSync, openSync, readSync } from 'node:fs';

/** An autonomous system as ECS `*.as` holds it. */
export interface AsnRecord {
  readonly number: number;
  readonly organization?: string;
}

/** Rows added by one file or text, and lines that could not be read. */
export interface CsvAddResult {
  rows: number;
  skipped: number;
}

/** Bytes read per `readSync` when scanning a file: big enough to amortise calls, small next to the table. */
const CHUNK_BYTES = 1 << 20;

/**
 * IP-range → ASN table read from the CSV layout of the `@ip-location-db/*asn*` packages
 * (`ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization`, inclusive
 * ranges, sorted, non-overlapping; addresses as text or as numbers, IPv4 and IPv6 in one file or two).
 *
 * No ASN `.mmdb` is published on npm, so the default ASN source is this CSV: ~412k IPv4 and ~103k
 * IPv6 rows. They live in typed arrays only — IPv4 bounds as Uint32, IPv6 bounds as four Uint32
 * words each, AS number and organisation index per range, the ~75k organisation names once each —
 * about 13 MB, searched by bisection without allocating. Files are scanned as bytes in chunks, so
 * opening never holds the CSV text (33 MB) or an object per row.
 */
export class AsnRanges {
  private v4Start: Uint32Array = new Uint32Array(0);
  private v4End: Uint32Array = new Uint32Array(0);
  private v4Asn: Uint32Array = new Uint32Array(0);
  private v4Org: Uint32Array = new Uint32Array(0);
  private v4Count = 0;
  /** IPv6 bounds, four big-endian 32-bit words per range. */
  private v6Start: Uint32Array = new Uint32Array(0);
  private v6End: Uint32Array = new Uint32Array(0);
  private v6Asn: Uint32Array = new Uint32Array(0);
  private v6Org: Uint32Array = new Uint32Array(0);
  private v6Count = 0;
  private readonly orgs: string[] = [];
  /** Name bytes → index while files are being added (dropped by {@link compact}). */
  private names: NameTable | undefined;
  private readonly words = new Uint32Array(4);
  /** Lines of the file being added: the first growth of a table makes room for all of them. */
  private reserveRows = 0;

  /** Number of ranges held, IPv4 plus IPv6. */
  get size(): number {
    return this.v4Count + this.v6Count;
  }

  /**
   * Parses CSV text and adds its rows. Rows that do not parse are skipped and counted (a range
   * table is best effort, like the rest of enrichment); the count is returned so the caller can warn.
   */
  addCsv(text: string): CsvAddResult {
    const bytes = Buffer.from(text, 'utf8');
    const result = { rows: 0, skipped: 0 };
    this.reserveRows = countLines(bytes, bytes.length) + 1;
    let end = this.scanLines(bytes, 0, bytes.length, result);
    if (end < bytes.length) end = this.scanLines(Buffer.concat([bytes.subarray(end), Buffer.from('\n')]), 0, bytes.length - end + 1, result);
    this.finish();
    return result;
  }

  /**
   * Reads a CSV file in chunks and adds its rows (as {@link addCsv}). Synchronous: it runs once at
   * start-up, and a chunked read keeps the peak memory at one chunk instead of the whole file.
   * Throws the file system error when the file cannot be read.
   */
  addCsvFile(path: string): CsvAddResult {
    const result = { rows: 0, skipped: 0 };
    const fd = openSync(path, 'r');
    try {
      let buf = Buffer.allocUnsafe(CHUNK_BYTES);
      // First pass: count the lines, so that the tables grow once to their final size instead of
      // doubling (each doubling leaves the old arrays as garbage: RSS a daemon keeps).
      let lines = 1;
      for (let pos = 0, n; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) lines += countLines(buf, n);
      this.reserveRows = lines;
      let have = 0;
      let offset = 0;
      for (;;) {
        if (have === buf.length) {
          // One line longer than a chunk: grow rather than cut it.
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        }
        const n = readSync(fd, buf, have, buf.length - have, offset);
        offset += n;
        if (n === 0) {
          if (have > 0) {
            // A last line without a newline.
            const last = Buffer.allocUnsafe(have + 1);
            buf.copy(last, 0, 0, have);
            last[have] = 10;
            this.scanLines(last, 0, have + 1, result);
          }
          break;
        }
        have += n;
        const consumed = this.scanLines(buf, 0, have, result);
        buf.copy(buf, 0, consumed, have);
        have -= consumed;
      }
    } finally {
      closeSync(fd);
    }
    this.finish();
    return result;
  }

  /** The AS of an IPv4 address given as a number, or undefined. */
  lookupV4(ip: number): AsnRecord | undefined {
    const start = this.v4Start;
    let lo = 0;
    let hi = this.v4Count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (start[mid] > ip) hi = mid - 1;
      else if (this.v4End[mid] < ip) lo = mid + 1;
      else return this.record(this.v4Asn[mid], this.v4Org[mid]);
    }
    return undefined;
  }

  /** The AS of an IPv6 address given as a 128-bit number, or undefined. */
  lookupV6(ip: bigint): AsnRecord | undefined {
    const w = this.words;
    w[0] = Number((ip >> 96n) & 0xffffffffn);
    w[1] = Number((ip >> 64n) & 0xffffffffn);
    w[2] = Number((ip >> 32n) & 0xffffffffn);
    w[3] = Number(ip & 0xffffffffn);
    return this.lookupV6Words(w);
  }

  /** The AS of an IPv6 address given as four big-endian 32-bit words, or undefined. */
  lookupV6Words(ip: Uint32Array): AsnRecord | undefined {
    let lo = 0;
    let hi = this.v6Count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compare128(this.v6Start, mid, ip) > 0) hi = mid - 1;
      else if (compare128(this.v6End, mid, ip) < 0) lo = mid + 1;
      else return this.record(this.v6Asn[mid], this.v6Org[mid]);
    }
    return undefined;
  }

  private record(asn: number, org: number): AsnRecord | undefined {
    // ASN 0 marks "not routed" in these files.
    if (asn === 0) return undefined;
    const name = this.orgs[org];
    return name ? { number: asn, organization: name } : { number: asn };
  }

  /**
   * Adds every complete line of `buf[from, to)`; returns the offset after the last newline (the
   * caller keeps the rest for the next chunk).
   */
  private scanLines(buf: Buffer, from: number, to: number, result: CsvAddResult): number {
    let pos = from;
    for (;;) {
      const eol = buf.indexOf(10, pos);
      if (eol === -1 || eol >= to) return pos;
      let end = eol;
      if (end > pos && buf[end - 1] === 13) end--;
      if (end > pos) {
        if (this.addLine(buf, pos, end)) result.rows++;
        else result.skipped++;
      }
      pos = eol + 1;
    }
  }

  /** One `start,end,asn,organization` line of `buf[pos, end)`; false when it cannot be read. */
  private addLine(buf: Buffer, pos: number, end: number): boolean {
    const c1 = byteAt(buf, pos, end, 44 /* , */);
    if (c1 <= pos) return false;
    const c2 = byteAt(buf, c1 + 1, end, 44);
    if (c2 <= c1 + 1) return false;
    const c3 = byteAt(buf, c2 + 1, end, 44);
    if (c3 <= c2 + 1) return false;
    const asn = decimal(buf, c2 + 1, c3);
    if (asn < 0 || asn > 0xffffffff) return false;
    // IPv6 when a bound has a colon, or is a number too long for 32 bits (the `-num.csv` layout).
    const dotted = hasByte(buf, pos, c1, 46 /* . */);
    const v6 = hasByte(buf, pos, c1, 58 /* : */) || hasByte(buf, c1 + 1, c2, 58) || (!dotted && (c1 - pos > 10 || c2 - c1 - 1 > 10 || decimal(buf, c1 + 1, c2) > 0xffffffff));
    if (!v6) {
      const s = ipv4OrNumber(buf, pos, c1);
      const e = ipv4OrNumber(buf, c1 + 1, c2);
      if (s < 0 || e < 0 || s > e) return false;
      const i = this.v4Count;
      if (i === this.v4Start.length) this.growV4();
      this.v4Start[i] = s;
      this.v4End[i] = e;
      this.v4Asn[i] = asn;
      this.v4Org[i] = this.org(buf, c3 + 1, end);
      this.v4Count++;
      return true;
    }
    const i = this.v6Count;
    if (i === this.v6Asn.length) this.growV6();
    if (!ipv6Words(buf, pos, c1, this.v6Start, i * 4)) return false;
    if (!ipv6Words(buf, c1 + 1, c2, this.v6End, i * 4)) return false;
    if (compareRows(this.v6Start, i, this.v6End, i) > 0) return false;
    this.v6Asn[i] = asn;
    this.v6Org[i] = this.org(buf, c3 + 1, end);
    this.v6Count++;
    return true;
  }

  /** The index of the (unquoted, UTF-8) organisation name in `buf[from, to)`: deduplicated on the bytes, decoded once per distinct name. */
  private org(buf: Buffer, from: number, to: number): number {
    const names = (this.names ??= new NameTable(this.orgs));
    const found = names.find(buf, from, to);
    if (found >= 0) return found;
    let name: string;
    if (to - from >= 2 && buf[from] === 34 && buf[to - 1] === 34) {
      name = buf.toString('utf8', from + 1, to - 1);
      if (name.includes('""')) name = name.replaceAll('""', '"');
    } else {
      name = buf.toString('utf8', from, to);
    }
    // (A name written both quoted and bare is held twice: same text, so the same answers.)
    const k = this.orgs.push(name) - 1;
    names.add(buf, from, to, k);
    return k;
  }

  private growV4(): void {
    const cap = Math.max(1024, this.v4Start.length * 2, this.v4Count + this.reserveRows);
    this.v4Start = resized(this.v4Start, cap, this.v4Count);
    this.v4End = resized(this.v4End, cap, this.v4Count);
    this.v4Asn = resized(this.v4Asn, cap, this.v4Count);
    this.v4Org = resized(this.v4Org, cap, this.v4Count);
  }

  private growV6(): void {
    const cap = Math.max(1024, this.v6Asn.length * 2, this.v6Count + this.reserveRows);
    this.v6Start = resized(this.v6Start, cap * 4, this.v6Count * 4);
    this.v6End = resized(this.v6End, cap * 4, this.v6Count * 4);
    this.v6Asn = resized(this.v6Asn, cap, this.v6Count);
    this.v6Org = resized(this.v6Org, cap, this.v6Count);
  }

  /** Sorts by range start when the input was not sorted already (the published files are), and drops the name index. */
  private finish(): void {
    if (!sortedV4(this.v4Start, this.v4Count)) {
      const order = Uint32Array.from({ length: this.v4Count }, (_, i) => i).sort((x, y) => this.v4Start[x] - this.v4Start[y] || x - y);
      this.v4Start = permuted(this.v4Start, order, 1);
      this.v4End = permuted(this.v4End, order, 1);
      this.v4Asn = permuted(this.v4Asn, order, 1);
      this.v4Org = permuted(this.v4Org, order, 1);
    }
    if (!sortedV6(this.v6Start, this.v6Count)) {
      const order = Uint32Array.from({ length: this.v6Count }, (_, i) => i).sort((x, y) => compareRows(this.v6Start, x, this.v6Start, y) || x - y);
      this.v6Start = permuted(this.v6Start, order, 4);
      this.v6End = permuted(this.v6End, order, 4);
      this.v6Asn = permuted(this.v6Asn, order, 1);
      this.v6Org = permuted(this.v6Org, order, 1);
    }
  }

  /**
   * Drops the name index kept for further files, and gives back spare capacity of the tables when
   * there is much (skipped lines, several files). Call once after the last file; adding more
   * afterwards still works.
   */
  compact(): void {
    this.names = undefined;
    // Copying costs a second table while it runs: only when more than 1/16 would be saved.
    if (this.v4Start.length - this.v4Count <= this.v4Count / 16 && this.v6Asn.length - this.v6Count <= this.v6Count / 16) return;
    this.v4Start = this.v4Start.slice(0, this.v4Count);
    this.v4End = this.v4End.slice(0, this.v4Count);
    this.v4Asn = this.v4Asn.slice(0, this.v4Count);
    this.v4Org = this.v4Org.slice(0, this.v4Count);
    this.v6Start = this.v6Start.slice(0, this.v6Count * 4);
    this.v6End = this.v6End.slice(0, this.v6Count * 4);
    this.v6Asn = this.v6Asn.slice(0, this.v6Count);
    this.v6Org = this.v6Org.slice(0, this.v6Count);
  }
}

/**
 * Open-addressing hash table from the raw bytes of a name (FNV-1a) to its index in the names list,
 * with the bytes kept in one growing arena: no string is made for a name seen before.
 */
class NameTable {
  private slots = new Int32Array(1 << 16).fill(-1);
  private used = 0;
  private arena = Buffer.allocUnsafe(1 << 20);
  private arenaUsed = 0;
  /** Per entry: start and length in the arena, name index. */
  private offsets: Uint32Array = new Uint32Array(1 << 15);
  private lengths: Uint32Array = new Uint32Array(1 << 15);
  private index: Uint32Array = new Uint32Array(1 << 15);
  /** Starts with the names already held (from files added before the last {@link AsnRanges.compact}). */
  constructor(existing: readonly string[]) {
    for (let k = 0; k < existing.length; k++) {
      const bytes = Buffer.from(existing[k], 'utf8');
      this.add(bytes, 0, bytes.length, k);
    }
  }

  find(buf: Buffer, from: number, to: number): number {
    const mask = this.slots.length - 1;
    for (let s = hashBytes(buf, from, to) & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s];
      if (e === -1) return -1;
      const len = this.lengths[e];
      if (len === to - from && sameBytes(this.arena, this.offsets[e], buf, from, len)) return this.index[e];
    }
  }

  add(buf: Buffer, from: number, to: number, nameIndex: number): void {
    const len = to - from;
    if (this.arenaUsed + len > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + len));
      this.arena.copy(bigger, 0, 0, this.arenaUsed);
      this.arena = bigger;
    }
    buf.copy(this.arena, this.arenaUsed, from, to);
    if (this.used === this.index.length) {
      this.offsets = resized(this.offsets, this.used * 2, this.used);
      this.lengths = resized(this.lengths, this.used * 2, this.used);
      this.index = resized(this.index, this.used * 2, this.used);
    }
    const e = this.used++;
    this.offsets[e] = this.arenaUsed;
    this.lengths[e] = len;
    this.index[e] = nameIndex;
    this.arenaUsed += len;
    if (this.used * 2 > this.slots.length) this.rehash();
    else this.place(e, hashBytes(buf, from, to));
  }

  private place(e: number, hash: number): void {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    while (this.slots[s] !== -1) s = (s + 1) & mask;
    this.slots[s] = e;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let e = 0; e < this.used; e++) this.place(e, hashBytes(this.arena, this.offsets[e], this.offsets[e] + this.lengths[e]));
  }
}

/** Names are short: a loop beats a call into `Buffer.compare`. */
function sameBytes(a: Buffer, at: number, b: Buffer, bt: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (a[at + k] !== b[bt + k]) return false;
  return true;
}

/** FNV-1a, 32 bits. */
function hashBytes(buf: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h >>> 0;
}

function countLines(buf: Buffer, length: number): number {
  let n = 0;
  for (let at = buf.indexOf(10); at !== -1 && at < length; at = buf.indexOf(10, at + 1)) n++;
  return n;
}

function resized(a: Uint32Array, cap: number, used: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a.subarray(0, used));
  return b;
}

function permuted(a: Uint32Array, order: Uint32Array, stride: number): Uint32Array {
  const b = new Uint32Array(order.length * stride);
  for (let i = 0; i < order.length; i++) for (let k = 0; k < stride; k++) b[i * stride + k] = a[order[i] * stride + k];
  return b;
}

function sortedV4(start: Uint32Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (start[i - 1] > start[i]) return false;
  return true;
}

function sortedV6(start: Uint32Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (compareRows(start, i - 1, start, i) > 0) return false;
  return true;
}

/** Compares row `i` of `a` with row `j` of `b` (four words each). */
function compareRows(a: Uint32Array, i: number, b: Uint32Array, j: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[i * 4 + k];
    const y = b[j * 4 + k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Compares the 128-bit value at `table[i*4 .. i*4+4)` with `q` (four words): negative, 0 or positive. */
function compare128(table: Uint32Array, i: number, q: Uint32Array): number {
  const o = i * 4;
  for (let k = 0; k < 4; k++) {
    const a = table[o + k];
    const b = q[k];
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** Whether `byte` occurs in `buf[from, to)` (a loop: `indexOf` would search past `to`, to the end of the chunk). */
function hasByte(buf: Buffer, from: number, to: number, byte: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] === byte) return true;
  return false;
}

/** The first offset of `byte` in `buf[from, to)`, or -1. */
function byteAt(buf: Buffer, from: number, to: number, byte: number): number {
  for (let i = from; i < to; i++) if (buf[i] === byte) return i;
  return -1;
}

/** Decimal digits of `buf[from, to)` as a number, or -1. */
function decimal(buf: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A dotted quad or a decimal number (≤ 2^32 − 1) in `buf[from, to)`, or -1. */
function ipv4OrNumber(buf: Buffer, from: number, to: number): number {
  if (!hasByte(buf, from, to, 46)) {
    const n = decimal(buf, from, to);
    return n > 0xffffffff ? -1 : n;
  }
  let value = 0;
  let part = -1;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c === 46) {
      if (part < 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = -1;
      dots++;
    } else {
      const d = c - 48;
      if (d < 0 || d > 9) return -1;
      part = part < 0 ? d : part * 10 + d;
      if (part > 255) return -1;
    }
  }
  if (part < 0 || dots !== 3) return -1;
  return value * 256 + part;
}

const HEXTETS = new Uint16Array(8);

/**
 * Writes the IPv6 address in `buf[from, to)` — text (`2001:db8::1`, `::ffff:1.2.3.4`) or a decimal
 * 128-bit number (the `-num.csv` layout) — as four words at `out[at..]`; false when it is neither.
 */
function ipv6Words(buf: Buffer, from: number, to: number, out: Uint32Array, at: number): boolean {
  if (!hasByte(buf, from, to, 58)) {
    const text = buf.toString('latin1', from, to);
    if (!/^\d{1,39}$/.test(text)) return false;
    const v = BigInt(text);
    if (v >= 1n << 128n) return false;
    out[at] = Number((v >> 96n) & 0xffffffffn);
    out[at + 1] = Number((v >> 64n) & 0xffffffffn);
    out[at + 2] = Number((v >> 32n) & 0xffffffffn);
    out[at + 3] = Number(v & 0xffffffffn);
    return true;
  }
  if (!parseIpv6(buf, from, to, HEXTETS)) return false;
  for (let k = 0; k < 4; k++) out[at + k] = HEXTETS[2 * k] * 0x10000 + HEXTETS[2 * k + 1];
  return true;
}

const PARTS = new Uint32Array(9);

/** Parses IPv6 text in `buf[from, to)` into eight hextets (RFC 4291 section 2.2 forms); false when malformed. */
function parseIpv6(buf: Buffer, from: number, to: number, h: Uint16Array): boolean {
  let n = 0; // hextets read, in PARTS
  let gap = -1; // index in PARTS where '::' stands
  let i = from;
  if (buf[i] === 58) {
    if (buf[i + 1] !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let j = i;
    while (j < to && buf[j] !== 58 && buf[j] !== 46) j++;
    if (j < to && buf[j] === 46) {
      // An embedded IPv4 tail: the last two hextets.
      const v4 = ipv4OrNumber(buf, i, to);
      if (v4 < 0 || n > 6) return false;
      PARTS[n++] = v4 >>> 16;
      PARTS[n++] = v4 & 0xffff;
      break;
    }
    if (j === i || j - i > 4 || n === 8) return false;
    let v = 0;
    for (let k = i; k < j; k++) {
      const c = buf[k];
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return false;
      v = v * 16 + d;
    }
    PARTS[n++] = v;
    i = j;
    if (i === to) break;
    // At a colon: one separates hextets, two mark the gap.
    i++;
    if (buf[i] === 58) {
      if (gap !== -1) return false;
      gap = n;
      i++;
    } else if (i === to) return false;
  }
  if (gap === -1) {
    if (n !== 8) return false;
    for (let k = 0; k < 8; k++) h[k] = PARTS[k];
    return true;
  }
  if (n > 7) return false;
  const zeros = 8 - n;
  for (let k = 0; k < gap; k++) h[k] = PARTS[k];
  for (let k = 0; k < zeros; k++) h[gap + k] = 0;
  for (let k = gap; k < n; k++) h[zeros + k] = PARTS[k];
  return true;
}
