import { createHash, hash as oneShotHash } from 'node:crypto';
import type { DecodedPacket } from '../../decoders/decoded-packet.js';

/**
 * Community ID v1 (https://github.com/corelight/community-id-spec), byte for byte as the
 * reference implementations (community-id.py / pycommunityid) compute it:
 *
 *   sha1(seed:2 BE ‖ saddr ‖ daddr ‖ proto:1 ‖ 0:1 [‖ sport:2 BE ‖ dport:2 BE]) → '1:' + base64
 *
 * with the endpoints ordered so that the smaller address (then port) comes first.
 *
 * - TCP, UDP, SCTP: the ports. ICMP / ICMPv6: the type as source "port" and, for request/reply
 *   types, the counterpart type as destination "port" (ordered like ports); for every other type
 *   the code as destination "port", and the tuple is one-way (never reordered).
 * - Other IP protocols (GRE, ESP, …) hash without port bytes.
 * - A fragment other than the first carries no transport header: it hashes without port bytes,
 *   as the reference implementation does (dpkt decodes the transport only when the offset is 0).
 *   The same goes for a port protocol whose header was truncated.
 *
 * Wireshark's Community ID post-dissector agrees on the corpus when IP reassembly is off; with
 * reassembly on it does not dissect the transport header of a first fragment and hashes it without
 * ports.
 */

/** ICMP request/reply counterparts (Zeek's ICMP4_counterpart); -1 when the type is one-way. */
const ICMP4_PEER = new Int16Array(256).fill(-1);
for (const [a, b] of [[8, 0], [13, 14], [15, 16], [10, 9], [17, 18]]) {
  ICMP4_PEER[a] = b;
  ICMP4_PEER[b] = a;
}
/** ICMPv6 request/reply counterparts: echo, MLD query/report, RS/RA, NS/NA, WRU, HAAD. */
const ICMP6_PEER = new Int16Array(256).fill(-1);
for (const [a, b] of [[128, 129], [130, 131], [133, 134], [135, 136], [139, 140], [144, 145]]) {
  ICMP6_PEER[a] = b;
  ICMP6_PEER[b] = a;
}

/** Hash inputs, one per shape, reused (the computation is synchronous). */
const IN4_PORTS = Buffer.alloc(16);
const IN4 = Buffer.alloc(12);
const IN6_PORTS = Buffer.alloc(40);
const IN6 = Buffer.alloc(36);

/** Base64 SHA-1 (one-shot `crypto.hash` where available: Node >= 20.12; a pure-JS SHA-1 measured no faster). */
const sha1Base64: (input: Buffer) => string =
  typeof oneShotHash === 'function'
    ? (input) => oneShotHash('sha1', input, 'base64')
    : (input) => createHash('sha1').update(input).digest('base64');

/**
 * The tuple of a decoded packet as Community ID sees it: set by {@link flowTuple}, read at once.
 * `hasPorts` false means no port bytes are hashed.
 */
const tuple = { proto: 0, sport: 0, dport: 0, hasPorts: false, oneWay: false };

/** Fills {@link tuple} from `d`; false when the packet has no IP layer. */
function flowTuple(d: DecodedPacket): boolean {
  if (d.addrLength === 0 || d.ipProto === undefined) return false;
  const proto = d.ipProto;
  tuple.proto = proto;
  tuple.oneWay = false;
  tuple.hasPorts = false;
  tuple.sport = 0;
  tuple.dport = 0;
  if (proto === 6 || proto === 17 || proto === 132) {
    // Ports only when this packet carried the transport header (not for non-first fragments).
    if (d.srcPort !== undefined && d.dstPort !== undefined && !(d.fragmentOffset !== undefined && d.fragmentOffset > 0)) {
      tuple.sport = d.srcPort;
      tuple.dport = d.dstPort;
      tuple.hasPorts = true;
    }
  } else if (proto === 1 || proto === 58) {
    if (d.icmpType !== undefined && d.icmpCode !== undefined && !(d.fragmentOffset !== undefined && d.fragmentOffset > 0)) {
      const type = d.icmpType;
      const peer = proto === 1 ? ICMP4_PEER[type] : ICMP6_PEER[type];
      tuple.sport = type;
      tuple.hasPorts = true;
      if (peer < 0) {
        tuple.dport = d.icmpCode;
        tuple.oneWay = true;
      } else {
        tuple.dport = peer;
      }
    }
  }
  return true;
}

/** Compares the two addresses in `data`: negative when src < dst, 0 when equal. */
function compareAddrs(data: Buffer, a: number, b: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const x = data[a + i];
    const y = data[b + i];
    if (x !== y) return x - y;
  }
  return 0;
}

