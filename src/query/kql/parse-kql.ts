/**
 * Hand-written recursive-descent parser for the KQL subset sluice supports (see
 * `docs/reference/query-language.md` for the grammar).
 *
 * ```text
 * query     = ws* [ or ] ws* EOF
 * or        = and { OR and }
 * and       = not { AND not }
 * not       = NOT not | primary
 * primary   = "(" or ")" | field ":" values | field rangeOp value | value      (value alone: free text)
 * values    = "*" | value | "(" vor ")"
 * vor       = vand { OR vand } ; vand = vnot { AND vnot } ; vnot = NOT vnot | "(" vor ")" | value
 * rangeOp   = ">" | ">=" | "<" | "<="
 * value     = phrase | unquoted
 * ```
 *
 * Keywords `and`, `or`, `not` are case-insensitive. An unquoted field name ends at whitespace,
 * `(`, `)`, `:`, `<`, `>` or `"`; an unquoted value ends at whitespace, `(`, `)` or `"` (so IPv6
 * addresses and timestamps need no quotes). A backslash escapes the next character.
 */
import { SluiceError } from '../../errors.js';
import type { KqlNode, KqlRangeOp, KqlValue } from './ast.js';

/** A query that is not valid KQL (`SLUICE_QUERY_SYNTAX`). */
export class KqlSyntaxError extends SluiceError {
  /** 1-based column (in code points) where the problem is. */
  readonly column: number;
  /** What the parser expected there, e.g. `a value after "destination.port:"`. */
  readonly expected: string;

  constructor(column: number, expected: string, found: string) {
    super('SLUICE_QUERY_SYNTAX', `query: column ${column}: expected ${expected} but found ${found}`);
    this.name = 'KqlSyntaxError';
    this.column = column;
    this.expected = expected;
  }
}

const WS = /\s/u;
/** Characters that end an unquoted field name / free-text word. */
const FIELD_END = new Set(['(', ')', ':', '<', '>', '"']);
/** Characters that end an unquoted value. */
const VALUE_END = new Set(['(', ')', '"']);

interface Raw {
  /** The characters as written, escapes included. */
  readonly raw: string;
  readonly column: number;
}

class Parser {
  private readonly c: string[];
  private i = 0;

  constructor(text: string) {
    this.c = [...text];
  }

  parse(): KqlNode {
    this.ws();
    if (this.eof()) return { kind: 'all' };
    const node = this.or();
    this.ws();
    if (!this.eof()) this.fail('"and", "or" or the end of the query');
    return node;
  }

  // ---- boolean structure ------------------------------------------------------------------------

