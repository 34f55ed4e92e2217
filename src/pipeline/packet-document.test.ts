import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodedPacket } from '../decoders/decoded-packet.js';
import type { RawPacket } from '../sources/pcap/types.js';
import { PacketDocumentWriter, packetDocumentId, splitHost } from './packet-document.js';

function raw(overrides: Partial<RawPacket> = {}): RawPacket {
  return { frame: 7, offset: 1234, interfaceId: 1, linkType: 1, tsSec: 1700000000, tsNsec: 123456789, tsDigits: 9, origLen: 1514, data: Buffer.alloc(96), ...overrides };
}

test('a packet with every layer becomes the documented ECS document', () => {
  const d = new DecodedPacket();
  d.srcMac = '00-1B-21-3A-4F-5C';
  d.dstMac = 'FF-FF-FF-FF-FF-FF';
  d.vlanIds = [200, 2001, 7];
  d.networkType = 'ipv4';
  d.srcIp = '192.0.2.1';
  d.dstIp = '198.51.100.2';
  d.ipProto = 6;
  d.ttl = 63;
  d.ipId = 4660;
  d.transport = 'tcp';
  d.srcPort = 49152;
  d.dstPort = 8080;
  d.tcpFlags = 0x18;
  d.tcpSeq = 4294967295;
  d.tcpAck = 2147483648;
  d.tcpWindow = 512;
  d.appProtocol = 'http';
  d.highestProtocol = 'http';
  d.http = { method: 'GET', uri: '/a?b="c"\u0001', version: '1.1', host: 'example.com:8080', userAgent: 'curl/8 é', forwardedFor: '10.0.0.1, 10.0.0.2', statusCode: undefined, statusText: undefined };
  const w = new PacketDocumentWriter({ captureId: 'abc', path: '/tmp/"odd".pcap', name: '"odd".pcap' });
  const doc = JSON.parse(w.toJson(raw(), d, '1:xyz='));
  assert.equal(doc['@timestamp'], '2023-11-14T22:13:20.123456789Z');
  assert.deepEqual(doc.source, { ip: '192.0.2.1', port: 49152, mac: '00-1B-21-3A-4F-5C' });
  assert.deepEqual(doc.destination, { ip: '198.51.100.2', port: 8080, mac: 'FF-FF-FF-FF-FF-FF' });
  assert.deepEqual(doc.network, {
    bytes: 1514, packets: 1, type: 'ipv4', transport: 'tcp', iana_number: '6', protocol: 'http', community_id: '1:xyz=',
    vlan: { id: '200' }, inner: { vlan: { id: '2001' } },
  });
  assert.deepEqual(doc.http, { version: '1.1', request: { method: 'GET' } });
  assert.deepEqual(doc.url, { original: '/a?b="c"\u0001', domain: 'example.com', port: 8080 });
  assert.deepEqual(doc.user_agent, { original: 'curl/8 é' });
  assert.deepEqual(doc.packet.vlan_ids, [200, 2001, 7]);
  assert.deepEqual(doc.packet.tcp, { flags: ['PSH', 'ACK'], seq: 4294967295, ack: 2147483648, window: 512 });
  assert.equal(doc.packet.http.x_forwarded_for, '10.0.0.1, 10.0.0.2');
  assert.deepEqual(doc.pcap, { file: '/tmp/"odd".pcap', capture_id: 'abc', frame: 7, offset: 1234, link_type: 1, interface: 1 });
  assert.equal(doc.sniff_timestamp, '1700000000.123456789');
  assert.equal(doc.highest_protocol, 'http');
  assert.equal(doc.source_file, '"odd".pcap');
  assert.equal(doc.source_date, '2023-11-14');
  assert.deepEqual(doc.event, { kind: 'event', category: ['network'], type: ['connection'], dataset: 'sluice.packet', module: 'sluice' });
});

test('a packet of an undecoded link type keeps its position and time but has no network fields', () => {
  const w = new PacketDocumentWriter({ captureId: 'abc', path: 'x.pcap', name: 'x.pcap' });
  const d = new DecodedPacket();
  d.highestProtocol = 'dbus';
  const doc = JSON.parse(w.toJson(raw({ linkType: 231, tsDigits: 6, tsNsec: 5000 }), d, undefined));
  assert.equal(doc['@timestamp'], '2023-11-14T22:13:20.000005Z');
  assert.equal(doc.source, undefined);
  assert.deepEqual(doc.network, { bytes: 1514, packets: 1 });
  assert.equal(doc.pcap.link_type, 231);
});

