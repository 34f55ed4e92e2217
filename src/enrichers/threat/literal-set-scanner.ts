/**
 * Finds which of a fixed set of literals occur in a text, in one pass over the text whatever the
 * number of literals: an Aho-Corasick automaton (Aho & Corasick, "Efficient string matching: an aid
 * to bibliographic search", CACM 1975) compiled to a dense transition table, so the scan is one
 * table read per UTF-16 code unit and allocates nothing.
 *
 * Matching is exact on code units, like `String.prototype.includes`: `scan` marks literal `i` as
 * found exactly when `text.includes(literals[i])`.
 */
export class LiteralSetScanner {
  /** The literals, by id. */
  readonly literals: readonly string[];
  /** Code unit → input class (0: a code unit no literal contains). Shared by all scanners. */
  private readonly classOf: Uint8Array | Uint16Array;
  private readonly classes: number;
  /** `delta[state * classes + class]` → next state (complete DFA: failure links folded in). */
  private readonly delta: Int32Array;
  /** Literal ids ending in each state (suffix outputs merged): `outputs[outStart[s] .. outStart[s + 1])`. */
  private readonly outStart: Int32Array;
  private readonly outputs: Int32Array;

  /** `literals` must not be empty strings (every text contains those; callers handle them). */
  constructor(literals: readonly string[]) {
    if (literals.some((l) => l.length === 0)) throw new RangeError('LiteralSetScanner: empty literal');
    this.literals = literals;
    // Input classes: one per distinct code unit used by some literal.
    const codes = new Map<number, number>();
    for (const lit of literals) for (let i = 0; i < lit.length; i++) if (!codes.has(lit.charCodeAt(i))) codes.set(lit.charCodeAt(i), codes.size + 1);
    this.classes = codes.size + 1;
    this.classOf = this.classes <= 256 ? new Uint8Array(65536) : new Uint16Array(65536);
    for (const [code, cls] of codes) this.classOf[code] = cls;

    // Trie.
    const next: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    literals.forEach((lit, id) => {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const cls = codes.get(lit.charCodeAt(i))!;
        let t = next[s].get(cls);
        if (t === undefined) {
          t = next.push(new Map()) - 1;
          ends.push([]);
          next[s].set(cls, t);
        }
        s = t;
      }
      ends[s].push(id);
    });

    // Breadth first: failure links, merged outputs and the complete transition table.
    const states = next.length;
    const delta = new Int32Array(states * this.classes);
    const fail = new Int32Array(states);
    const out: number[][] = ends.map((e) => [...e]);
    const queue: number[] = [];
    for (let c = 0; c < this.classes; c++) {
      const t = next[0].get(c);
      if (t !== undefined) {
        delta[c] = t;
        queue.push(t);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      for (const id of out[fail[s]]) if (!out[s].includes(id)) out[s].push(id);
      for (let c = 0; c < this.classes; c++) {
        const t = next[s].get(c);
        if (t !== undefined) {
          fail[t] = delta[fail[s] * this.classes + c];
          delta[s * this.classes + c] = t;
          queue.push(t);
        } else {
          delta[s * this.classes + c] = delta[fail[s] * this.classes + c];
        }
      }
    }
    this.delta = delta;
    this.outStart = new Int32Array(states + 1);
    const flat: number[] = [];
    for (let s = 0; s < states; s++) {
      this.outStart[s] = flat.length;
      flat.push(...out[s]);
    }
    this.outStart[states] = flat.length;
    this.outputs = Int32Array.from(flat);
  }

  /**
   * Sets `found[id] = stamp` for every literal that occurs in `text` (a caller bumps `stamp` per
   * scan instead of clearing the array). Returns the number of occurrences seen (0: none found).
   */
  scan(text: string, found: Uint32Array, stamp: number): number {
    const { classOf, delta, classes, outStart, outputs } = this;
    let state = 0;
    let hits = 0;
    for (let i = 0; i < text.length; i++) {
      state = delta[state * classes + classOf[text.charCodeAt(i)]];
      const from = outStart[state];
      const to = outStart[state + 1];
      if (from !== to) {
        for (let k = from; k < to; k++) found[outputs[k]] = stamp;
        hits += to - from;
      }
    }
    return hits;
  }
}
