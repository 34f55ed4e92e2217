/** Upper-case two-digit hex for every byte value. */
export const HEX_UPPER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));
/** Lower-case two-digit hex for every byte value. */
export const HEX_LOWER: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Recently formatted MACs by their 48-bit value (captures see few distinct MACs); cleared when full. */
const cache = new Map<number, string>();
const CACHE_MAX = 4096;

/** ECS MAC text (`00-1B-21-3A-4F-5C`) of the 6 bytes at `off` (caller guarantees bounds). */
export function formatMac(data: Buffer, off: number): string {
  const key = ((data[off] << 8) | data[off + 1]) * 4294967296 + (((data[off + 2] << 24) | (data[off + 3] << 16) | (data[off + 4] << 8) | data[off + 5]) >>> 0);
  let s = cache.get(key);
  if (s === undefined) {
    if (cache.size >= CACHE_MAX) cache.clear();
    s = build(data, off);
    cache.set(key, s);
  }
  return s;
}

function build(data: Buffer, off: number): string {
  return (
    HEX_UPPER[data[off]] + '-' + HEX_UPPER[data[off + 1]] + '-' + HEX_UPPER[data[off + 2]] + '-' +
    HEX_UPPER[data[off + 3]] + '-' + HEX_UPPER[data[off + 4]] + '-' + HEX_UPPER[data[off + 5]]
  );
}

/** Lower-case hex of `data[start, end)`. */
export function formatHex(data: Buffer, start: number, end: number): string {
  return data.toString('hex', start, end);
}
