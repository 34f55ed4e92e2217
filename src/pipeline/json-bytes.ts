/**
 * A growable byte buffer for writing JSON by hand on the hot path.
 *
 * Building documents as JavaScript strings costs more in garbage collection (one rope node per
 * concatenation, flattened later) than in the writing itself; writing bytes into one reused buffer
 * allocates nothing per document. Constants are pre-encoded once with {@link ascii}.
 */

/** Pre-encodes an ASCII constant. */
export function ascii(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

const HEX = ascii('0123456789abcdef');

/** Bytes written by hand: constants, numbers, and JSON-escaped strings. */
export class JsonBytes {
  buf: Buffer;
  pos = 0;
  /** Bytes that {@link strReserve} and {@link strArrayReserve} keep free after them. */
  slack = 4096;

  constructor(initialBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Appends pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    if (n < 16) {
      for (let i = 0; i < n; i++) buf[p++] = b[i];
    } else {
      buf.set(b, p);
      p += n;
    }
    this.pos = p;
  }

  /** Appends a string known to be printable ASCII without '"' or '\\' (IPs, MACs, mnemonics), unquoted. */
  plain(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends a non-negative or negative integer (or any finite number) in JSON form. */
  int(v: number): void {
    if (v >= 0 && v < 10) {
      this.ensure(1);
      this.buf[this.pos++] = 48 + v;
      return;
    }
    if (!Number.isSafeInteger(v)) {
      this.plain(Number.isFinite(v) ? String(v) : 'null');
      return;
    }
    this.ensure(21);
    const buf = this.buf;
    if (v < 0) {
      buf[this.pos++] = 45;
      v = -v;
    }
    // Count digits, then write them backwards.
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(v / 10);
      buf[--p] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** Appends `s` as a quoted JSON string (UTF-8, escaping per RFC 8259; lone surrogates become U+FFFD). */
  str(s: string): void {
    const n = s.length;
    this.ensure(n * 6 + 2);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = 34;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0x7f) {
        if (c === 34 || c === 92) buf[p++] = 92;
        buf[p++] = c;
      } else if (c < 0x20 || c === 0x7f) {
        // \u00XX for control characters (and DEL, for readability in terminals).
        buf[p++] = 92; buf[p++] = 117; buf[p++] = 48; buf[p++] = 48;
        buf[p++] = HEX[c >> 4]; buf[p++] = HEX[c & 15];
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (c >> 18);
          buf[p++] = 0x80 | ((c >> 12) & 63);
          buf[p++] = 0x80 | ((c >> 6) & 63);
          buf[p++] = 0x80 | (c & 63);
        } else {
          buf[p++] = 0xef; buf[p++] = 0xbf; buf[p++] = 0xbd; // U+FFFD
        }
      } else {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      }
    }
    buf[p++] = 34;
    this.pos = p;
  }

  /** {@link str}, then reserves {@link slack} bytes again for the unchecked writes that follow. */
  strReserve(s: string): void {
    this.str(s);
    this.ensure(this.slack);
  }

  /** {@link strArray}, then reserves {@link slack} bytes again for the unchecked writes that follow. */
  strArrayReserve(values: readonly string[]): void {
    this.strArray(values);
    this.ensure(this.slack);
  }

  /** Appends a JSON array of strings. */
  strArray(values: readonly string[]): void {
    this.ensure(1);
    this.buf[this.pos++] = 91;
    for (let i = 0; i < values.length; i++) {
      if (i > 0) {
        this.ensure(1);
        this.buf[this.pos++] = 44;
      }
      this.str(values[i]);
    }
    this.ensure(1);
    this.buf[this.pos++] = 93;
  }

  // ---- Unchecked variants: the caller has reserved room with ensure() (one check per document
  // instead of one per field; the serializer reserves a bound for its fixed-size parts). ----

  /** Appends pre-encoded bytes without a capacity check. */
  rawBytes(b: Uint8Array): void {
    const n = b.length;
    if (n < 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i];
      this.pos = p;
    } else {
      this.buf.set(b, this.pos);
      this.pos += n;
    }
  }

  /** Appends a plain ASCII string without a capacity check (see {@link plain}). */
  rawPlain(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends a non-negative safe integer without a capacity check (16 bytes at most). */
  rawUint(v: number): void {
    const buf = this.buf;
    if (v < 10) {
      buf[this.pos++] = 48 + v;
      return;
    }
    if (v < 100) {
      buf[this.pos++] = 48 + ((v / 10) | 0);
      buf[this.pos++] = 48 + (v % 10);
      return;
    }
    if (v > 0x7fffffff) {
      // Beyond int32 (TCP sequence numbers up to 2^32 - 1, byte offsets): rare enough for String().
      this.rawPlain(String(v));
      return;
    }
    const digits = v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = (v / 10) | 0;
      buf[--p] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** Appends one byte without a capacity check. */
  rawByte(b: number): void {
    this.buf[this.pos++] = b;
  }

  /** Appends one ASCII byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** The bytes written so far (a view; valid until the next write). */
  view(start = 0): Buffer {
    return this.buf.subarray(start, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}
