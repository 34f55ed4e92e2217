import type { DecodedPacket } from '../decoded-packet.js';

/** SCTP common header at `off` (12 bytes): ports only; the chunks are the payload. Returns false when truncated. */
export function decodeSctp(d: DecodedPacket, data: Buffer, off: number, end: number): boolean {
  d.highestProtocol = 'sctp';
  const avail = end - off;
  d.payloadOffset = -1;
  d.payloadLength = 0;
  if (avail >= 4) {
    d.srcPort = (data[off] << 8) | data[off + 1];
    d.dstPort = (data[off + 2] << 8) | data[off + 3];
  }
  if (avail < 12) {
    d.addError('sctp: header truncated (' + (avail < 0 ? 0 : avail) + ' of 12 bytes)');
    return false;
  }
  if (avail > 12) {
    d.payloadOffset = off + 12;
    d.payloadLength = avail - 12;
  }
  return true;
}
