import { isIP } from 'node:net';

/**
 * True for a dotted-quad IPv4 address as `net.isIPv4` reads it (four decimal parts 0–255, no
 * leading zeros), by position; false for anything else, including what only `isIP` settles.
 */
function isDottedQuad(text: string): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let parts = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let v = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || v > 255 || (len > 1 && text.charCodeAt(start) === 0x30)) return false;
    parts++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 0x2e || parts === 4) return false;
    i++;
    if (i === n) return false;
  }
  return parts === 4;
}

/** True when `text` is an IPv4 or IPv6 address (no brackets, no port). */
export function isIpAddress(text: string): boolean {
  // Most clients are IPv4: settled here without the regular expressions of net.isIP.
  return isDottedQuad(text) || isIP(text) !== 0;
}

const LIST_SEPARATOR = /[\s",]/;

/**
 * Splits a client list as it appears in logs: `10.0.0.2, 10.0.0.1 127.0.0.1`, `"a, b" c`, or an
 * X-Forwarded-For value `a,b`. Filebeat's nginx pipeline splits on `"?,?\s+`; this splits on any
 * run of blanks, commas and quotes, which gives the same lists and also takes `a,b` apart.
 */
export function splitAddressList(text: string): string[] {
  // One address (the usual client position): no split.
  if (!LIST_SEPARATOR.test(text)) return text === '' || text === '-' || text.toLowerCase() === 'unknown' ? [] : [text];
  const out: string[] = [];
  for (const part of text.split(/[\s",]+/)) if (part !== '' && part !== '-' && part.toLowerCase() !== 'unknown') out.push(part);
  return out;
}

/**
 * Private for the purpose of choosing `source.address` from a forwarded-for list.
 *
 * IPv4 follows Filebeat's nginx pipeline exactly (10/8, 172.16/12, 192.168/16, 127/8; its painless
 * `isPrivate`). Filebeat treats every IPv6 address as public; here IPv6 loopback (`::1`), unique
 * local (`fc00::/7`) and link-local (`fe80::/10`) count as private too, so a proxy's `::1` is never
 * picked over a real client. Host names are not private (Filebeat's rule too).
 */
export function isPrivateAddress(text: string): boolean {
  const v = isDottedQuad(text) ? 4 : isIP(text);
  if (v === 4) {
    const dot1 = text.indexOf('.');
    const a = +text.slice(0, dot1);
    const b = +text.slice(dot1 + 1, text.indexOf('.', dot1 + 1));
    return a === 10 || a === 127 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
  }
  if (v === 6) {
    const t = text.toLowerCase();
    if (t === '::1' || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(t)) return true;
    return /^f[cd][0-9a-f]{0,2}:/.test(t) || /^fe[89ab][0-9a-f]?:/.test(t);
  }
  return false;
}

/**
 * The address Filebeat's nginx pipeline puts in `source.address` for a client list: the first entry
 * that is not private, or the first entry when all are. Note the consequence Filebeat shares: the
 * entries before the last come from the X-Forwarded-For header, which any client can write, so the
 * chosen address may be forged; the peer that really connected is the last entry of
 * `<module>.access.remote_ip_list`.
 */
export function pickSourceAddress(list: readonly string[]): string | undefined {
  for (const a of list) if (!isPrivateAddress(a)) return a;
  return list[0];
}
