/**
 * Field-by-field differential test: every capture of the shared corpus is ingested into a fresh
 * embedded store, and each stored document is compared with what tshark (the reference) reports for
 * the same frame: timestamp, IP addresses, ports, transport, VLAN ids, DNS query name, HTTP method,
 * host and URI, HTTP status, TLS SNI.
 *
 * tshark runs with IP defragmentation and TCP reassembly off, because sluice decodes each packet on
 * its own: with reassembly on, Wireshark moves the fields of a multi-packet message to its last packet.
 * Any remaining disagreement fails the test unless it is listed in KNOWN_DIFFERENCES with its reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ingestFiles } from '../../../src/pipeline/ingest.js';
import { searchLocal } from '../../../src/query/search-local.js';
import { openLocalStore, type LocalStore } from '../../../src/sinks/local/local-store.js';
import { corpusCaptures, skipWithoutTshark, tsharkFields } from '../../support/tshark.js';
import { isSupportedLinkType } from '../../../src/decoders/decode-packet.js';

const FIELDS = [
  'frame.number', 'frame.encap_type', 'frame.time_epoch', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.proto', 'ipv6.nxt',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'vlan.id', 'ieee8021ad.id', 'dns.qry.name',
  'http.request.method', 'http.host', 'http.request.uri', 'http.response.code', 'tls.handshake.extensions_server_name',
  'communityid',
] as const;
type Field = (typeof FIELDS)[number];

/** Preferences that make tshark decode each packet on its own, as sluice does. */
const TSHARK_PREFS = [
  '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE',
  // Wireshark 4.0's Community ID post-dissector is off by default.
  '--enable-protocol', 'communityid',
];

