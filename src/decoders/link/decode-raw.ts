import type { DecodedPacket } from '../decoded-packet.js';

/**
 * Raw IP (LINKTYPE_RAW 101, DLT_RAW 12/14, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229). For the generic
 * types the version nibble decides. Returns 0 (the network layer starts at the first byte) or -1.
 */
export function decodeRaw(d: DecodedPacket, data: Buffer, linkType: number): number {
  d.highestProtocol = 'raw';
  if (linkType === 228) {
    d.etherType = 0x0800;
    return 0;
  }
  if (linkType === 229) {
    d.etherType = 0x86dd;
    return 0;
  }
  if (data.length < 1) {
    d.addError('raw: packet empty');
    return -1;
  }
  const version = data[0] >> 4;
  if (version === 4) d.etherType = 0x0800;
  else if (version === 6) d.etherType = 0x86dd;
  else {
    d.addError('raw: unknown IP version ' + version);
    return -1;
  }
  return 0;
}
