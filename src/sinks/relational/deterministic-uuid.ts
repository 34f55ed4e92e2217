/**
 * Deterministic UUIDs: the same natural key always gives the same id, so a replayed batch hits
 * the primary key instead of creating a second row, and PostgreSQL and SQLite hold identical ids.
 */
import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 9562 version 8, "custom") made from SHA-256 of `kind` and `key`: the first 128 bits
 * of the hash with the version and variant bits set. `kind` separates the key spaces of the tables
 * (a session id and an IP address never share an id).
 */
export function deterministicUuid(kind: string, key: string): string {
  const h = createHash('sha256').update(kind).update('\0').update(key).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.toString('hex', 0, 16);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
