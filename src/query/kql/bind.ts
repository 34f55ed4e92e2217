/**
 * Binding: checks a KQL syntax tree against a field catalog (`src/query/fields.ts`) and turns
 * it into a tree of typed tests, shared by the SQL and the Elasticsearch compilers. Aliases and
 * free text are expanded into `or`s, values are parsed by field type (IP addresses normalised,
 * dates to exact nanoseconds), and tests on constant fields are evaluated here.
 *
 * Throws `KqlFieldError` (`SLUICE_QUERY_FIELD`) and `KqlValueError` (`SLUICE_QUERY_VALUE`).
 */
import type { KqlNode, KqlRangeOp, KqlValue } from './ast.js';
import { KqlValueError, PACKET_CATALOG, resolveField, type FieldCatalog, type FieldSpec } from '../fields.js';
import { dayText, ipKey, NS_PER_DAY, parseCidr, parseDate, parseInteger, parseIp, toBindable, type Cidr } from './values.js';

/** One end of a range. `sql` is what SQL compares with, `es` what goes into the ES `range`. */
export interface RangeEnd {
  readonly inclusive: boolean;
  /** Integer (long / numeric-string fields), bigint nanoseconds (`@timestamp`), string (keyword), or the 32-hex-digit key of an IP address. */
  readonly sql: string | number | bigint;
  readonly es: string | number;
}

/** A typed test on one field. */
export type BoundTest =
  | { readonly op: 'exists' }
  /** Equality: normalised address (ip), integer (long), canonical text (keyword), boolean. */
  | { readonly op: 'eq'; readonly value: string | number | bigint | boolean }
  /** Wildcard: KQL pattern, `*` / `?` wildcards and `\*`, `\?`, `\\` escapes. */
  | { readonly op: 'wildcard'; readonly pattern: string }
  | { readonly op: 'cidr'; readonly cidr: Cidr }
  | { readonly op: 'range'; readonly lower?: RangeEnd; readonly upper?: RangeEnd };

/** A bound query tree. `none` matches nothing (a false test on a constant field). */
export type BoundNode =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'and' | 'or'; readonly children: readonly BoundNode[] }
  | { readonly kind: 'not'; readonly child: BoundNode }
  | { readonly kind: 'test'; readonly field: FieldSpec; readonly test: BoundTest };

const ALL: BoundNode = { kind: 'all' };
const NONE: BoundNode = { kind: 'none' };

function describe(field: FieldSpec): string {
  return `"${field.name}" (${field.numericString ? 'keyword holding an integer' : field.type})`;
}

function bad(value: KqlValue, field: FieldSpec, why: string): never {
  throw new KqlValueError(value.column, `${JSON.stringify(value.text)} is not a valid value for ${describe(field)}: ${why}`);
}

/** Exact nanoseconds as ISO 8601 UTC with nine fractional digits. */
export function nsToIso(ns: bigint): string {
  const sec = ns >= 0n ? ns / 1_000_000_000n : (ns - 999_999_999n) / 1_000_000_000n;
  const frac = ns - sec * 1_000_000_000n;
  return new Date(Number(sec) * 1000).toISOString().slice(0, 19) + '.' + frac.toString().padStart(9, '0') + 'Z';
}

const MAC = /^([0-9a-fA-F]{2})[-:.]?([0-9a-fA-F]{2})[-:.]?([0-9a-fA-F]{2})[-:.]?([0-9a-fA-F]{2})[-:.]?([0-9a-fA-F]{2})[-:.]?([0-9a-fA-F]{2})$/;

/** Longest wildcard pattern accepted (SQLite's GLOB refuses patterns over 50,000 bytes). */
export const MAX_WILDCARD_LENGTH = 4096;

function wildcardTest(field: FieldSpec, value: KqlValue): BoundTest {
  if (value.text.length > MAX_WILDCARD_LENGTH) {
    throw new KqlValueError(value.column, `the wildcard pattern for "${field.name}" is ${value.text.length} characters long; at most ${MAX_WILDCARD_LENGTH} are allowed`);
  }
  return { op: 'wildcard', pattern: value.text };
}

function keywordText(field: FieldSpec, value: KqlValue): string {
  if (field.numericString) {
    const n = parseInteger(value.text);
    if (n === undefined || n < 0n) bad(value, field, 'expected a non-negative integer');
    return n.toString();
  }
  if (field.mac) {
    const m = MAC.exec(value.text);
    if (m) return m.slice(1).join('-').toUpperCase();
  }
  return value.text;
}