/** Computes the ID for the tuple in {@link tuple} and the addresses of `d` in `data`. */
function computeFromTuple(d: DecodedPacket, data: Buffer, seed: number): string | undefined {
  const alen = d.addrLength;
  let s = d.srcAddrOffset;
  let t = d.dstAddrOffset;
  if (s < 0 || t < 0 || s + alen > data.length || t + alen > data.length) return undefined;
  let sport = tuple.sport;
  let dport = tuple.dport;
  if (!tuple.oneWay) {
    const c = compareAddrs(data, s, t, alen);
    // Ordered when src < dst, or the addresses are equal and sport < dport; otherwise flip.
    if (!(c < 0 || (c === 0 && tuple.hasPorts && sport < dport))) {
      const x = s;
      s = t;
      t = x;
      const y = sport;
      sport = dport;
      dport = y;
    }
  }
  const input = alen === 4 ? (tuple.hasPorts ? IN4_PORTS : IN4) : tuple.hasPorts ? IN6_PORTS : IN6;
  input[0] = (seed >> 8) & 0xff;
  input[1] = seed & 0xff;
  data.copy(input, 2, s, s + alen);
  data.copy(input, 2 + alen, t, t + alen);
  let p = 2 + 2 * alen;
  input[p++] = tuple.proto;
  input[p++] = 0;
  if (tuple.hasPorts) {
    input[p++] = sport >> 8;
    input[p++] = sport & 0xff;
    input[p++] = dport >> 8;
    input[p] = dport & 0xff;
  }
  return '1:' + sha1Base64(input);
}

/**
 * Community ID v1 of a decoded packet, reading the address bytes at `d.srcAddrOffset` /
 * `d.dstAddrOffset` in `data`; undefined when the packet has no IP layer. `seed` is 0..65535.
 */
export function communityId(d: DecodedPacket, data: Buffer, seed = 0): string | undefined {
  if (!flowTuple(d)) return undefined;
  return computeFromTuple(d, data, seed);
}

/**
 * Memoises {@link communityId} per flow, since packets of a flow repeat.
 *
 * IPv4 tuples live in an open-addressing hash table over typed arrays: the tuple is put in
 * Community ID order first (so both directions of a flow share one entry), its four 32-bit words
 * are hashed, and the ID string is kept beside them. No key string or boxed number is allocated
 * per packet, which matters at a million packets per second. IPv6 tuples (rarer) are keyed by a
 * short latin1 string of the raw bytes. When the table is 3/4 full it is emptied and refilled.
 */
export class CommunityIdCache {
  private readonly mask: number;
  private readonly words: Uint32Array;
  private readonly ids: (string | undefined)[];
  private used = 0;
  private readonly limit: number;
  private v6 = new Map<string, string>();

  constructor(
    private readonly seed = 0,
    maxEntries = 100_000,
  ) {
    let cap = 1024;
    while (cap * 0.75 < maxEntries) cap *= 2;
    this.mask = cap - 1;
    this.words = new Uint32Array(cap * 4);
    this.ids = new Array(cap).fill(undefined);
    this.limit = Math.floor(cap * 0.75);
  }

  /** The Community ID of `d` (see {@link communityId}), from the cache when the flow was seen. */
  get(d: DecodedPacket, data: Buffer): string | undefined {
    if (!flowTuple(d)) return undefined;
    const s = d.srcAddrOffset;
    const t = d.dstAddrOffset;
    if (d.addrLength === 4) {
      if (s < 0 || t < 0 || s + 4 > data.length || t + 4 > data.length) return undefined;
      let a = data.readUInt32BE(s);
      let b = data.readUInt32BE(t);
      let sp = tuple.sport;
      let dp = tuple.dport;
      // The same ordering as computeFromTuple, on the address as one unsigned number.
      if (!tuple.oneWay && !(a < b || (a === b && tuple.hasPorts && sp < dp))) {
        const x = a; a = b; b = x;
        const y = sp; sp = dp; dp = y;
      }
      const w2 = tuple.proto | (tuple.hasPorts ? 0x100 : 0) | (tuple.oneWay ? 0x200 : 0);
      const w3 = ((sp << 16) | dp) >>> 0;
      let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35), 0x27d4eb2d);
      h ^= h >>> 15;
      const words = this.words;
      const ids = this.ids;
      let i = h & this.mask;
      for (;;) {
        const id = ids[i];
        if (id === undefined) break;
        const k = i << 2;
        if (words[k] === a && words[k + 1] === b && words[k + 2] === w2 && words[k + 3] === w3) return id;
        i = (i + 1) & this.mask;
      }
      const id = computeFromTuple(d, data, this.seed);
      if (id === undefined) return undefined;
      if (this.used >= this.limit) {
        this.clear();
        i = h & this.mask;
      }
      const k = i << 2;
      words[k] = a;
      words[k + 1] = b;
      words[k + 2] = w2;
      words[k + 3] = w3;
      ids[i] = id;
      this.used++;
      return id;
    }
    if (s < 0 || t < 0 || s + 16 > data.length || t + 16 > data.length) return undefined;
    const key =
      data.toString('latin1', s, s + 16) + data.toString('latin1', t, t + 16) +
      String.fromCharCode(tuple.proto, tuple.hasPorts ? 1 : 0, tuple.sport, tuple.dport);
    const hit = this.v6.get(key);
    if (hit !== undefined) return hit;
    const id = computeFromTuple(d, data, this.seed);
    if (id === undefined) return undefined;
    if (this.v6.size >= this.limit) this.v6.clear();
    this.v6.set(key, id);
    return id;
  }

  /** Drops every cached ID. */
  clear(): void {
    this.ids.fill(undefined);
    this.used = 0;
    this.v6.clear();
  }
}
