/**
 * A parser for one document line of `tshark -T ek`, built for what that output really is rather
 * than for JSON in general: the same key can appear several times in one object (`eth_eth_addr`
 * for source and destination, `tcp_tcp_option_kind` once per option, `text` once per label), and
 * `JSON.parse` would silently keep only the last. Here every occurrence is kept, in order.
 *
 * Shape of a line (Wireshark 3.x/4.x): `{"timestamp":"<epoch ms>","layers":{"<layer>":{"<key>":
 * <string | bool | null | [..]> | {nested object}, …}, …}}`. Nested objects (expert info, items with
 * subtrees in some dissectors) are flattened into their layer: their fields are EK keys too.
 *
 * Synchronous, one pass over the string, no regular expressions.
 */

/** A scalar EK value: tshark prints strings, booleans (FT_BOOLEAN in 4.x) and null (FT_NONE). */
export type EkScalar = string | number | boolean | null;
/** A value of one occurrence: a scalar or an array of scalars (repeated fields tshark grouped itself). */
export type EkValue = EkScalar | EkScalar[];

/** One packet as tshark printed it: its layers' key/value occurrences in order. */
export interface EkPacket {
  /** The `timestamp` member (epoch milliseconds as tshark prints it), or '' when absent. */
  timestamp: string;
  /** Layer key of each occurrence (`ip`, `tcp`, `_ws_malformed`); parallel to `keys` and `values`. */
  readonly layers: string[];
  readonly keys: string[];
  readonly values: EkValue[];
}

/** Thrown for a line that is not the JSON tshark writes; the caller counts it and goes on. */
export class EkSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'EkSyntaxError';
  }
}

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44, LBRACE = 123, RBRACE = 125, LBRACKET = 91, RBRACKET = 93;

/** Parses a document line (not an `{"index":…}` action line). */
export function parseEkLine(line: string): EkPacket {
  const p = new EkLineParser(line);
  return p.packet();
}

/** True when `line` is an action line (`{"index":{"_index":…}}`) rather than a document. */
export function isEkActionLine(line: string): boolean {
  return line.startsWith('{"index"');
}

/**
 * The frame number of a document line without parsing it (used to skip frames a previous run
 * already delivered): the value of the first `"frame_frame_number":"N"`, or 0 when absent.
 */
