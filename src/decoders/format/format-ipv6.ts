import { formatIpv4 } from './format-ipv4.js';

/**
 * RFC 5952 text of the 16 bytes at `off` (caller guarantees bounds): lower-case hex, no leading
 * zeros, the longest run (first on a tie) of two or more zero groups replaced by '::', and
 * IPv4-mapped addresses (::ffff:a.b.c.d) with a dotted-quad tail, as tshark and inet_ntop print them.
 */
export function formatIpv6(data: Buffer, off: number): string {
  // Find the longest run of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const zero = data[off + 2 * i] === 0 && data[off + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
      const len = i - runStart + 1;
      if (len > bestLen) {
        bestLen = len;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  if (bestLen < 2) bestStart = -1;
  if (bestStart === 0 && bestLen === 5 && data[off + 10] === 0xff && data[off + 11] === 0xff) {
    return '::ffff:' + formatIpv4(data, off + 12);
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    s += ((data[off + 2 * i] << 8) | data[off + 2 * i + 1]).toString(16);
    if (i < 7) s += ':';
  }
  return s;
}
