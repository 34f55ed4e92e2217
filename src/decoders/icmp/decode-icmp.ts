import type { DecodedPacket } from '../decoded-packet.js';

/**
 * ICMP (`v6` false) or ICMPv6 (`v6` true) header at `off`: type and code. The rest of the message
 * (echo data, the quoted packet of an error) is the payload. Returns false when truncated.
 */
export function decodeIcmp(d: DecodedPacket, data: Buffer, off: number, end: number, v6: boolean): boolean {
  d.highestProtocol = v6 ? 'icmpv6' : 'icmp';
  const avail = end - off;
  d.payloadOffset = -1;
  d.payloadLength = 0;
  if (avail >= 2) {
    d.icmpType = data[off];
    d.icmpCode = data[off + 1];
  }
  if (avail < 4) {
    d.addError((v6 ? 'icmpv6' : 'icmp') + ': header truncated (' + (avail < 0 ? 0 : avail) + ' of 4 bytes)');
    return false;
  }
  if (avail > 4) {
    d.payloadOffset = off + 4;
    d.payloadLength = avail - 4;
  }
  return true;
}
