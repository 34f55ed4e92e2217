import type { DecodedPacket } from '../decoded-packet.js';
import { formatIpv4 } from '../format/format-ipv4.js';
import { transportName } from './transport-name.js';

/**
 * IPv4 header at `off`, usable bytes up to `end`. Sets addresses, TTL, id, options length,
 * fragmentation fields, protocol; trims Ethernet padding with the total length.
 *
 * Returns the transport header offset, or -1 when decoding stops (error, or a non-first fragment,
 * which carries no transport header). `d.payloadOffset`/`d.payloadLength` are set to the IP
 * payload (the transport decoders narrow them further).
 */
export function decodeIpv4(d: DecodedPacket, data: Buffer, off: number, end: number): number {
  d.highestProtocol = 'ip';
  d.networkType = 'ipv4';
  const avail = end - off;
  if (avail < 20) {
    d.addError('ipv4: header truncated (' + (avail < 0 ? 0 : avail) + ' of 20 bytes)');
    return -1;
  }
  const vhl = data[off];
  if (vhl >> 4 !== 4) {
    d.addError('ipv4: bad version ' + (vhl >> 4));
    return -1;
  }
  const hlen = (vhl & 0x0f) << 2;
  d.srcAddrOffset = off + 12;
  d.dstAddrOffset = off + 16;
  d.addrLength = 4;
  d.srcIp = formatIpv4(data, off + 12);
  d.dstIp = formatIpv4(data, off + 16);
  d.ttl = data[off + 8];
  d.ipId = (data[off + 4] << 8) | data[off + 5];
  const proto = data[off + 9];
  d.ipProto = proto;
  d.transport = transportName(proto);
  const fragWord = (data[off + 6] << 8) | data[off + 7];
  d.dontFragment = (fragWord & 0x4000) !== 0;
  const mf = (fragWord & 0x2000) !== 0;
  const fragOff = (fragWord & 0x1fff) << 3;
  d.moreFragments = mf;
  d.fragmentOffset = fragOff;
  d.isFragment = mf || fragOff > 0;
  if (hlen < 20) {
    d.addError('ipv4: bad header length (' + hlen + ' bytes)');
    return -1;
  }
  d.ipOptionsLength = hlen - 20;
  if (avail < hlen) {
    d.addError('ipv4: options truncated (' + avail + ' of ' + hlen + ' bytes)');
    return -1;
  }
  const totalLen = (data[off + 2] << 8) | data[off + 3];
  let payloadEnd = end;
  if (totalLen !== 0) {
    // 0 is what TCP segmentation offload leaves: then the capture length decides.
    if (totalLen < hlen) {
      d.addError('ipv4: bad total length (' + totalLen + ' < header ' + hlen + ')');
      return -1;
    }
    if (off + totalLen < end) payloadEnd = off + totalLen;
  }
  const start = off + hlen;
  d.payloadOffset = start;
  d.payloadLength = payloadEnd - start;
  if (fragOff > 0) return -1;
  return start;
}
