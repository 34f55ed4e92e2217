/**
 * SQL functions the compiled WHERE clauses of `compile-sql.ts` call. Register them on every
 * connection that runs such a clause.
 *
 * - `sluice_ip_in_cidr(ip_text, network_text, prefix_len)` → 1 when the address is inside the
 *   block, else 0 (also for NULL, non-text or invalid input, and for an address of the other
 *   family).
 * - `sluice_ip_key(ip_text)` → 32 lower-case hex digits of the address as a 128-bit number (IPv4
 *   as IPv4-mapped IPv6, `::ffff:a.b.c.d`), so text comparison is address order; NULL for
 *   invalid input. Used for ranges on IP fields.
 * - `sluice_date_ns(iso_text)` → the ISO 8601 time as exact nanoseconds since the epoch (64-bit
 *   integer), NULL for anything else. `@timestamp` of log documents, which hold it as text with up
 *   to nanosecond precision (Cowrie writes microseconds), as the engine's `date_nanos` does.
 */
import type Database from 'better-sqlite3';
import { ipInCidr, ipKey, parseCidr, parseDate, parseIp, type Cidr } from '../kql/values.js';

/** Registers sluice's SQL functions on `db` (idempotent: re-registering replaces them). */
export function registerSqlFunctions(db: Database.Database): void {
  let lastNet: string | undefined;
  let lastCidr: Cidr | undefined;
  db.function('sluice_ip_in_cidr', { deterministic: true }, (ip: unknown, network: unknown, prefix: unknown): number => {
    if (typeof ip !== 'string' || typeof network !== 'string') return 0;
    if (typeof prefix !== 'number' && typeof prefix !== 'bigint') return 0;
    const key = `${network}/${prefix}`;
    if (key !== lastNet) {
      lastNet = key;
      lastCidr = Number.isInteger(Number(prefix)) && Number(prefix) >= 0 ? parseCidr(key) : undefined;
    }
    if (lastCidr === undefined) return 0;
    const addr = parseIp(ip);
    return addr !== undefined && ipInCidr(addr, lastCidr) ? 1 : 0;
  });
  db.function('sluice_ip_key', { deterministic: true }, (ip: unknown): string | null => {
    if (typeof ip !== 'string') return null;
    const addr = parseIp(ip);
    return addr === undefined ? null : ipKey(addr);
  });
  db.function('sluice_date_ns', { deterministic: true }, (text: unknown): bigint | null => {
    // Epoch-millisecond strings are not times here: documents always hold ISO text.
    if (typeof text !== 'string' || /^-?\d+$/.test(text)) return null;
    const d = parseDate(text);
    return d === undefined ? null : d.ns;
  });
}
