/**
 * Necessary literals of a regular expression: a set of strings at least one of which occurs in
 * every text the expression matches. The detector runs a rule's regex only when one of them was
 * found by the literal scan, so on clean traffic almost no regex runs at all — the idea of RE2's
 * prefilter and of Russ Cox's "Regular Expression Matching with a Trigram Index" (the `match`
 * information computed per syntax node), reduced to what the rule files need.
 *
 * The analysis is conservative: whatever it does not understand (non-ASCII characters, ranges,
 * negated classes, back-references, unknown escapes) counts as "any text", which can only make the
 * answer weaker (or undefined), never wrong. Expressions are taken as compiled with the `i` flag
 * and run on lower-cased text (see normalize-request.ts), so the literals are lower case ASCII.
 */

/** What is known about the texts a piece of an expression matches. */
interface Info {
  /** Every text it can match, when that is a small known set (may hold ''). */
  readonly exact: ReadonlySet<string> | undefined;
  /** At least one of these occurs in every match; undefined when nothing is known. */
  readonly any: ReadonlySet<string> | undefined;
}

/** Largest exact set kept: cross products beyond it become "one of these occurs" sets. */
const MAX_EXACT = 64;

const UNKNOWN: Info = { exact: undefined, any: undefined };
const EMPTY: Info = { exact: new Set(['']), any: undefined };

/**
 * The necessary literals of `source` (a JavaScript regular expression compiled with flag `i`,
 * matched against lower-cased text), or undefined when no such set can be derived (the expression
 * may match without any particular literal, or it is beyond this analysis).
 */
export function requiredLiterals(source: string): string[] | undefined {
  let info: Info;
  try {
    const parser = new Parser(source);
    info = parser.alternation();
    if (parser.pos !== source.length) return undefined;
  } catch {
    return undefined;
  }
  const set = anyOf(info);
  return set === undefined ? undefined : [...set];
}

/** One of these occurs in every match, or undefined. */
function anyOf(info: Info): ReadonlySet<string> | undefined {
  if (info.exact !== undefined) return info.exact.has('') ? undefined : info.exact;
  return info.any;
}

/** The more selective of two "one of these occurs" sets: longest shortest member, then fewest members. */
function better(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const ma = Math.min(...[...a].map((s) => s.length));
  const mb = Math.min(...[...b].map((s) => s.length));
  if (ma !== mb) return ma > mb ? a : b;
  return b.size < a.size ? b : a;
}

function exactInfo(strings: Iterable<string>): Info {
  const exact = new Set(strings);
  return { exact, any: undefined };
}

function single(char: string): Info {
  return exactInfo([char]);
}

function concat(parts: readonly Info[]): Info {
  let cur: Set<string> | undefined = new Set(['']);
  let broken = false;
  let best: ReadonlySet<string> | undefined;
  const flush = (): void => {
    if (cur !== undefined) best = better(best, anyOf({ exact: cur, any: undefined }));
  };
  for (const part of parts) {
    if (part.exact !== undefined && cur !== undefined && cur.size * part.exact.size <= MAX_EXACT) {
      const next = new Set<string>();
      for (const a of cur) for (const b of part.exact) next.add(a + b);
      cur = next;
      continue;
    }
    broken = true;
    flush();
    if (part.exact !== undefined) {
      cur = new Set(part.exact);
    } else {
      best = better(best, part.any);
      cur = new Set(['']);
    }
  }
  if (!broken) return { exact: cur, any: undefined };
  flush();
  return { exact: undefined, any: best };
}

function alternate(options: readonly Info[]): Info {
  if (options.length === 1) return options[0];
  if (options.every((o) => o.exact !== undefined)) {
    const exact = new Set<string>();
    for (const o of options) for (const s of o.exact!) exact.add(s);
    if (exact.size <= MAX_EXACT) return { exact, any: undefined };
  }
  const any = new Set<string>();
  for (const o of options) {
    const set = anyOf(o);
    if (set === undefined) return UNKNOWN;
    for (const s of set) any.add(s);
  }
  return { exact: undefined, any };
}

function repeat(info: Info, min: number, max: number): Info {
  if (min === 1 && max === 1) return info;
  if (min === 0) {
    // x? keeps its exact set plus ''; x*, x{0,n}: anything, including nothing.
    if (max === 1 && info.exact !== undefined) return exactInfo([...info.exact, '']);
    return EMPTY_OR_UNKNOWN;
  }
  // At least one occurrence: whatever x guarantees, x+ guarantees too.
  return { exact: undefined, any: anyOf(info) };
}

/** May match '' or anything else: no exact set, no guarantee. */
const EMPTY_OR_UNKNOWN: Info = UNKNOWN;