function matchTest(field: FieldSpec, value: KqlValue): BoundTest {
  switch (field.type) {
    case 'date':
      // Handled by bindMatch (needs a range).
      throw new Error('unreachable');
    case 'ip': {
      if (value.kind === 'wildcard') bad(value, field, 'wildcards do not work on IP fields; use a CIDR block such as 10.0.0.0/8 or 2001:db8::/32');
      if (value.text.includes('/')) {
        const cidr = parseCidr(value.text);
        if (!cidr) bad(value, field, 'expected an IP address or a CIDR block such as 10.0.0.0/8');
        return { op: 'cidr', cidr };
      }
      const ip = parseIp(value.text);
      if (!ip) bad(value, field, 'expected an IPv4 or IPv6 address or a CIDR block');
      return { op: 'eq', value: ip.text };
    }
    case 'long': {
      if (value.kind === 'wildcard') bad(value, field, 'wildcards only work on keyword fields');
      const n = parseInteger(value.text);
      if (n === undefined) bad(value, field, 'expected an integer');
      return { op: 'eq', value: toBindable(n) };
    }
    case 'boolean': {
      const t = value.text.toLowerCase();
      if (value.kind === 'wildcard' || (t !== 'true' && t !== 'false')) bad(value, field, 'expected true or false');
      return { op: 'eq', value: t === 'true' };
    }
    case 'keyword':
      if (value.kind === 'wildcard') return wildcardTest(field, value);
      return { op: 'eq', value: keywordText(field, value) };
  }
}

function dateValue(field: FieldSpec, value: KqlValue): { ns: bigint; dateOnly: boolean; es: string } {
  if (value.kind === 'wildcard') bad(value, field, 'wildcards do not work on dates');
  const d = parseDate(value.text);
  if (!d) bad(value, field, 'expected an ISO 8601 date (2024-01-01, 2024-01-01T12:00:00.123456789Z, …+02:00) or epoch milliseconds');
  const es = /^-?\d+$/.test(value.text) ? nsToIso(d.ns) : value.text;
  return { ...d, es };
}

function rangeEnd(field: FieldSpec, op: KqlRangeOp, value: KqlValue): BoundTest {
  const lowerSide = op === 'gt' || op === 'gte';
  const inclusive = op === 'gte' || op === 'lte';
  let end: RangeEnd;
  switch (field.type) {
    case 'date': {
      const d = dateValue(field, value);
      if (d.dateOnly) {
        // A whole UTC day, like Elasticsearch's `||/d` rounding: > and <= take the day's end.
        const roundUp = op === 'gt' || op === 'lte';
        end = { inclusive, sql: roundUp ? d.ns + NS_PER_DAY - 1n : d.ns, es: `${value.text}||/d` };
      } else end = { inclusive, sql: d.ns, es: d.es };
      break;
    }
    case 'ip': {
      const ip = parseIp(value.text);
      if (!ip) bad(value, field, 'a range needs an IPv4 or IPv6 address (for a block use field: 10.0.0.0/8)');
      end = { inclusive, sql: ipKey(ip), es: ip.text };
      break;
    }
    case 'long': {
      const n = parseInteger(value.text);
      if (n === undefined) bad(value, field, 'expected an integer');
      end = { inclusive, sql: toBindable(n), es: toBindable(n) as number };
      if (typeof end.sql === 'bigint') end = { inclusive, sql: n, es: n.toString() };
      break;
    }
    case 'boolean':
      bad(value, field, 'ranges do not work on boolean fields');
    case 'keyword': {
      if (field.numericString) {
        const n = parseInteger(value.text);
        if (n === undefined) bad(value, field, 'expected an integer');
        end = { inclusive, sql: toBindable(n), es: n.toString() };
      } else end = { inclusive, sql: value.text, es: value.text };
      break;
    }
  }
  return lowerSide ? { op: 'range', lower: end } : { op: 'range', upper: end };
}

// ---- constants -----------------------------------------------------------------------------------

/** RegExp for a KQL wildcard pattern (whole string). */
export function wildcardRegExp(pattern: string): RegExp {
  let re = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '\\' && i + 1 < chars.length) re += escapeRe(chars[++i]!);
    else if (ch === '*') re += '[\\s\\S]*';
    else if (ch === '?') re += '[\\s\\S]';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, 'u');
}

