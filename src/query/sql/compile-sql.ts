/**
 * Compiles a KQL query to a SQLite WHERE clause over the embedded store, with `?` placeholders
 * only: no user input ever appears in the SQL text (field names are checked against the catalog
 * and JSON paths come from it; every value is a bound parameter).
 *
 * SQL context of the packet catalog (the store's contract): `p` = `packets` (`p.ts_ns`, `p.link_type`, `p.interface`,
 * `p.orig_len`, `p.rowid` = capture number × 2^32 + frame, `p.doc` = the document as a BLOB of
 * UTF-8 JSON text), `c` = `captures` (`c.capture_id`, `c.doc_file`, `c.doc_name`). The clause calls
 * `sluice_ip_in_cidr` and `sluice_ip_key`: register them with `registerSqlFunctions`
 * (`./sql-functions.ts`). The log catalogs (`../log-field-catalogs.ts`) refer to `e` = `log_events`
 * (`e.doc` JSON text) and call `sluice_date_ns` for `@timestamp`.
 *
 * Every test compiles to an expression that is 0 or 1, never NULL, so `NOT` keeps documents that
 * lack the field (`not source.port: 80` matches ARP packets).
 */
import type { KqlNode } from '../kql/ast.js';
import { bindKql, type BoundNode, type BoundTest, type RangeEnd } from '../kql/bind.js';
import { ipKey, parseIp, type Cidr } from '../kql/values.js';
import { PACKET_CATALOG, type FieldCatalog, type FieldSpec } from '../fields.js';

/** A WHERE clause and its parameters, in placeholder order. */
export interface SqlWhere {
  readonly where: string;
  readonly params: unknown[];
}

/** Catalog JSON paths are plain dotted identifiers; checked so nothing else can reach the SQL. */
const SAFE_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

function path(p: string): string {
  if (!SAFE_PATH.test(p)) throw new Error(`compileSql: unsafe JSON path in the field catalog: ${p}`);
  return `'${p}'`;
}

/** Converts a KQL wildcard pattern (`\` escapes) to a GLOB pattern with GLOB specials escaped. */
export function wildcardToGlob(pattern: string): string {
  let out = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i]!;
    if (ch === '\\' && i + 1 < chars.length) {
      ch = chars[++i]!;
      out += ch === '*' ? '[*]' : ch === '?' ? '[?]' : ch === '[' ? '[[]' : ch;
    } else if (ch === '*' || ch === '?') out += ch;
    else if (ch === '[') out += '[[]';
    else out += ch;
  }
  return out;
}

class Compiler {
  readonly params: unknown[] = [];
  /** The document as JSON text (for packets the CAST keeps SQLite ≥ 3.45 from reading the BLOB as JSONB). */
  private readonly doc: string;

  constructor(private readonly catalog: FieldCatalog) {
    this.doc = catalog.sqlDoc;
  }

  node(n: BoundNode): string {
    switch (n.kind) {
      case 'all':
        return '(1)';
      case 'none':
        return '(0)';
      case 'and':
        return '(' + n.children.map((c) => this.node(c)).join(' AND ') + ')';
      case 'or':
        return '(' + n.children.map((c) => this.node(c)).join(' OR ') + ')';
      case 'not':
        return `(NOT ${this.node(n.child)})`;
      case 'test':
        return this.test(n.field, n.test);
    }
  }

  private bind(v: unknown): string {
    this.params.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return '?';
  }

  private test(field: FieldSpec, test: BoundTest): string {
    const src = field.sql;
    switch (src.kind) {
      case 'constant':
        throw new Error('compileSql: constant fields are evaluated when binding');
      case 'json':
        return `coalesce(${this.predicate(field, `json_extract(${this.doc}, ${path(src.path)})`, test)}, 0)`;
      case 'column':
        return `coalesce(${this.predicate(field, src.expr, test)}, 0)`;
      case 'each': {
        const elem = src.member === undefined ? 'j.value' : `json_extract(j.value, ${path(src.member)})`;
        return `EXISTS (SELECT 1 FROM json_each(${this.doc}, ${path(src.path)}) AS j WHERE ${this.predicate(field, elem, test)})`;
      }
    }
  }

