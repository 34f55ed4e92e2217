import { DecodedPacket } from './decoded-packet.js';
import { decodeDns, isDnsPort } from './dns/decode-dns.js';
import { decodeHttp } from './http/decode-http.js';
import { decodeIcmp } from './icmp/decode-icmp.js';
import { decodeIpv4 } from './ip/decode-ipv4.js';
import { decodeIpv6 } from './ip/decode-ipv6.js';
import { decodeEthernet } from './link/decode-ethernet.js';
import { decodeNflog } from './link/decode-nflog.js';
import { decodeLoop, decodeNull } from './link/decode-null.js';
import { decodeRaw } from './link/decode-raw.js';
import { decodeSll, decodeSll2 } from './link/decode-sll.js';
import { linkTypeName } from './link-types.js';
import { decodeSctp } from './sctp/decode-sctp.js';
import { decodeTcp } from './tcp/decode-tcp.js';
import { decodeTls } from './tls/decode-tls.js';
import { decodeUdp } from './udp/decode-udp.js';

export { isSupportedLinkType, linkTypeName } from './link-types.js';

/**
 * Decodes one captured packet of the given LINKTYPE_* into a flat {@link DecodedPacket}.
 *
 * Pure and synchronous; never throws. Every layer bounds-checks its reads; a truncated or malformed
 * layer leaves a partial document plus a message in `errors`, and decoding stops there. Link types
 * that are not supported give a document with only `highestProtocol` (= the link type name) set.
 *
 * `origLen` (the original length on the wire) is accepted for symmetry with the capture readers;
 * a capture cut by the snap length is decoded as far as it goes (the transport payload length is
 * what was captured).
 */
export function decodePacket(linkType: number, data: Buffer, origLen: number): DecodedPacket {
  const d = new DecodedPacket();
  void origLen;
  try {
    decodeLayers(d, linkType, data);
  } catch (err) {
    // Not expected (every read is bounds-checked); kept so a decoder bug costs one document, not the run.
    d.addError('decoder: ' + (err instanceof Error ? err.message : String(err)));
  }
  return d;
}

function decodeLayers(d: DecodedPacket, linkType: number, data: Buffer): void {
  let off: number;
  let end = data.length;
  switch (linkType) {
    case 1:
      off = decodeEthernet(d, data);
      break;
    case 113:
      off = decodeSll(d, data);
      break;
    case 276:
      off = decodeSll2(d, data);
      break;
    case 0:
      off = decodeNull(d, data);
      break;
    case 108:
      off = decodeLoop(d, data);
      break;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      off = decodeRaw(d, data, linkType);
      break;
    case 239:
      off = decodeNflog(d, data);
      if (off >= 0) end = off + d.payloadLength;
      break;
    default:
      d.highestProtocol = linkTypeName(linkType);
      return;
  }
  if (off < 0) return;
  const etherType = d.etherType;
  let t: number;
  if (etherType === 0x0800) {
    t = decodeIpv4(d, data, off, end);
  } else if (etherType === 0x86dd) {
    t = decodeIpv6(d, data, off, end);
  } else {
    if (etherType === 0x0806) {
      d.networkType = 'arp';
      d.highestProtocol = 'arp';
    }
    return;
  }
  if (t < 0) return;
  const ipEnd = d.payloadOffset + d.payloadLength;
  switch (d.ipProto) {
    case 6:
      if (!decodeTcp(d, data, t, ipEnd)) return;
      if (d.payloadLength > 0) decodeTcpPayload(d, data);
      return;
    case 17:
      if (!decodeUdp(d, data, t, ipEnd)) return;
      if (d.payloadLength > 0) decodeUdpPayload(d, data);
      return;
    case 1:
      decodeIcmp(d, data, t, ipEnd, false);
      return;
    case 58:
      decodeIcmp(d, data, t, ipEnd, true);
      return;
    case 132:
      decodeSctp(d, data, t, ipEnd);
      return;
  }
}

function decodeTcpPayload(d: DecodedPacket, data: Buffer): void {
  const off = d.payloadOffset;
  const end = off + d.payloadLength;
  if (d.srcPort === 53 || d.dstPort === 53) {
    // DNS over TCP: a 2-byte length prefix. Only a message that fits in this segment is decoded;
    // a lone prefix or a partial message is not an error (it continues in the next segment).
    if (end - off >= 14) {
      const len = (data[off] << 8) | data[off + 1];
      if (len >= 12 && off + 2 + len <= end) {
        decodeDns(d, data, off + 2, off + 2 + len, false);
        return;
      }
    }
    d.highestProtocol = 'data';
    return;
  }
  if (decodeTls(d, data, off, end)) return;
  if (decodeHttp(d, data, off, end)) return;
  d.highestProtocol = 'data';
}

function decodeUdpPayload(d: DecodedPacket, data: Buffer): void {
  const sp = d.srcPort as number;
  const dp = d.dstPort as number;
  if (isDnsPort(sp) || isDnsPort(dp)) {
    const off = d.payloadOffset;
    if (decodeDns(d, data, off, off + d.payloadLength, sp === 5353 || dp === 5353)) return;
  }
  d.highestProtocol = 'data';
}
