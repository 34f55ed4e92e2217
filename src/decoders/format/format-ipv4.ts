/** '0'..'255' precomputed, so an IPv4 address is formatted without number-to-string conversions. */
const DEC: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));

/** Dotted-quad text of the 4 bytes at `off` (caller guarantees they are in bounds). */
export function formatIpv4(data: Buffer, off: number): string {
  return DEC[data[off]] + '.' + DEC[data[off + 1]] + '.' + DEC[data[off + 2]] + '.' + DEC[data[off + 3]];
}