  /** A predicate on `expr` (may be NULL when the value is missing; callers make it 0). */
  private predicate(field: FieldSpec, expr: string, test: BoundTest): string {
    const max = this.catalog.keywordIgnoreAbove;
    if (max !== undefined && field.type === 'keyword') {
      // The engine does not index longer keywords (`ignore_above`): no test matches them there.
      return `(length(${expr}) <= ${Math.trunc(max)} AND ${this.valuePredicate(field, expr, test)})`;
    }
    return this.valuePredicate(field, expr, test);
  }

  private valuePredicate(field: FieldSpec, expr: string, test: BoundTest): string {
    switch (test.op) {
      case 'exists':
        return `(${expr} IS NOT NULL)`;
      case 'eq':
        if (field.type === 'ip' && this.catalog.rawIps && typeof test.value === 'string') {
          // Addresses as the source wrote them: compare keys (`::ffff:10.0.0.1` is 10.0.0.1, as in the engine).
          return `(sluice_ip_key(${expr}) = ${this.bind(ipKeyOf(test.value))})`;
        }
        return `(${expr} = ${this.bind(test.value)})`;
      case 'wildcard':
        return `(${expr} GLOB ${this.bind(wildcardToGlob(test.pattern))})`;
      case 'cidr':
        if (this.catalog.rawIps) {
          // By key range, so an IPv4-mapped IPv6 address is inside an IPv4 block, as in the engine.
          const { low, high } = cidrKeys(test.cidr);
          return `(sluice_ip_key(${expr}) BETWEEN ${this.bind(low)} AND ${this.bind(high)})`;
        }
        return `sluice_ip_in_cidr(${expr}, ${this.bind(test.cidr.network.text)}, ${this.bind(test.cidr.prefix)})`;
      case 'range':
        return this.range(field, expr, test.lower, test.upper);
    }
  }

  private range(field: FieldSpec, expr: string, lower: RangeEnd | undefined, upper: RangeEnd | undefined): string {
    let e = expr;
    if (field.type === 'ip') e = `sluice_ip_key(${expr})`;
    else if (field.numericString) e = `CAST(${expr} AS INTEGER)`;
    if (lower && upper && lower.inclusive && upper.inclusive && lower.sql === upper.sql) return `(${e} = ${this.bind(lower.sql)})`;
    const parts: string[] = [];
    if (lower) parts.push(`${e} ${lower.inclusive ? '>=' : '>'} ${this.bind(lower.sql)}`);
    if (upper) parts.push(`${e} ${upper.inclusive ? '<=' : '<'} ${this.bind(upper.sql)}`);
    return '(' + parts.join(' AND ') + ')';
  }
}

/** First and last address key of a block (IPv4 blocks as IPv4-mapped IPv6, like `ipKey`). */
function cidrKeys(cidr: Cidr): { low: string; high: string } {
  const hostBits = BigInt((cidr.network.family === 4 ? 32 : 128) - cidr.prefix);
  const high = cidr.network.value | ((1n << hostBits) - 1n);
  return { low: ipKey(cidr.network), high: high.toString(16).padStart(32, '0') };
}

function ipKeyOf(text: string): string {
  const ip = parseIp(text);
  if (!ip) throw new Error(`compileSql: bound IP value is not an address: ${text}`);
  return ipKey(ip);
}

/** Compiles an already bound tree (see `src/query/kql/bind.ts`) for the SQL context of `catalog`. */
export function compileBoundSql(node: BoundNode, catalog: FieldCatalog = PACKET_CATALOG): SqlWhere {
  const c = new Compiler(catalog);
  const where = c.node(node);
  return { where, params: c.params };
}

/**
 * Compiles a KQL tree to a SQLite WHERE clause with `?` placeholders and the parameters to bind
 * (strings, numbers, and bigints for nanosecond timestamps and integers beyond 2^53).
 * Throws `SLUICE_QUERY_FIELD` / `SLUICE_QUERY_VALUE` errors for unknown fields and bad values.
 */
export function compileSql(node: KqlNode, catalog: FieldCatalog = PACKET_CATALOG): SqlWhere {
  return compileBoundSql(bindKql(node, catalog), catalog);
}
