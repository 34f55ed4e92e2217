import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Address helpers for the GeoIP enricher: which addresses are worth a lookup, and their numeric
 * form for the range tables (`asn-ranges.ts`).
 */

/**
 * Special-purpose ranges that no GeoIP or ASN database locates: RFC 6890 (IANA IPv4/IPv6
 * special-purpose registries), multicast, and the documentation blocks. Looking them up would
 * either find nothing or, worse, a bogus record some databases keep for them.
 */
const RESERVED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  RESERVED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) {
  RESERVED.addSubnet(net, prefix, 'ipv6');
}

/** A public (globally routable) address ready for a lookup: its family and canonical text. */
export interface PublicAddress {
  readonly family: 4 | 6;
  /** IPv4 dotted quad (also for IPv4-mapped `::ffff:a.b.c.d`), or the IPv6 text as given. */
  readonly address: string;
}

/**
 * Classifies `ip`: a {@link PublicAddress} when it is worth a lookup, `undefined` for anything
 * that is not an IP address or is private, loopback, link-local, multicast, documentation or
 * otherwise reserved. IPv4-mapped IPv6 addresses are looked up as IPv4.
 */
export function publicAddress(ip: string): PublicAddress | undefined {
  if (isIPv4(ip)) return RESERVED.check(ip, 'ipv4') ? undefined : { family: 4, address: ip };
  if (!isIPv6(ip)) return undefined;
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:') && isIPv4(lower.slice(7))) return publicAddress(lower.slice(7));
  return RESERVED.check(lower, 'ipv6') ? undefined : { family: 6, address: lower };
}

/** The IPv4 address `ip` (a valid dotted quad) as an unsigned 32-bit number. */
export function ipv4ToNumber(ip: string): number {
  let value = 0;
  let part = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      value = value * 256 + part;
      part = 0;
    } else {
      part = part * 10 + (c - 48);
    }
  }
  return value * 256 + part;
}

/** The IPv6 address `ip` (valid, without zone id, possibly with an embedded IPv4 tail) as a 128-bit number. */
export function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    // Embedded IPv4 (e.g. 64:ff9b::192.0.2.1): rewrite the tail as two hextets.
    const v4 = ipv4ToNumber(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const double = text.indexOf('::');
  let groups: string[];
  if (double === -1) {
    groups = text.split(':');
  } else {
    const head = double === 0 ? [] : text.slice(0, double).split(':');
    const tail = double + 2 === text.length ? [] : text.slice(double + 2).split(':');
    groups = [...head, ...new Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  return value;
}
