/**
 * The bounded-fields fallback of the catch-all, for engines without `flat_object` / `flattened`
 * (Elasticsearch OSS, OpenSearch before 2.7): long-tail fields are mapped dynamically, but at most
 * `limit` distinct ones per index. A field seen when the index's budget is spent goes to the
 * unindexed `layers_overflow` object instead (kept in `_source`, counted in
 * `sluice.overflow_fields`), so an index never hits `index.mapping.total_fields.limit` and no
 * document is refused for it.
 *
 * The budget of an index is seeded from the fields its mapping already has (an earlier run, another
 * file of the same day) before the first document of a run goes to it.
 */
export class FieldBudget {
  private readonly byIndex = new Map<string, Set<string>>();

  /** @param limit distinct catch-all fields per index (config `tshark.field_limit_count`). */
  constructor(readonly limit: number) {}

  /** True once {@link seed} ran for `index` in this run. */
  has(index: string): boolean {
    return this.byIndex.has(index);
  }

  /** Records the catch-all fields `index` already maps (paths below `layers_other`). */
  seed(index: string, paths: Iterable<string>): void {
    const set = this.byIndex.get(index) ?? new Set<string>();
    for (const p of paths) set.add(p);
    this.byIndex.set(index, set);
  }

  /** True when `path` (`<layer>.<field>`) may be indexed in `index`: known already, or room is left. */
  admit(index: string, path: string): boolean {
    let set = this.byIndex.get(index);
    if (set === undefined) this.byIndex.set(index, (set = new Set()));
    if (set.has(path)) return true;
    if (set.size >= this.limit) return false;
    set.add(path);
    return true;
  }
}
