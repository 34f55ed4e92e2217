import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { decodePacket, isSupportedLinkType } from './decode-packet.js';
import type { DecodedPacket } from './decoded-packet.js';
import { readClassicPcap } from './test-support/classic-pcap-records.js';
import { corpusFiles, haveTshark, tsharkFields } from './test-support/tshark-fields.js';
import { skipWithoutTshark } from '../../test/support/tshark.js';

/**
 * Compares the decoders with tshark 4.x, frame by frame, on every classic pcap of the corpus.
 *
 * tshark runs with TCP desegmentation and IP defragmentation off so that it, like sluice, looks at
 * one packet at a time (with defragmentation on it does not dissect the UDP header of a first
 * fragment, e.g. zeek__ipv4-fragmented-1.pcap frame 1).
 *
 * Deliberate differences, handled below:
 * - VLAN: tshark puts 802.1ad (0x88a8) tags in `ieee8021ad.id` and only 802.1Q / 0x9100 tags in
 *   `vlan.id`; sluice keeps all tags in `vlanIds`, so the expectation is ieee8021ad.id followed by
 *   vlan.id (outermost first for the QinQ captures of the corpus).
 * - Link types sluice does not decode (802.11 105, radiotap 127, D-Bus 231): tshark dissects the
 *   IP inside 802.11 data frames; sluice stores such packets raw by design, so for them only the
 *   absence of network fields is checked.
 * - Only classic pcap captures are read here (a small record walker); every capture, pcapng
 *   included, is compared end to end through the real reader in
 *   test/integration/tshark/ingest-vs-tshark.test.ts.
 * - Multiple occurrences (ICMP errors quote the offending IP/UDP header, DNS with several
 *   questions): the first occurrence, which is the outer layer / first question, is compared.
 */

const FIELDS = [
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport',
  'ieee8021ad.id', 'vlan.id',
  'dns.qry.name', 'dns.id',
  'http.request.method', 'http.host', 'http.request.uri', 'http.response.code',
  'tls.handshake.extensions_server_name',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
] as const;

type Field = (typeof FIELDS)[number];

const str = (v: number | string | undefined): string => (v === undefined ? '' : String(v));

/** What sluice says for each compared field ('' when absent). */
function ours(d: DecodedPacket): Record<Exclude<Field, 'ieee8021ad.id' | 'vlan.id'>, string> {
  const v4 = d.networkType === 'ipv4';
  const v6 = d.networkType === 'ipv6';
  return {
    'ip.src': v4 ? str(d.srcIp) : '',
    'ip.dst': v4 ? str(d.dstIp) : '',
    'ipv6.src': v6 ? str(d.srcIp) : '',
    'ipv6.dst': v6 ? str(d.dstIp) : '',
    'tcp.srcport': d.ipProto === 6 ? str(d.srcPort) : '',
    'tcp.dstport': d.ipProto === 6 ? str(d.dstPort) : '',
    'udp.srcport': d.ipProto === 17 ? str(d.srcPort) : '',
    'udp.dstport': d.ipProto === 17 ? str(d.dstPort) : '',
    'dns.qry.name': str(d.dns?.questions[0]?.name),
    'dns.id': d.dns ? '0x' + d.dns.id.toString(16).padStart(4, '0') : '',
    'http.request.method': str(d.http?.method),
    'http.host': str(d.http?.host),
    'http.request.uri': d.http?.uri ? d.http.uri : '',
    'http.response.code': str(d.http?.statusCode),
    'tls.handshake.extensions_server_name': str(d.tls?.serverName),
    'icmp.type': d.ipProto === 1 ? str(d.icmpType) : '',
    'icmp.code': d.ipProto === 1 ? str(d.icmpCode) : '',
    'icmpv6.type': d.ipProto === 58 ? str(d.icmpType) : '',
    'icmpv6.code': d.ipProto === 58 ? str(d.icmpCode) : '',
  };
}

const skip = skipWithoutTshark() || (corpusFiles().length === 0 ? 'corpus missing' : false);
const files = skip || !haveTshark() ? [] : corpusFiles().filter((f) => readClassicPcap(f) !== undefined);

describe('decoders agree with tshark on the corpus', { skip }, () => {
  for (const file of files) {
    const pcap = readClassicPcap(file)!;
    it(basename(file), () => {
      const expected = tsharkFields(file, [...FIELDS]);
      assert.equal(expected.size, pcap.records.length, 'frame count');
      const problems: string[] = [];
      for (const rec of pcap.records) {
        const d = decodePacket(pcap.linkType, rec.data, rec.origLen);
        const cols = expected.get(rec.frame)!;
        if (!isSupportedLinkType(pcap.linkType)) {
          if (d.srcIp !== undefined || d.srcPort !== undefined) problems.push(`frame ${rec.frame}: unsupported link type decoded`);
          continue;
        }
        const mine = ours(d);
        FIELDS.forEach((f, i) => {
          if (f === 'ieee8021ad.id' || f === 'vlan.id') return;
          const theirs = cols[i][0] ?? '';
          if (theirs !== mine[f]) problems.push(`frame ${rec.frame} ${f}: tshark ${JSON.stringify(theirs)} sluice ${JSON.stringify(mine[f])}`);
        });
        const vlans = [...cols[FIELDS.indexOf('ieee8021ad.id')], ...cols[FIELDS.indexOf('vlan.id')]].join(',');
        if (vlans !== (d.vlanIds ?? []).join(',')) problems.push(`frame ${rec.frame} vlan ids: tshark ${vlans} sluice ${d.vlanIds}`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