export function peekFrameNumber(line: string): number {
  const at = line.indexOf('"frame_frame_number":"');
  if (at < 0) return 0;
  let n = 0;
  for (let i = at + 22; i < line.length; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return n;
}

class EkLineParser {
  private i = 0;
  private readonly out: EkPacket = { timestamp: '', layers: [], keys: [], values: [] };

  constructor(private readonly s: string) {}

  packet(): EkPacket {
    this.expect(LBRACE);
    if (this.peek() === RBRACE) return this.out;
    for (;;) {
      const key = this.string();
      this.expect(COLON);
      if (key === 'layers' && this.peek() === LBRACE) this.layers();
      else {
        const v = this.value();
        if (key === 'timestamp' && typeof v === 'string') this.out.timestamp = v;
      }
      if (this.next() === COMMA) continue;
      this.back();
      this.expect(RBRACE);
      return this.out;
    }
  }

  private layers(): void {
    this.expect(LBRACE);
    if (this.peek() === RBRACE) {
      this.i++;
      return;
    }
    for (;;) {
      const layer = this.string();
      this.expect(COLON);
      this.member(layer, layer);
      if (this.next() === COMMA) continue;
      this.back();
      this.expect(RBRACE);
      return;
    }
  }

  /** The members of an object, flattened into `layer`. */
  private fields(layer: string): void {
    this.expect(LBRACE);
    if (this.peek() === RBRACE) {
      this.i++;
      return;
    }
    for (;;) {
      const key = this.string();
      this.expect(COLON);
      this.member(layer, key);
      if (this.next() === COMMA) continue;
      this.back();
      this.expect(RBRACE);
      return;
    }
  }

  /**
   * One member's value: an object is flattened into `layer`; an array of objects too (tshark
   * prints a layer that occurs several times in a frame, such as two TLS records, as an array of
   * objects); anything else is a value of `key`.
   */
  private member(layer: string, key: string): void {
    const c = this.peek();
    if (c === LBRACE) {
      this.fields(layer);
      return;
    }
    if (c !== LBRACKET) {
      this.push(layer, key, this.value());
      return;
    }
    this.i++;
    const list: EkScalar[] = [];
    if (this.peek() !== RBRACKET) {
      for (;;) {
        const c2 = this.peek();
        if (c2 === LBRACE) this.fields(layer);
        else if (c2 === LBRACKET) this.skipComposite();
        else list.push(this.value() as EkScalar);
        if (this.next() === COMMA) continue;
        this.back();
        break;
      }
    }
    this.expect(RBRACKET);
    if (list.length > 0) this.push(layer, key, list);
  }

  private push(layer: string, key: string, value: EkValue): void {
    this.out.layers.push(layer);
    this.out.keys.push(key);
    this.out.values.push(value);
  }

  private value(): EkValue {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === LBRACKET) {
      this.i++;
      const list: EkScalar[] = [];
      if (this.peek() === RBRACKET) {
        this.i++;
        return list;
      }
      for (;;) {
        const c2 = this.peek();
        if (c2 === LBRACE || c2 === LBRACKET) this.skipComposite();
        else list.push(this.value() as EkScalar);
        if (this.next() === COMMA) continue;
        this.back();
        this.expect(RBRACKET);
        return list;
      }
    }
    if (c === LBRACE) {
      this.skipComposite();
      return null;
    }
    return this.literal();
  }

  private literal(): EkScalar {
    const s = this.s;
    const start = this.i;
    let j = start;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === COMMA || c === RBRACE || c === RBRACKET || c <= 32) break;
      j++;
    }
    this.i = j;
    const word = s.slice(start, j);
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    const n = Number(word);
    if (word === '' || Number.isNaN(n)) throw new EkSyntaxError(`unexpected ${JSON.stringify(word.slice(0, 20))}`, start);
    return n;
  }

  private string(): string {
    const s = this.s;
    this.skipSpace();
    if (s.charCodeAt(this.i) !== QUOTE) throw new EkSyntaxError('expected a string', this.i);
    const start = this.i + 1;
    let j = start;
    let escaped = false;
    for (;;) {
      if (j >= s.length) throw new EkSyntaxError('unterminated string', start - 1);
      const c = s.charCodeAt(j);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        j += 2;
        continue;
      }
      j++;
    }
    this.i = j + 1;
    // Escapes are rare in tshark's output (quotes and control characters in payload strings).
    return escaped ? (JSON.parse(s.slice(start - 1, j + 1)) as string) : s.slice(start, j);
  }

  /** Skips an object or array nested where only scalars are expected (kept out of the document). */
  private skipComposite(): void {
    let depth = 0;
    const s = this.s;
    for (;;) {
      this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === QUOTE) {
        this.string();
        continue;
      }
      if (Number.isNaN(c)) throw new EkSyntaxError('unexpected end of line', this.i);
      this.i++;
      if (c === LBRACE || c === LBRACKET) depth++;
      else if (c === RBRACE || c === RBRACKET) {
        if (--depth === 0) return;
      }
    }
  }

  private skipSpace(): void {
    const s = this.s;
    while (this.i < s.length && s.charCodeAt(this.i) <= 32) this.i++;
  }

  private peek(): number {
    this.skipSpace();
    return this.s.charCodeAt(this.i);
  }

  private next(): number {
    this.skipSpace();
    return this.s.charCodeAt(this.i++);
  }

  private back(): void {
    this.i--;
  }

  private expect(c: number): void {
    if (this.next() !== c) throw new EkSyntaxError(`expected ${JSON.stringify(String.fromCharCode(c))}`, this.i - 1);
  }
}
