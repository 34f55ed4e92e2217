/**
 * One text form for every timestamp the honeypot store writes and returns:
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always six fraction digits). SQLite keeps timestamps as this
 * text, so ordering and range comparisons there are plain string comparisons and must see a
 * fixed-width form; PostgreSQL keeps `timestamptz` (microseconds, the same precision) and its
 * answers are turned back into this form, so both databases return identical values.
 */

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Canonical form of an ISO-8601 / PostgreSQL timestamp text or a Date. Offsets other than UTC are
 * converted; fractions longer than microseconds are cut (not rounded, as PostgreSQL input is not
 * either for display purposes). Returns undefined for text that is not a timestamp.
 */
export function canonicalTimestamp(value: string | Date): string | undefined {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    return value.toISOString().slice(0, 23) + '000Z';
  }
  const m = ISO.exec(value.trim());
  if (!m) {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : canonicalTimestamp(d);
  }
  const frac = (m[3] ?? '').slice(0, 6).padEnd(6, '0');
  const zone = m[4];
  if (zone === undefined || zone === 'Z' || /^[+-]00(?::?00)?$/.test(zone)) return `${m[1]}T${m[2]}.${frac}Z`;
  // A non-UTC offset: let Date do the arithmetic on the millisecond part and keep the microseconds.
  const d = new Date(`${m[1]}T${m[2]}.${frac.slice(0, 3)}${zone.length === 3 ? zone + ':00' : zone}`);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toISOString().slice(0, 23) + frac.slice(3) + 'Z';
}

/** Like {@link canonicalTimestamp} for database answers: null stays null. */
export function timestampOut(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || value instanceof Date) return canonicalTimestamp(value) ?? String(value);
  return String(value);
}
