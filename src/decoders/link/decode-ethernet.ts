import type { DecodedPacket } from '../decoded-packet.js';
import { formatMac } from '../format/format-mac.js';

/**
 * Ethernet II (LINKTYPE 1) with any stack of 802.1Q (0x8100), 802.1ad (0x88a8) and 0x9100 tags.
 * Sets MACs, `vlanIds` (outermost first) and `etherType`; returns the offset of the network layer,
 * or -1 when there is nothing more to decode (truncated header, 802.3 length frame).
 */
export function decodeEthernet(d: DecodedPacket, data: Buffer): number {
  const len = data.length;
  d.highestProtocol = 'eth';
  if (len < 14) {
    if (len >= 12) {
      d.dstMac = formatMac(data, 0);
      d.srcMac = formatMac(data, 6);
    }
    d.addError('eth: header truncated (' + len + ' of 14 bytes)');
    return -1;
  }
  d.dstMac = formatMac(data, 0);
  d.srcMac = formatMac(data, 6);
  let off = 12;
  let type = (data[12] << 8) | data[13];
  while (type === 0x8100 || type === 0x88a8 || type === 0x9100) {
    if (off + 6 > len) {
      d.addError('vlan: tag truncated (' + (len - off - 2) + ' of 4 bytes)');
      return -1;
    }
    const vid = ((data[off + 2] << 8) | data[off + 3]) & 0x0fff;
    if (d.vlanIds === undefined) d.vlanIds = [vid];
    else d.vlanIds.push(vid);
    off += 4;
    type = (data[off] << 8) | data[off + 1];
  }
  // Values up to 1500 are an 802.3 length (LLC follows), not an EtherType.
  if (type <= 1500) return -1;
  d.etherType = type;
  return off + 2;
}