/**
 * Documented, justified disagreements with Wireshark: `file:frame:field` (frame `*` = every frame).
 * Each entry says why Wireshark and sluice differ and why sluice's answer is the one we want.
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  // Simple Packet Blocks carry no timestamp (pcapng spec, section 4.4). tshark prints none; every
  // sluice document needs an @timestamp, so the packet gets 0 (1970-01-01T00:00:00Z), as libpcap's
  // pcapng reader gives it. Frames 4 and 6 of this file are SPBs.
  'gopacket__pcapng-test202-le.pcapng:4:timestamp': 'SPB has no timestamp',
  'gopacket__pcapng-test202-le.pcapng:6:timestamp': 'SPB has no timestamp',
};

const skip = skipWithoutTshark();

describe('ingest vs tshark on the shared corpus', { skip }, () => {
  let dir: string;
  let store: LocalStore;
  const docs = new Map<string, Map<number, any>>();
  const linkTypes = new Map<string, Set<number>>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-diff-'));
    const files = corpusCaptures().map((path) => ({ path, size: statSync(path).size }));
    await ingestFiles({ dataDir: dir }, files);
    store = openLocalStore({ dataDir: dir, readonly: true });
    for (const f of files) {
      const byFrame = new Map<number, any>();
      const lts = new Set<number>();
      for (const d of searchLocal(store, { file: f.path })) {
        const doc = JSON.parse(d.doc.toString('utf8'));
        byFrame.set(doc.pcap.frame, doc);
        lts.add(doc.pcap.link_type);
      }
      docs.set(f.path, byFrame);
      linkTypes.set(f.path, lts);
    }
  });

  after(() => {
    store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of skip ? [] : corpusCaptures()) {
    test(basename(file), () => {
      // tshark 4.0 also lists pcapng custom blocks as "frames" with no encapsulation type; they are not
      // packets, and sluice's pcap.frame counts packets only, so they are left out here.
      const rows = tsharkFields(file, FIELDS, TSHARK_PREFS).filter((r) => r[1] !== '');
      const ours = docs.get(file)!;
      const mismatches: string[] = [];
      assert.equal(ours.size, rows.length, `${basename(file)}: sluice stored ${ours.size} packets, tshark read ${rows.length}`);
      for (const row of rows) {
        const t = Object.fromEntries(FIELDS.map((f, i) => [f, row[i] ?? ''])) as Record<Field, string>;
        const frame = rows.indexOf(row) + 1;
        const doc = ours.get(frame);
        if (doc === undefined) {
          mismatches.push(`frame ${frame}: missing in sluice`);
          continue;
        }
        const check = (field: string, theirs: unknown, mine: unknown) => {
          if (JSON.stringify(theirs) === JSON.stringify(mine)) return;
          // `tshark -T fields` prints an empty value and an absent field the same way: a request
          // line with no target ("OPTIONS\r\n") has url.original "" in sluice and nothing in tshark.
          if (theirs === undefined && mine === '') return;
          const key = `${basename(file)}:${frame}:${field}`;
          const anyKey = `${basename(file)}:*:${field}`;
          if (KNOWN_DIFFERENCES[key] !== undefined || KNOWN_DIFFERENCES[anyKey] !== undefined) return;
          mismatches.push(`frame ${frame} ${field}: tshark ${JSON.stringify(theirs)} vs sluice ${JSON.stringify(mine)}`);
        };

        check('timestamp', normalizeEpoch(t['frame.time_epoch']), normalizeEpoch(doc.sniff_timestamp));
        const protocols = t['frame.protocols'].split(':');

        if (!isSupportedLinkType(doc.pcap.link_type)) {
          // Link types sluice does not decode: the raw packet is stored, with no network fields.
          check('network fields of an undecoded link type', undefined, doc.source?.ip ?? doc.network?.transport);
          continue;
        }

        // The first (outer) IP layer, in the order Wireshark dissected them.
        const ipIdx = protocols.findIndex((p) => p === 'ip' || p === 'ipv6');
        let srcIp: string | undefined, dstIp: string | undefined, proto: string | undefined;
        if (ipIdx >= 0 && protocols[ipIdx] === 'ip') {
          srcIp = first(t['ip.src']); dstIp = first(t['ip.dst']); proto = first(t['ip.proto']);
        } else if (ipIdx >= 0) {
          srcIp = first(t['ipv6.src']); dstIp = first(t['ipv6.dst']);
        }
        check('source.ip', srcIp, doc.source?.ip);
        check('network.community_id', first(t['communityid']), doc.network?.community_id);
        check('destination.ip', dstIp, doc.destination?.ip);
        if (proto !== undefined) check('network.iana_number', proto, doc.network?.iana_number);

        // Ports of the first transport layer after the outer IP layer (not those quoted inside ICMP errors).
        const l4 = protocols.slice(ipIdx + 1).find((p) => p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6');
        if (l4 === 'tcp' || l4 === 'udp') {
          check('network.transport', l4, doc.network?.transport);
          check('source.port', num(first(t[`${l4}.srcport`])), doc.source?.port);
          check('destination.port', num(first(t[`${l4}.dstport`])), doc.destination?.port);
        } else if (l4 === 'icmp' || l4 === 'icmpv6') {
          check('network.transport', l4 === 'icmp' ? 'icmp' : 'ipv6-icmp', doc.network?.transport);
        }

        // VLAN ids, outermost first: 802.1ad S-tags and 802.1Q tags in dissection order.
        const ad = split(t['ieee8021ad.id']);
        const q = split(t['vlan.id']);
        const vlans: number[] = [];
        for (const p of protocols) {
          if (p === 'ieee8021ad' && ad.length > 0) vlans.push(Number(ad.shift()));
          else if (p === 'vlan' && q.length > 0) vlans.push(Number(q.shift()));
        }
        check('vlan ids', vlans.length > 0 ? vlans : undefined, doc.packet?.vlan_ids);
        if (vlans.length > 0) check('network.vlan.id', String(vlans[0]), doc.network?.vlan?.id);

        // Application layers: compared where the outer packet carries them (not inside ICMP errors).
        const insideIcmp = l4 === 'icmp' || l4 === 'icmpv6';
        if (!insideIcmp) {
          check('dns.question.name', first(t['dns.qry.name']), doc.dns?.question?.name);
          check('http.request.method', first(t['http.request.method']), doc.http?.request?.method);
          check('url.original', first(t['http.request.uri']), doc.url?.original);
          check('http.host', first(t['http.host']), httpHost(doc));
          check('http.response.status_code', num(first(t['http.response.code'])), doc.http?.response?.status_code);
          check('tls.client.server_name', first(t['tls.handshake.extensions_server_name']), doc.tls?.client?.server_name);
        }
      }
      assert.deepEqual(mismatches, [], `${basename(file)} disagrees with tshark:\n${mismatches.join('\n')}`);
    });
  }
});

function first(v: string): string | undefined {
  if (v === '') return undefined;
  const i = v.indexOf(',');
  return i < 0 ? v : v.slice(0, i);
}

function split(v: string): string[] {
  return v === '' ? [] : v.split(',');
}

function num(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

/** `1234.5` → `1234.500000000` so that tshark's and sluice's precisions compare exactly. */
function normalizeEpoch(v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  const [sec, frac = ''] = v.split('.');
  return `${sec}.${frac.padEnd(9, '0')}`;
}

/** The Host header rebuilt from url.domain and url.port (tshark prints the header as sent). */
function httpHost(doc: any): string | undefined {
  const domain: string | undefined = doc.url?.domain;
  if (domain === undefined) return undefined;
  const host = domain.includes(':') ? `[${domain}]` : domain;
  return doc.url.port === undefined ? host : `${host}:${doc.url.port}`;
}
