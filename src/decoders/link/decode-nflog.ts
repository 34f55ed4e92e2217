import type { DecodedPacket } from '../decoded-packet.js';

/** NFULA_PAYLOAD: the TLV that carries the logged network-layer packet. */
const NFULA_PAYLOAD = 9;

/**
 * Linux NFLOG (LINKTYPE_NFLOG 239): a 4-byte header (address family, version, resource id) then
 * TLVs whose 16-bit length and type are in the capturing host's byte order (detected: little-endian
 * tried first), each padded to 4 bytes. The payload TLV (type 9) holds the IP packet.
 *
 * Returns the offset of the IP packet and narrows the usable end through `d.payloadLength`
 * (`d.payloadOffset` is set to the returned offset), or -1.
 */
export function decodeNflog(d: DecodedPacket, data: Buffer): number {
  const len = data.length;
  d.highestProtocol = 'nflog';
  if (len < 4) {
    d.addError('nflog: header truncated (' + len + ' of 4 bytes)');
    return -1;
  }
  const family = data[0];
  let off = 4;
  let littleEndian = true;
  let first = true;
  while (off + 4 <= len) {
    let tlvLen = littleEndian ? data.readUInt16LE(off) : data.readUInt16BE(off);
    if (first) {
      first = false;
      if (tlvLen < 4 || off + tlvLen > len) {
        const be = data.readUInt16BE(off);
        if (be >= 4 && off + be <= len) {
          littleEndian = false;
          tlvLen = be;
        }
      }
    }
    if (tlvLen < 4 || off + tlvLen > len) {
      d.addError('nflog: bad TLV length ' + tlvLen + ' at offset ' + off);
      return -1;
    }
    const type = (littleEndian ? data.readUInt16LE(off + 2) : data.readUInt16BE(off + 2)) & 0x7fff;
    if (type === NFULA_PAYLOAD) {
      const start = off + 4;
      d.payloadOffset = start;
      d.payloadLength = tlvLen - 4;
      let etherType = -1;
      if (family === 2) etherType = 0x0800;
      else if (family === 10) etherType = 0x86dd;
      else if (tlvLen > 4) {
        const v = data[start] >> 4;
        if (v === 4) etherType = 0x0800;
        else if (v === 6) etherType = 0x86dd;
      }
      if (etherType < 0) return -1;
      d.etherType = etherType;
      return start;
    }
    off += (tlvLen + 3) & ~3;
  }
  return -1;
}
