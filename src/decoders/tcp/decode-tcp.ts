import type { DecodedPacket } from '../decoded-packet.js';

/**
 * TCP header at `off`, segment bytes up to `end` (the IP payload end). Sets ports, flags (with NS),
 * unsigned sequence / acknowledgement numbers, window, and the payload range from the data offset.
 * Returns false when decoding stops (truncated header or bad data offset).
 */
export function decodeTcp(d: DecodedPacket, data: Buffer, off: number, end: number): boolean {
  d.highestProtocol = 'tcp';
  const avail = end - off;
  if (avail < 20) {
    if (avail >= 4) {
      d.srcPort = (data[off] << 8) | data[off + 1];
      d.dstPort = (data[off + 2] << 8) | data[off + 3];
    }
    d.payloadOffset = -1;
    d.payloadLength = 0;
    d.addError('tcp: header truncated (' + (avail < 0 ? 0 : avail) + ' of 20 bytes)');
    return false;
  }
  d.srcPort = (data[off] << 8) | data[off + 1];
  d.dstPort = (data[off + 2] << 8) | data[off + 3];
  d.tcpSeq = data.readUInt32BE(off + 4);
  d.tcpAck = data.readUInt32BE(off + 8);
  const b12 = data[off + 12];
  d.tcpFlags = data[off + 13] | ((b12 & 1) << 8);
  d.tcpWindow = (data[off + 14] << 8) | data[off + 15];
  const hlen = (b12 >> 4) << 2;
  d.payloadOffset = -1;
  d.payloadLength = 0;
  if (hlen < 20) {
    d.addError('tcp: bad data offset (' + hlen + ' bytes)');
    return false;
  }
  if (hlen > avail) {
    d.addError('tcp: options truncated (' + avail + ' of ' + hlen + ' bytes)');
    return false;
  }
  if (avail > hlen) {
    d.payloadOffset = off + hlen;
    d.payloadLength = avail - hlen;
  }
  return true;
}