const CLASS_ESCAPES = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const CONTROL_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
/** Largest character class kept as an exact set of one-character strings. */
const MAX_CLASS = 8;

function literalChar(c: string): Info {
  const code = c.charCodeAt(0);
  // Non-ASCII: case folding under `i` and toLowerCase differ in corners; treat as unknown.
  if (code >= 0x80) return UNKNOWN;
  return single(c.toLowerCase());
}

/** A recursive-descent reader of the (non-Unicode-mode, Annex B) JavaScript pattern syntax. */
class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  alternation(): Info {
    const options = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return alternate(options);
  }

  private sequence(): Info {
    const parts: Info[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      parts.push(this.quantified(atom));
    }
    return concat(parts);
  }

  private quantified(atom: Info): Info {
    const c = this.src[this.pos];
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m === null) return atom; // a lone '{' is a literal (read as the next atom)
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.pos += m[0].length - 1;
    } else return atom;
    this.pos++;
    if (this.src[this.pos] === '?') this.pos++; // lazy
    return this.quantified(repeat(atom, min, max));
  }

  private atom(): Info {
    const c = this.src[this.pos++];
    switch (c) {
      case '^':
      case '$':
        return EMPTY;
      case '.':
        return UNKNOWN;
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '\\':
        return this.escape();
      default:
        return literalChar(c);
    }
  }

  private group(): Info {
    let lookaround = false;
    if (this.src[this.pos] === '?') {
      const kind = this.src.slice(this.pos, this.pos + 3);
      if (kind.startsWith('?:')) this.pos += 2;
      else if (kind.startsWith('?=') || kind.startsWith('?!')) {
        this.pos += 2;
        lookaround = true;
      } else if (kind === '?<=' || kind === '?<!') {
        this.pos += 3;
        lookaround = true;
      } else if (kind.startsWith('?<')) {
        const end = this.src.indexOf('>', this.pos);
        if (end === -1) throw new Error('bad group name');
        this.pos = end + 1;
      } else throw new Error('unknown group');
    }
    const inner = this.alternation();
    if (this.src[this.pos] !== ')') throw new Error('unbalanced group');
    this.pos++;
    // A lookaround consumes nothing of the match.
    return lookaround ? EMPTY : inner;
  }

  private escape(): Info {
    const c = this.src[this.pos++];
    if (c === undefined) throw new Error('trailing backslash');
    if (c === 'b' || c === 'B') return EMPTY;
    if (CLASS_ESCAPES.has(c)) return UNKNOWN;
    if (CONTROL_ESCAPES[c] !== undefined) return single(CONTROL_ESCAPES[c]);
    // Back-references (\1, \k<name>), \0, \xHH, \uHHHH, \cX: not analysed.
    if (/[0-9a-zA-Z]/.test(c)) {
      // Skip the escape's own digits/letters conservatively: the parser must stay in step.
      const m = /^(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|c[a-zA-Z]|k<[^>]*>|\d+)/.exec(this.src.slice(this.pos - 1));
      if (m !== null) this.pos += m[0].length - 1;
      return UNKNOWN;
    }
    return literalChar(c);
  }

  private charClass(): Info {
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos++;
    const chars = new Set<string>();
    let known = !negated;
    let first = true;
    for (;;) {
      const c = this.src[this.pos++];
      if (c === undefined) throw new Error('unterminated class');
      if (c === ']' && !first) break;
      if (c === ']' && first) {
        // `[]` matches nothing and `[^]` anything: leave them to the engine.
        known = false;
        break;
      }
      first = false;
      let ch: string | undefined = c;
      if (c === '\\') {
        const e = this.src[this.pos++];
        if (e === undefined) throw new Error('trailing backslash');
        if (CONTROL_ESCAPES[e] !== undefined) ch = CONTROL_ESCAPES[e];
        else if (/[0-9a-zA-Z]/.test(e)) {
          const m = /^(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|c[a-zA-Z]|\d+)/.exec(this.src.slice(this.pos - 1));
          if (m !== null) this.pos += m[0].length - 1;
          ch = undefined;
        } else ch = e;
      }
      if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && this.pos + 1 < this.src.length) {
        // A range: not enumerated. Consume its upper end (possibly escaped).
        this.pos++;
        if (this.src[this.pos++] === '\\') this.pos++;
        known = false;
        continue;
      }
      if (ch === undefined || ch.charCodeAt(0) >= 0x80) known = false;
      else chars.add(ch.toLowerCase());
    }
    if (!known || chars.size === 0 || chars.size > MAX_CLASS) return UNKNOWN;
    return exactInfo(chars);
  }
}
