/**
 * Compiles a KQL query to Elasticsearch / OpenSearch query DSL. Never `query_string`: only
 * `term` / `terms`, `wildcard`, `range`, `exists`, `bool`, `match_all` and `match_none`, so user
 * input is always a value, never query syntax.
 *
 * - IP fields: `term` with the normalised address or the CIDR block (ES accepts CIDR in `term`
 *   queries on `ip` fields); ranges in address order.
 * - `@timestamp`: `range` with `format: 'strict_date_optional_time_nanos'` and the user's date
 *   string; a date-only match is the whole UTC day (`gte` day, `lt` next day), a date-only range
 *   end uses `||/d` rounding; epoch milliseconds are converted to ISO 8601.
 * - Keywords holding integers as strings (`dns.id`, …) are compared as strings (terms and ranges).
 * - Constant fields compile to `match_all` / `match_none`.
 */
import type { KqlNode } from '../kql/ast.js';
import { bindKql, type BoundNode, type BoundTest } from '../kql/bind.js';
import { PACKET_CATALOG, type FieldCatalog, type FieldSpec } from '../fields.js';

/** An Elasticsearch query DSL object. */
export type EsQuery = Record<string, unknown>;

/** Date format of `@timestamp` range queries. */
export const ES_DATE_FORMAT = 'strict_date_optional_time_nanos';

function termValue(v: string | number | bigint | boolean): string | number | boolean {
  return typeof v === 'bigint' ? v.toString() : v;
}

function test(field: FieldSpec, t: BoundTest): EsQuery {
  const name = field.es;
  switch (t.op) {
    case 'exists':
      return { exists: { field: name } };
    case 'eq':
      return { term: { [name]: termValue(t.value) } };
    case 'wildcard':
      return { wildcard: { [name]: { value: t.pattern } } };
    case 'cidr':
      return { term: { [name]: t.cidr.text } };
    case 'range': {
      const r: Record<string, unknown> = {};
      if (t.lower) r[t.lower.inclusive ? 'gte' : 'gt'] = t.lower.es;
      if (t.upper) r[t.upper.inclusive ? 'lte' : 'lt'] = t.upper.es;
      if (field.type === 'date') r['format'] = ES_DATE_FORMAT;
      return { range: { [name]: r } };
    }
  }
}

/** `or` of equality tests on one field → one `terms` query. */
function asTerms(children: readonly BoundNode[]): EsQuery | undefined {
  let field: FieldSpec | undefined;
  const values: (string | number | boolean)[] = [];
  for (const c of children) {
    if (c.kind !== 'test' || (c.test.op !== 'eq' && c.test.op !== 'cidr')) return undefined;
    if (field !== undefined && c.field !== field) return undefined;
    field = c.field;
    values.push(c.test.op === 'eq' ? termValue(c.test.value) : c.test.cidr.text);
  }
  if (field === undefined || field.type === 'ip' && children.some((c) => c.kind === 'test' && c.test.op === 'cidr')) return undefined;
  return { terms: { [field.es]: values } };
}

/** Compiles a bound tree (see `src/query/kql/bind.ts`). */
export function compileBoundEs(node: BoundNode): EsQuery {
  switch (node.kind) {
    case 'all':
      return { match_all: {} };
    case 'none':
      return { match_none: {} };
    case 'and':
      return { bool: { must: node.children.map(compileBoundEs) } };
    case 'or':
      return asTerms(node.children) ?? { bool: { should: node.children.map(compileBoundEs), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [compileBoundEs(node.child)] } };
    case 'test':
      return test(node.field, node.test);
  }
}

/**
 * Compiles a KQL tree to an Elasticsearch / OpenSearch query (the value of the search body's
 * `query`). Throws `SLUICE_QUERY_FIELD` / `SLUICE_QUERY_VALUE` errors like `compileSql`.
 */
export function compileEs(node: KqlNode, catalog: FieldCatalog = PACKET_CATALOG): EsQuery {
  return compileBoundEs(bindKql(node, catalog));
}
