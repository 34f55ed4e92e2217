import type { DecodedPacket } from '../decoded-packet.js';

/** Maps a BSD address family value to an EtherType (AF_INET → IPv4; AF_INET6 is 24, 28 or 30 depending on the BSD). */
function familyToEtherType(af: number): number {
  if (af === 2) return 0x0800;
  if (af === 24 || af === 28 || af === 30) return 0x86dd;
  return -1;
}

/**
 * BSD loopback (LINKTYPE_NULL 0): a 4-byte address family in the byte order of the capturing
 * host, detected here by trying both orders. Returns the network offset, or -1.
 */
export function decodeNull(d: DecodedPacket, data: Buffer): number {
  d.highestProtocol = 'null';
  if (data.length < 4) {
    d.addError('null: header truncated (' + data.length + ' of 4 bytes)');
    return -1;
  }
  let type = familyToEtherType(data.readUInt32LE(0));
  if (type < 0) type = familyToEtherType(data.readUInt32BE(0));
  if (type < 0) return -1;
  d.etherType = type;
  return 4;
}

/** OpenBSD loopback (LINKTYPE_LOOP 108): like NULL but the family is always big-endian. */
export function decodeLoop(d: DecodedPacket, data: Buffer): number {
  d.highestProtocol = 'loop';
  if (data.length < 4) {
    d.addError('loop: header truncated (' + data.length + ' of 4 bytes)');
    return -1;
  }
  const type = familyToEtherType(data.readUInt32BE(0));
  if (type < 0) return -1;
  d.etherType = type;
  return 4;
}
