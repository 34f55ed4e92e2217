import type { DecodedPacket } from '../decoded-packet.js';

/**
 * UDP header at `off`, datagram bytes up to `end` (the IP payload end). Sets ports and the payload
 * range bounded by the UDP length and the IP payload. Returns false when decoding stops.
 */
export function decodeUdp(d: DecodedPacket, data: Buffer, off: number, end: number): boolean {
  d.highestProtocol = 'udp';
  const avail = end - off;
  d.payloadOffset = -1;
  d.payloadLength = 0;
  if (avail < 8) {
    if (avail >= 4) {
      d.srcPort = (data[off] << 8) | data[off + 1];
      d.dstPort = (data[off + 2] << 8) | data[off + 3];
    }
    d.addError('udp: header truncated (' + (avail < 0 ? 0 : avail) + ' of 8 bytes)');
    return false;
  }
  d.srcPort = (data[off] << 8) | data[off + 1];
  d.dstPort = (data[off + 2] << 8) | data[off + 3];
  const ulen = (data[off + 4] << 8) | data[off + 5];
  let stop = end;
  if (ulen !== 0) {
    // 0 is legal only for IPv6 jumbograms: then the IP payload decides.
    if (ulen < 8) {
      d.addError('udp: bad length (' + ulen + ' < 8)');
      return false;
    }
    if (off + ulen < stop) stop = off + ulen;
  }
  if (stop > off + 8) {
    d.payloadOffset = off + 8;
    d.payloadLength = stop - off - 8;
  }
  return true;
}
