import type { DecodedPacket } from '../decoded-packet.js';
import { formatMac } from '../format/format-mac.js';

/**
 * Linux "cooked" capture v1 (LINKTYPE_LINUX_SLL 113): packet type, ARPHRD type, address length,
 * 8 address bytes, protocol. The source MAC is taken when the device is Ethernet-like with a
 * 6-byte address. Returns the network layer offset, or -1.
 */
export function decodeSll(d: DecodedPacket, data: Buffer): number {
  const len = data.length;
  d.highestProtocol = 'linux_sll';
  if (len < 16) {
    d.addError('sll: header truncated (' + len + ' of 16 bytes)');
    return -1;
  }
  const hatype = (data[2] << 8) | data[3];
  const halen = (data[4] << 8) | data[5];
  if (halen === 6 && (hatype === 1 || hatype === 772)) d.srcMac = formatMac(data, 6);
  d.etherType = (data[14] << 8) | data[15];
  return 16;
}

/**
 * Linux "cooked" capture v2 (LINKTYPE_LINUX_SLL2 276): protocol, reserved, interface index,
 * ARPHRD type, packet type, address length, 8 address bytes. Returns the network offset, or -1.
 */
export function decodeSll2(d: DecodedPacket, data: Buffer): number {
  const len = data.length;
  d.highestProtocol = 'linux_sll2';
  if (len < 20) {
    d.addError('sll2: header truncated (' + len + ' of 20 bytes)');
    return -1;
  }
  const hatype = (data[8] << 8) | data[9];
  const halen = data[11];
  if (halen === 6 && (hatype === 1 || hatype === 772)) d.srcMac = formatMac(data, 12);
  d.etherType = (data[0] << 8) | data[1];
  return 20;
}