function escapeRe(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/-]/gu, '\\$&');
}

function evalConstant(value: string | readonly string[], test: BoundTest): boolean {
  const values = typeof value === 'string' ? [value] : value;
  return values.some((v) => {
    switch (test.op) {
      case 'exists':
        return true;
      case 'eq':
        return v === test.value;
      case 'wildcard':
        return wildcardRegExp(test.pattern).test(v);
      case 'cidr':
        return false;
      case 'range': {
        const lo = test.lower;
        const hi = test.upper;
        if (lo && !(lo.inclusive ? v >= String(lo.sql) : v > String(lo.sql))) return false;
        if (hi && !(hi.inclusive ? v <= String(hi.sql) : v < String(hi.sql))) return false;
        return true;
      }
    }
  });
}

function leaf(field: FieldSpec, test: BoundTest): BoundNode {
  if (field.sql.kind === 'constant') return evalConstant(field.sql.value, test) ? ALL : NONE;
  return { kind: 'test', field, test };
}

// ---- tree ---------------------------------------------------------------------------------------

function or(children: BoundNode[]): BoundNode {
  const kept: BoundNode[] = [];
  for (const c of children) {
    if (c.kind === 'all') return ALL;
    if (c.kind === 'none') continue;
    if (c.kind === 'or') kept.push(...c.children);
    else kept.push(c);
  }
  if (kept.length === 0) return NONE;
  return kept.length === 1 ? kept[0]! : { kind: 'or', children: kept };
}

function and(children: BoundNode[]): BoundNode {
  const kept: BoundNode[] = [];
  for (const c of children) {
    if (c.kind === 'none') return NONE;
    if (c.kind === 'all') continue;
    if (c.kind === 'and') kept.push(...c.children);
    else kept.push(c);
  }
  if (kept.length === 0) return ALL;
  return kept.length === 1 ? kept[0]! : { kind: 'and', children: kept };
}

function bindMatch(field: FieldSpec, value: KqlValue): BoundNode {
  if (field.type === 'date') {
    const d = dateValue(field, value);
    if (d.dateOnly) {
      const next = d.ns + NS_PER_DAY;
      return leaf(field, { op: 'range', lower: { inclusive: true, sql: d.ns, es: value.text }, upper: { inclusive: false, sql: next, es: dayText(next) } });
    }
    return leaf(field, { op: 'range', lower: { inclusive: true, sql: d.ns, es: d.es }, upper: { inclusive: true, sql: d.ns, es: d.es } });
  }
  return leaf(field, matchTest(field, value));
}

function bindText(value: KqlValue, catalog: FieldCatalog): BoundNode {
  const children: BoundNode[] = [];
  for (const name of catalog.defaultTextFields) {
    const field = catalog.get(name)!;
    children.push(leaf(field, value.kind === 'wildcard' ? wildcardTest(field, value) : { op: 'eq', value: keywordText(field, value) }));
  }
  if (value.kind !== 'wildcard' && (parseIp(value.text) || parseCidr(value.text))) {
    for (const name of catalog.defaultTextIpFields) children.push(leaf(catalog.get(name)!, matchTest(catalog.get(name)!, value)));
  }
  return or(children);
}

/** Binds a syntax tree to a field catalog (default: the packet catalog). */
export function bindKql(node: KqlNode, catalog: FieldCatalog = PACKET_CATALOG): BoundNode {
  const bind = (n: KqlNode) => bindKql(n, catalog);
  switch (node.kind) {
    case 'all':
      return ALL;
    case 'and':
      return and(node.children.map(bind));
    case 'or':
      return or(node.children.map(bind));
    case 'not': {
      const child = bind(node.child);
      if (child.kind === 'all') return NONE;
      if (child.kind === 'none') return ALL;
      return { kind: 'not', child };
    }
    case 'exists':
      return or(resolveField(node.field, node.position, catalog).map((f) => leaf(f, { op: 'exists' })));
    case 'match':
      return or(resolveField(node.field, node.position, catalog).map((f) => bindMatch(f, node.value)));
    case 'range':
      return or(resolveField(node.field, node.position, catalog).map((f) => leaf(f, rangeEnd(f, node.op, node.value))));
    case 'text':
      return bindText(node.value, catalog);
  }
}
