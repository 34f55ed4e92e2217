/**
 * Typed syntax tree of a KQL (Kibana Query Language) query, as produced by
 * {@link parseKql} (`./parse-kql.ts`). The tree is purely syntactic: field names are the names the
 * user typed (validated later against the field catalog, `src/query/fields.ts`) and values are text.
 *
 * Columns are 1-based and count Unicode code points of the query text, so error messages can point
 * at the exact place.
 */

/** A value as written in the query. */
export interface KqlValue {
  /**
   * - `literal`: an unquoted value without wildcards; `text` is the value with escapes resolved
   *   (`a\:b` → `a:b`).
   * - `wildcard`: an unquoted value with at least one unescaped `*` or `?`; `text` is the pattern
   *   with `*` / `?` as wildcards and backslash escapes for literal characters: `\*`, `\?`, `\\`
   *   (every other character stands for itself). This is the escaping of Elasticsearch's
   *   `wildcard` query.
   * - `phrase`: a quoted value (`"a b"`); `text` is the content with escapes resolved. Never a
   *   wildcard: `"*"` is a literal star.
   */
  readonly kind: 'literal' | 'wildcard' | 'phrase';
  readonly text: string;
  /** Column of the first character of the value (of the opening quote for a phrase). */
  readonly column: number;
}

/** Matches every document: the empty query, a query of only whitespace, or `*`. */
export interface KqlAll {
  readonly kind: 'all';
}

/** All children must match (`a and b`). Always at least two children. */
export interface KqlAnd {
  readonly kind: 'and';
  readonly children: readonly KqlNode[];
}

/** At least one child must match (`a or b`). Always at least two children. */
export interface KqlOr {
  readonly kind: 'or';
  readonly children: readonly KqlNode[];
}

/** The child must not match (`not a`). A document without the field matches `not field: x`. */
export interface KqlNot {
  readonly kind: 'not';
  readonly child: KqlNode;
}

/**
 * `field: value`. A value list `field: (a or b)` becomes an `or` (or `and` / `not`) of `match`
 * nodes on the same field.
 */
export interface KqlMatch {
  readonly kind: 'match';
  readonly field: string;
  readonly value: KqlValue;
  /** Column of the first character of the field name. */
  readonly position: number;
}

/** Range comparison operators: `>` `>=` `<` `<=`. */
export type KqlRangeOp = 'gt' | 'gte' | 'lt' | 'lte';

/** `field >= value` (and `>`, `<`, `<=`). The value is never a wildcard. */
export interface KqlRange {
  readonly kind: 'range';
  readonly field: string;
  readonly op: KqlRangeOp;
  readonly value: KqlValue;
  readonly position: number;
}

/** `field: *`: the document has the field (for an array field: a non-empty array). */
export interface KqlExists {
  readonly kind: 'exists';
  readonly field: string;
  readonly position: number;
}

/** A value without a field (`google.de`): matches the default free-text fields. */
export interface KqlText {
  readonly kind: 'text';
  readonly value: KqlValue;
}

/** Any node of a KQL syntax tree. */
export type KqlNode = KqlAll | KqlAnd | KqlOr | KqlNot | KqlMatch | KqlRange | KqlExists | KqlText;