  private or(): KqlNode {
    const children = [this.and()];
    while (this.keyword('or')) children.push(this.operand('or', () => this.and()));
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private and(): KqlNode {
    const children = [this.not()];
    while (this.keyword('and')) children.push(this.operand('and', () => this.not()));
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private not(): KqlNode {
    if (this.keyword('not')) return { kind: 'not', child: this.operand('not', () => this.not()) };
    return this.primary();
  }

  /** After a keyword: something must follow. */
  private operand(kw: string, next: () => KqlNode): KqlNode {
    this.ws();
    if (this.eof() || this.peek() === ')') this.fail(`a query after "${kw}"`);
    return next();
  }

  private primary(): KqlNode {
    this.ws();
    const ch = this.peek();
    if (ch === undefined) this.fail('a field, a value or "("');
    if (ch === '(') {
      this.i++;
      this.ws();
      if (this.peek() === ')') this.fail('a query inside "( )"');
      const inner = this.or();
      this.ws();
      if (this.peek() !== ')') this.fail('"and", "or" or ")"');
      this.i++;
      return inner;
    }
    if (ch === '"') return { kind: 'text', value: this.phrase() };
    if (ch === ')' || ch === ':' || ch === '<' || ch === '>') this.fail('a field, a value or "("');
    const save = this.i;
    if (this.keyword('and') || this.keyword('or')) {
      this.i = save;
      this.fail('a field, a value or "("');
    }
    const word = this.scan(FIELD_END);
    this.ws();
    const next = this.peek();
    if (next === ':') {
      this.i++;
      return this.fieldValues(unescape(word), word.column);
    }
    if (next === '<' || next === '>') {
      this.i++;
      let op: KqlRangeOp = next === '<' ? 'lt' : 'gt';
      if (this.peek() === '=') {
        this.i++;
        op = op === 'lt' ? 'lte' : 'gte';
      }
      return this.range(unescape(word), word.column, op);
    }
    // Free text. The word was scanned as a field name; a value may continue with ':' '<' '>'
    // only when escaped, which scan() already kept.
    if (word.raw === '*') return { kind: 'all' };
    return { kind: 'text', value: toValue(word) };
  }

  // ---- field expressions --------------------------------------------------------------------------

  private fieldValues(field: string, position: number): KqlNode {
    this.ws();
    const after = `a value after "${field}:"`;
    const ch = this.peek();
    if (ch === undefined || ch === ')') this.fail(after);
    if (ch === '(') return this.valueGroup(field, position, `a value inside "${field}: ( )"`);
    return this.single(field, position);
  }

  private vor(field: string, position: number): KqlNode {
    const children = [this.vand(field, position)];
    while (this.keyword('or')) children.push(this.voperand('or', field, () => this.vand(field, position)));
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  private vand(field: string, position: number): KqlNode {
    const children = [this.vnot(field, position)];
    while (this.keyword('and')) children.push(this.voperand('and', field, () => this.vnot(field, position)));
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  private vnot(field: string, position: number): KqlNode {
    if (this.keyword('not')) return { kind: 'not', child: this.voperand('not', field, () => this.vnot(field, position)) };
    this.ws();
    if (this.peek() === '(') return this.valueGroup(field, position, `a value inside "( )"`);
    return this.single(field, position);
  }

  /** A parenthesised value list `( a or b and not c )` of one field; the cursor is on the `(`. */
  private valueGroup(field: string, position: number, emptyHint: string): KqlNode {
    this.i++;
    this.ws();
    if (this.peek() === ')') this.fail(emptyHint);
    const node = this.vor(field, position);
    this.ws();
    if (this.peek() !== ')') this.fail(`"and", "or" or ")" in the value list of "${field}"`);
    this.i++;
    return node;
  }

  private voperand(kw: string, field: string, next: () => KqlNode): KqlNode {
    this.ws();
    if (this.eof() || this.peek() === ')') this.fail(`a value after "${kw}" in the value list of "${field}"`);
    return next();
  }

  /** One value of a field: `*` (exists), a phrase or an unquoted value. */
  private single(field: string, position: number): KqlNode {
    const ch = this.peek();
    if (ch === undefined || ch === ')' || ch === '(') this.fail(`a value for "${field}"`);
    if (ch === '"') return { kind: 'match', field, value: this.phrase(), position };
    const raw = this.scan(VALUE_END);
    if (raw.raw === '*') return { kind: 'exists', field, position };
    return { kind: 'match', field, value: toValue(raw), position };
  }

  private range(field: string, position: number, op: KqlRangeOp): KqlNode {
    this.ws();
    const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
    const expected = `a number or a date after "${field} ${sym}"`;
    const ch = this.peek();
    if (ch === undefined || ch === '(' || ch === ')') this.fail(expected);
    let value: KqlValue;
    if (ch === '"') value = this.phrase();
    else {
      const raw = this.scan(VALUE_END);
      value = toValue(raw);
      if (value.kind === 'wildcard') throw new KqlSyntaxError(raw.column, expected, `the wildcard value "${raw.raw}"`);
    }
    return { kind: 'range', field, op, value, position };
  }

  // ---- lexical helpers ----------------------------------------------------------------------------

  private phrase(): KqlValue {
    const column = this.i + 1;
    this.i++; // opening quote
    let text = '';
    for (;;) {
      const ch = this.c[this.i];
      if (ch === undefined) throw new KqlSyntaxError(this.i + 1, `a closing '"' for the phrase that starts at column ${column}`, 'the end of the query');
      this.i++;
      if (ch === '"') break;
      if (ch === '\\') {
        const esc = this.c[this.i];
        if (esc === undefined) throw new KqlSyntaxError(this.i + 1, 'a character after "\\"', 'the end of the query');
        this.i++;
        text += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : esc;
        continue;
      }
      text += ch;
    }
    return { kind: 'phrase', text, column };
  }

  /** Characters up to whitespace or one of `end` (backslash escapes kept in the raw text). */
  private scan(end: Set<string>): Raw {
    const start = this.i;
    let raw = '';
    for (;;) {
      const ch = this.c[this.i];
      if (ch === undefined || WS.test(ch) || end.has(ch)) break;
      if (ch === '\\') {
        const esc = this.c[this.i + 1];
        if (esc === undefined) throw new KqlSyntaxError(this.i + 2, 'a character after "\\"', 'the end of the query');
        raw += ch + esc;
        this.i += 2;
        continue;
      }
      raw += ch;
      this.i++;
    }
    if (raw === '') this.fail('a value');
    return { raw, column: start + 1 };
  }

  /** Consumes `kw` (case-insensitive) when it is the next whole word and not a field name. */
  private keyword(kw: string): boolean {
    const save = this.i;
    this.ws();
    let j = this.i;
    let word = '';
    while (j < this.c.length && !WS.test(this.c[j]!) && !FIELD_END.has(this.c[j]!) && this.c[j] !== '\\') word += this.c[j++];
    if (word.toLowerCase() === kw) {
      // `and: x` is a field named "and", not the keyword.
      let k = j;
      while (k < this.c.length && WS.test(this.c[k]!)) k++;
      const after = this.c[k];
      if (after !== ':' && after !== '<' && after !== '>' && (j >= this.c.length || this.c[j] !== '\\')) {
        this.i = j;
        return true;
      }
    }
    this.i = save;
    return false;
  }

  private ws(): void {
    while (this.i < this.c.length && WS.test(this.c[this.i]!)) this.i++;
  }

  private peek(): string | undefined {
    return this.c[this.i];
  }

  private eof(): boolean {
    return this.i >= this.c.length;
  }

  private fail(expected: string): never {
    throw new KqlSyntaxError(this.i + 1, expected, this.found());
  }

  /** What is at the current position, for error messages. */
  private found(): string {
    const ch = this.c[this.i];
    if (ch === undefined) return 'the end of the query';
    if (FIELD_END.has(ch)) return `"${ch}"`;
    let j = this.i;
    let word = '';
    while (j < this.c.length && !WS.test(this.c[j]!) && !FIELD_END.has(this.c[j]!) && word.length < 40) word += this.c[j++];
    return `"${word}"`;
  }
}

/** Resolves backslash escapes. */
function unescape(raw: Raw): string {
  return raw.raw.replace(/\\([\s\S])/gu, '$1');
}

/** An unquoted value: literal, or wildcard when it has an unescaped `*` or `?`. */
function toValue(raw: Raw): KqlValue {
  let wildcard = false;
  let pattern = '';
  let literal = '';
  const chars = [...raw.raw];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\') {
      const esc = chars[++i]!;
      literal += esc;
      pattern += esc === '*' || esc === '?' || esc === '\\' ? '\\' + esc : esc;
    } else if (ch === '*' || ch === '?') {
      wildcard = true;
      pattern += ch;
      literal += ch;
    } else {
      literal += ch;
      pattern += ch;
    }
  }
  return wildcard ? { kind: 'wildcard', text: pattern, column: raw.column } : { kind: 'literal', text: literal, column: raw.column };
}

/**
 * Parses a KQL query into its syntax tree. An empty query, whitespace only, or `*` gives
 * `{ kind: 'all' }`. Throws {@link KqlSyntaxError} (`SLUICE_QUERY_SYNTAX`) with the column and what
 * was expected. Field names and value types are not checked here (see `src/query/kql/bind.ts`).
 */
export function parseKql(text: string): KqlNode {
  return new Parser(text).parse();
}
