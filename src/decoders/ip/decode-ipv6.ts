import type { DecodedPacket } from '../decoded-packet.js';
import { formatIpv6 } from '../format/format-ipv6.js';
import { transportName } from './transport-name.js';

/** At most this many extension headers are walked (a guard against crafted chains). */
const MAX_EXT_HEADERS = 16;

/**
 * IPv6 header at `off`, usable bytes up to `end`, and its extension header chain (hop-by-hop 0,
 * routing 43, fragment 44, destination options 60, AH 51, mobility 135; 59 = no next header).
 *
 * Returns the upper-layer header offset, or -1 when decoding stops (error, no next header, or a
 * non-first fragment). `d.payloadOffset`/`d.payloadLength` are set to what follows the chain.
 */
export function decodeIpv6(d: DecodedPacket, data: Buffer, off: number, end: number): number {
  d.highestProtocol = 'ipv6';
  d.networkType = 'ipv6';
  const avail = end - off;
  if (avail < 40) {
    d.addError('ipv6: header truncated (' + (avail < 0 ? 0 : avail) + ' of 40 bytes)');
    return -1;
  }
  if (data[off] >> 4 !== 6) {
    d.addError('ipv6: bad version ' + (data[off] >> 4));
    return -1;
  }
  d.srcAddrOffset = off + 8;
  d.dstAddrOffset = off + 24;
  d.addrLength = 16;
  d.srcIp = formatIpv6(data, off + 8);
  d.dstIp = formatIpv6(data, off + 24);
  d.ttl = data[off + 7];
  const payloadLen = (data[off + 4] << 8) | data[off + 5];
  let payloadEnd = end;
  // Payload length 0 is a jumbogram (or TSO): the capture length decides.
  if (payloadLen !== 0 && off + 40 + payloadLen < end) payloadEnd = off + 40 + payloadLen;
  let next = data[off + 6];
  let p = off + 40;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next !== 0 && next !== 43 && next !== 44 && next !== 60 && next !== 51 && next !== 135) break;
    if (d.ipv6ExtHeaders === undefined) d.ipv6ExtHeaders = [next];
    else d.ipv6ExtHeaders.push(next);
    if (payloadEnd - p < 8) {
      d.ipProto = next;
      d.transport = transportName(next);
      d.addError('ipv6: extension header ' + next + ' truncated (' + (payloadEnd - p) + ' of 8 bytes)');
      return -1;
    }
    const hdrNext = data[p];
    let hdrLen: number;
    if (next === 44) {
      hdrLen = 8;
      const w = (data[p + 2] << 8) | data[p + 3];
      const fragOff = w & 0xfff8;
      const mf = (w & 1) !== 0;
      d.fragmentOffset = fragOff;
      d.moreFragments = mf;
      d.isFragment = mf || fragOff > 0;
      d.ipId = data.readUInt32BE(p + 4);
      if (fragOff > 0) {
        d.ipProto = hdrNext;
        d.transport = transportName(hdrNext);
        d.payloadOffset = p + 8;
        d.payloadLength = payloadEnd - p - 8;
        return -1;
      }
    } else if (next === 51) {
      hdrLen = (data[p + 1] + 2) << 2;
    } else {
      hdrLen = (data[p + 1] + 1) << 3;
    }
    if (p + hdrLen > payloadEnd) {
      d.ipProto = next;
      d.transport = transportName(next);
      d.addError('ipv6: extension header ' + next + ' truncated (' + (payloadEnd - p) + ' of ' + hdrLen + ' bytes)');
      return -1;
    }
    p += hdrLen;
    next = hdrNext;
  }
  d.ipProto = next;
  d.transport = transportName(next);
  d.payloadOffset = p;
  d.payloadLength = payloadEnd - p;
  if (next === 59) return -1;
  return p;
}