test('DNS, TLS, ICMP, fragments and errors are serialized', () => {
  const w = new PacketDocumentWriter({ captureId: 'c', path: 'p', name: 'p' });
  const d = new DecodedPacket();
  d.srcIp = '2001:db8::1';
  d.dstIp = '2001:db8::2';
  d.dns = { id: 4660, type: 'answer', opCode: 'QUERY', headerFlags: ['RD', 'RA'], responseCode: 'NXDOMAIN', questions: [{ name: 'a.example', type: 'A', class: 'IN' }, { name: 'b\\"', type: 'TXT', class: 'IN' }], answers: [{ name: 'a.example', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.7' }], resolvedIps: ['192.0.2.7'] };
  d.tls = { serverName: 'sni.example', clientVersion: '1.2', supportedVersions: ['1.3'], alpn: ['h2'], ciphers: [], ja3: '771,4865,0,29,0' };
  d.icmpType = 8;
  d.icmpCode = 0;
  d.ttl = 1;
  d.isFragment = true;
  d.fragmentOffset = 1480;
  d.moreFragments = true;
  d.addError('tcp: header truncated (12 of 20 bytes)');
  const doc = JSON.parse(w.toJson(raw(), d, undefined));
  assert.equal(doc.dns.id, '4660');
  assert.equal(doc.dns.response_code, 'NXDOMAIN');
  assert.deepEqual(doc.dns.question, { name: 'a.example', type: 'A', class: 'IN' });
  assert.equal(doc.dns.questions.length, 2);
  assert.deepEqual(doc.dns.resolved_ip, ['192.0.2.7']);
  assert.equal(doc.tls.client.server_name, 'sni.example');
  assert.match(doc.tls.client.ja3, /^[0-9a-f]{32}$/);
  assert.deepEqual(doc.packet.icmp, { type: 8, code: 0 });
  assert.deepEqual(doc.packet.ip.fragment, { offset: 1480, more: true });
  assert.equal(doc.error.message, 'tcp: header truncated (12 of 20 bytes)');
});

test('document ids are the capture identity and the frame number', () => {
  assert.equal(packetDocumentId('0123456789abcdef0123', 42), '0123456789abcdef0123-42');
});

test('Host headers split into domain and port', () => {
  assert.deepEqual(splitHost('example.com'), ['example.com', undefined]);
  assert.deepEqual(splitHost('example.com:8080'), ['example.com', 8080]);
  assert.deepEqual(splitHost('[2001:db8::1]:443'), ['2001:db8::1', 443]);
  assert.deepEqual(splitHost('2001:db8::1'), ['2001:db8::1', undefined]);
  assert.deepEqual(splitHost('example.com:notaport'), ['example.com:notaport', undefined]);
});

test('the stored form is a JSON object, and completing it gives the full document', async () => {
  const { JsonBytes } = await import('./json-bytes.js');
  const { completeDocument } = await import('./packet-document.js');
  const w = new PacketDocumentWriter({ captureId: 'abc', path: '/x/y.pcap', name: 'y.pcap' });
  const d = new DecodedPacket();
  d.srcIp = '192.0.2.1';
  d.dstIp = '192.0.2.2';
  const out = new JsonBytes(64);
  w.write(out, raw(), d, undefined);
  const stored = Buffer.from(out.view());
  const partial = JSON.parse(stored.toString('utf8'));
  assert.equal(partial.source.ip, '192.0.2.1');
  assert.equal(partial.pcap.frame, 7);
  assert.equal(partial.pcap.file, undefined);
  const full = JSON.parse(completeDocument(stored, w.tail).toString('utf8'));
  assert.deepEqual(full, JSON.parse(w.toJson(raw(), d, undefined)));
  assert.equal(full.pcap.file, '/x/y.pcap');
  assert.equal(full.event.dataset, 'sluice.packet');
});

test('with raw: true the captured bytes are in packet.raw as base64', () => {
  const w = new PacketDocumentWriter({ captureId: 'c', path: 'p', name: 'p' }, true, { raw: true });
  const data = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
  const doc = JSON.parse(w.toJson(raw({ data }), new DecodedPacket(), undefined));
  assert.equal(doc.packet.raw, data.toString('base64'));
  assert.ok(Buffer.from(doc.packet.raw, 'base64').equals(data));
});
