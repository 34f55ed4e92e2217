import type { DecodedPacket, DnsAnswer, DnsInfo } from '../decoded-packet.js';
import { formatIpv4 } from '../format/format-ipv4.js';
import { formatIpv6 } from '../format/format-ipv6.js';
import { dnsClassName, dnsOpCodeName, dnsResponseCodeName, dnsTypeName } from './dns-names.js';
import { nameEnd, nameError, readDnsName, readDnsText } from './read-dns-name.js';

/** Sections are read up to this many records (the rest are ignored without error). */
const MAX_RECORDS = 256;

/** True for the ports DNS is looked for on: 53 (DNS), 5353 (mDNS), 5355 (LLMNR). */
export function isDnsPort(port: number): boolean {
  return port === 53 || port === 5353 || port === 5355;
}

/**
 * Decodes the DNS message `[off, end)` into `d.dns`. `mdns` masks the cache-flush / unicast-response
 * bit out of the class. Returns false (with an error) when not even the 12-byte header is there;
 * a malformed section keeps what was read before it and adds an error.
 */
export function decodeDns(d: DecodedPacket, data: Buffer, off: number, end: number, mdns: boolean): boolean {
  const avail = end - off;
  if (avail < 12) {
    d.addError('dns: header truncated (' + avail + ' of 12 bytes)');
    return false;
  }
  const b2 = data[off + 2];
  const b3 = data[off + 3];
  const flags: string[] = [];
  if (b2 & 0x04) flags.push('AA');
  if (b2 & 0x02) flags.push('TC');
  if (b2 & 0x01) flags.push('RD');
  if (b3 & 0x80) flags.push('RA');
  if (b3 & 0x20) flags.push('AD');
  if (b3 & 0x10) flags.push('CD');
  const info: DnsInfo = {
    id: (data[off] << 8) | data[off + 1],
    type: b2 & 0x80 ? 'answer' : 'query',
    opCode: dnsOpCodeName((b2 >> 3) & 15),
    headerFlags: flags,
    responseCode: dnsResponseCodeName(b3 & 15),
    questions: [],
    answers: [],
    resolvedIps: [],
  };
  d.dns = info;
  d.appProtocol = 'dns';
  d.highestProtocol = 'dns';
  const qd = (data[off + 4] << 8) | data[off + 5];
  const an = (data[off + 6] << 8) | data[off + 7];
  const classMask = mdns ? 0x7fff : 0xffff;
  let p = off + 12;
  for (let i = 0; i < qd && i < MAX_RECORDS; i++) {
    const name = readDnsName(data, p, off, end);
    if (name === undefined) {
      d.addError('dns: question ' + (i + 1) + ': ' + nameError);
      return true;
    }
    p = nameEnd;
    if (p + 4 > end) {
      d.addError('dns: question ' + (i + 1) + ' truncated');
      return true;
    }
    info.questions.push({
      name,
      type: dnsTypeName((data[p] << 8) | data[p + 1]),
      class: dnsClassName(((data[p + 2] << 8) | data[p + 3]) & classMask),
    });
    p += 4;
  }
  for (let i = 0; i < an && i < MAX_RECORDS; i++) {
    const name = readDnsName(data, p, off, end);
    if (name === undefined) {
      d.addError('dns: answer ' + (i + 1) + ': ' + nameError);
      return true;
    }
    p = nameEnd;
    if (p + 10 > end) {
      d.addError('dns: answer ' + (i + 1) + ' truncated');
      return true;
    }
    const type = (data[p] << 8) | data[p + 1];
    const cls = ((data[p + 2] << 8) | data[p + 3]) & classMask;
    const ttl = data.readUInt32BE(p + 4);
    const rdlen = (data[p + 8] << 8) | data[p + 9];
    const rd = p + 10;
    const rdEnd = rd + rdlen;
    if (rdEnd > end) {
      d.addError('dns: answer ' + (i + 1) + ' data truncated (' + (end - rd) + ' of ' + rdlen + ' bytes)');
      return true;
    }
    const text = rdataText(info, data, type, rd, rdEnd, off, end);
    if (text === undefined) {
      d.addError('dns: answer ' + (i + 1) + ' data: ' + nameError);
      return true;
    }
    const answer: DnsAnswer = { name, type: dnsTypeName(type), class: dnsClassName(cls), ttl, data: text };
    info.answers.push(answer);
    p = rdEnd;
  }
  return true;
}

/** RDATA as text; undefined (with `nameError` set) when a name inside it is malformed. */
function rdataText(info: DnsInfo, data: Buffer, type: number, rd: number, rdEnd: number, msgStart: number, msgEnd: number): string | undefined {
  const len = rdEnd - rd;
  switch (type) {
    case 1:
      if (len !== 4) break;
      {
        const ip = formatIpv4(data, rd);
        info.resolvedIps.push(ip);
        return ip;
      }
    case 28:
      if (len !== 16) break;
      {
        const ip = formatIpv6(data, rd);
        info.resolvedIps.push(ip);
        return ip;
      }
    case 2: // NS
    case 5: // CNAME
    case 6: // SOA: the primary name server (mname)
    case 12: // PTR
    case 39: // DNAME
      return readDnsName(data, rd, msgStart, msgEnd);
    case 15: {
      // MX
      if (len < 3) break;
      const name = readDnsName(data, rd + 2, msgStart, msgEnd);
      if (name === undefined) return undefined;
      return ((data[rd] << 8) | data[rd + 1]) + ' ' + name;
    }
    case 33: {
      // SRV: priority weight port target
      if (len < 7) break;
      const name = readDnsName(data, rd + 6, msgStart, msgEnd);
      if (name === undefined) return undefined;
      return ((data[rd] << 8) | data[rd + 1]) + ' ' + ((data[rd + 2] << 8) | data[rd + 3]) + ' ' + ((data[rd + 4] << 8) | data[rd + 5]) + ' ' + name;
    }
    case 16: {
      // TXT: the character-strings concatenated (how SPF/DKIM records split over 255 bytes are read).
      let s = '';
      let q = rd;
      while (q < rdEnd) {
        const l = data[q];
        const e = q + 1 + l > rdEnd ? rdEnd : q + 1 + l;
        s += readDnsText(data, q + 1, e);
        q = e;
      }
      return s;
    }
  }
  return data.toString('hex', rd, rdEnd);
}
