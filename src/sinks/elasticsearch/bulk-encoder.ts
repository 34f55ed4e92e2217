/**
 * The `_bulk` request body: one `create` action line and one document line per item (NDJSON).
 * `create` (never `index`) is what makes replays exactly-once: a document id that exists already
 * answers 409 instead of being overwritten, and the driver counts that as delivered.
 */
import type { SinkItem } from '../util/sink-item.js';

const NEWLINE = Buffer.from('\n');

/** The bulk body for `items`, as one Buffer. */
export function encodeBulk(items: readonly SinkItem[]): Buffer {
  const parts: Buffer[] = [];
  for (const it of items) {
    parts.push(Buffer.from(`{"create":{"_index":${JSON.stringify(it.target)},"_id":${JSON.stringify(it.id)}}}\n`), it.body, NEWLINE);
  }
  return Buffer.concat(parts);
}

/**
 * The daily index of a document: `pattern` with `%Y`, `%m`, `%d` replaced by the UTC date of
 * `epochSec` (UTC, never local time: the original pipeline's local-time dates split days wrongly).
 * Examples: `sluice-packets-%Y.%m.%d` → `sluice-packets-2024.01.31`; `packets-%Y-%m-%d`.
 */
export function dailyIndex(pattern: string, epochSec: number): string {
  if (!pattern.includes('%')) return pattern;
  const d = new Date(Number.isFinite(epochSec) ? epochSec * 1000 : 0);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const day = String(d.getUTCDate()).padStart(2, '0');
  return pattern.replace(/%Y/g, y).replace(/%m/g, m).replace(/%d/g, day);
}
