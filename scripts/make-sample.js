#!/usr/bin/env node
// Writes examples/sample.pcap: a small, deterministic capture made from scratch (no third-party
// traffic) that exercises what sluice decodes: DNS over UDP and TCP, an HTTP request with
// X-Forwarded-For and its response, a TLS ClientHello with SNI and ALPN, ICMP echo, IPv6 DNS, an
// 802.1Q-tagged packet and an IPv4 fragment pair. Same bytes on every run (a test checks that).
//
// Usage: node scripts/make-sample.js [out.pcap]
import { writeFileSync } from 'node:fs';

const out = process.argv[2] ?? new URL('../examples/sample.pcap', import.meta.url).pathname;

const MAC_CLIENT = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01];
const MAC_ROUTER = [0x02, 0x00, 0x5e, 0x10, 0x00, 0xfe];
const CLIENT = [192, 0, 2, 10]; // TEST-NET-1 (RFC 5737): documentation addresses only
const RESOLVER = [198, 51, 100, 53];
const WEB = [203, 0, 113, 80];
const CLIENT6 = '20010db8000000000000000000000010'; // 2001:db8::10 (RFC 3849)
const RESOLVER6 = '20010db8000000000000000000000053';

const u16 = (v) => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (s) => [...Buffer.from(s, 'latin1')];
const hex = (h) => [...Buffer.from(h, 'hex')];

function checksum(bytes) {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ethernet(payload, etherType, { src = MAC_CLIENT, dst = MAC_ROUTER, vlan } = {}) {
  const tag = vlan === undefined ? [] : [...u16(0x8100), ...u16(vlan)];
  return [...dst, ...src, ...tag, ...u16(etherType), ...payload];
}

let ipId = 0x1000;
function ipv4(src, dst, proto, payload, { id = ipId++, flagsFrag = 0x4000 } = {}) {
  const h = [0x45, 0, ...u16(20 + payload.length), ...u16(id), ...u16(flagsFrag), 64, proto, 0, 0, ...src, ...dst];
  const c = checksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

function ipv6(src, dst, next, payload) {
  return [0x60, 0, 0, 0, ...u16(payload.length), next, 64, ...hex(src), ...hex(dst), ...payload];
}

function pseudo4(src, dst, proto, len) {
  return [...src, ...dst, 0, proto, ...u16(len)];
}
function pseudo6(src, dst, proto, len) {
  return [...hex(src), ...hex(dst), ...u32(len), 0, 0, 0, proto];
}

function udp(sport, dport, payload, pseudo) {
  const seg = [...u16(sport), ...u16(dport), ...u16(8 + payload.length), 0, 0, ...payload];
  const c = checksum([...pseudo(17, seg.length), ...seg]) || 0xffff;
  seg[6] = c >> 8;
  seg[7] = c & 0xff;
  return seg;
}

function tcp(sport, dport, seq, ack, flags, payload, pseudo) {
  const seg = [...u16(sport), ...u16(dport), ...u32(seq), ...u32(ack), 0x50, flags, ...u16(64240), 0, 0, 0, 0, ...payload];
  const c = checksum([...pseudo(6, seg.length), ...seg]);
  seg[16] = c >> 8;
  seg[17] = c & 0xff;
  return seg;
}

function dnsName(name) {
  const out = [];
  for (const label of name.split('.')) out.push(label.length, ...ascii(label));
  return [...out, 0];
}

function dnsQuery(id, name, qtype) {
  return [...u16(id), 0x01, 0x00, ...u16(1), 0, 0, 0, 0, 0, 0, ...dnsName(name), ...u16(qtype), ...u16(1)];
}

function dnsAnswer(id, name, qtype, rdata) {
  return [...u16(id), 0x81, 0x80, ...u16(1), ...u16(1), 0, 0, 0, 0, ...dnsName(name), ...u16(qtype), ...u16(1),
    0xc0, 0x0c, ...u16(qtype), ...u16(1), ...u32(300), ...u16(rdata.length), ...rdata];
}

function clientHello(sni, alpn) {
  const ext = (type, body) => [...u16(type), ...u16(body.length), ...body];
  const sniBody = [...u16(sni.length + 3), 0, ...u16(sni.length), ...ascii(sni)];
  const alpnList = alpn.flatMap((p) => [p.length, ...ascii(p)]);
  const exts = [
    ...ext(0, sniBody),
    ...ext(10, [...u16(4), ...u16(0x001d), ...u16(0x0017)]),
    ...ext(11, [1, 0]),
    ...ext(16, [...u16(alpnList.length), ...alpnList]),
    ...ext(43, [4, ...u16(0x0304), ...u16(0x0303)]),
  ];
  const random = Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  const ciphers = [0x1301, 0x1302, 0xc02b, 0xc02f];
  const body = [...u16(0x0303), ...random, 0, ...u16(ciphers.length * 2), ...ciphers.flatMap(u16), 1, 0, ...u16(exts.length), ...exts];
  const hs = [1, 0, ...u16(body.length), ...body];
  return [22, ...u16(0x0301), ...u16(hs.length), ...hs];
}

const frames = [];
let t = 1_700_000_000; // 2023-11-14T22:13:20Z
let us = 0;
function add(bytes, stepUs = 1500) {
  us += stepUs;
  frames.push({ sec: t + Math.floor(us / 1e6), usec: us % 1e6, bytes });
}

const p4c = (a, b) => (proto, len) => pseudo4(a, b, proto, len);

// DNS over UDP: query and answer for the web server's name.
add(ethernet(ipv4(CLIENT, RESOLVER, 17, udp(53001, 53, dnsQuery(0x1a2b, 'www.example.com', 1), p4c(CLIENT, RESOLVER))), 0x0800));
add(ethernet(ipv4(RESOLVER, CLIENT, 17, udp(53, 53001, dnsAnswer(0x1a2b, 'www.example.com', 1, WEB), p4c(RESOLVER, CLIENT))), 0x0800, { src: MAC_ROUTER, dst: MAC_CLIENT }), 20_000);

// TCP handshake, an HTTP request that carries X-Forwarded-For, and the response.
const cs = 0x10000000, ss = 0x80000000; // ss > 2^31: sequence numbers must stay unsigned
const c2w = p4c(CLIENT, WEB), w2c = p4c(WEB, CLIENT);
add(ethernet(ipv4(CLIENT, WEB, 6, tcp(49152, 80, cs, 0, 0x02, [], c2w)), 0x0800));
add(ethernet(ipv4(WEB, CLIENT, 6, tcp(80, 49152, ss, cs + 1, 0x12, [], w2c)), 0x0800, { src: MAC_ROUTER, dst: MAC_CLIENT }), 30_000);
add(ethernet(ipv4(CLIENT, WEB, 6, tcp(49152, 80, cs + 1, ss + 1, 0x10, [], c2w)), 0x0800));
const req = ascii('GET /search?q=sluice HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: sluice-sample/1.0 (+https://example.com)\r\nX-Forwarded-For: 192.0.2.200, 198.51.100.7\r\nAccept: */*\r\n\r\n');
add(ethernet(ipv4(CLIENT, WEB, 6, tcp(49152, 80, cs + 1, ss + 1, 0x18, req, c2w)), 0x0800));
const resp = ascii('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n');
add(ethernet(ipv4(WEB, CLIENT, 6, tcp(80, 49152, ss + 1, cs + 1 + req.length, 0x18, resp, w2c)), 0x0800, { src: MAC_ROUTER, dst: MAC_CLIENT }), 40_000);
add(ethernet(ipv4(CLIENT, WEB, 6, tcp(49152, 80, cs + 1 + req.length, ss + 1 + resp.length, 0x11, [], c2w)), 0x0800));

// TLS ClientHello with SNI and ALPN (after its own handshake, which is not needed to decode it).
add(ethernet(ipv4(CLIENT, WEB, 6, tcp(49153, 443, 0x2000, 0x9000, 0x18, clientHello('www.example.com', ['h2', 'http/1.1']), c2w)), 0x0800), 100_000);

// ICMP echo request and reply.
const echo = (type) => {
  const m = [type, 0, 0, 0, ...u16(0x4242), ...u16(1), ...ascii('sluice-ping')];
  const c = checksum(m);
  m[2] = c >> 8;
  m[3] = c & 0xff;
  return m;
};
add(ethernet(ipv4(CLIENT, WEB, 1, echo(8)), 0x0800), 200_000);
add(ethernet(ipv4(WEB, CLIENT, 1, echo(0)), 0x0800, { src: MAC_ROUTER, dst: MAC_CLIENT }), 25_000);

// DNS over IPv6 (AAAA).
const p6 = (a, b) => (proto, len) => pseudo6(a, b, proto, len);
add(ethernet(ipv6(CLIENT6, RESOLVER6, 17, udp(53002, 53, dnsQuery(0x3c4d, 'www.example.com', 28), p6(CLIENT6, RESOLVER6))), 0x86dd), 50_000);
add(ethernet(ipv6(RESOLVER6, CLIENT6, 17, udp(53, 53002, dnsAnswer(0x3c4d, 'www.example.com', 28, hex('20010db80000000000000000000000' + '80')), p6(RESOLVER6, CLIENT6))), 0x86dd, { src: MAC_ROUTER, dst: MAC_CLIENT }), 20_000);

// An 802.1Q-tagged DNS query on VLAN 42.
add(ethernet(ipv4(CLIENT, RESOLVER, 17, udp(53003, 53, dnsQuery(0x5e6f, 'intranet.example.org', 1), p4c(CLIENT, RESOLVER))), 0x0800, { vlan: 42 }), 10_000);

// A UDP datagram split into two IPv4 fragments.
const big = udp(40000, 9999, Array.from({ length: 40 }, (_, i) => i), p4c(CLIENT, WEB));
add(ethernet(ipv4(CLIENT, WEB, 17, big.slice(0, 24), { id: 0x7777, flagsFrag: 0x2000 }), 0x0800), 10_000);
add(ethernet(ipv4(CLIENT, WEB, 17, big.slice(24), { id: 0x7777, flagsFrag: 3 }), 0x0800), 100);

const header = Buffer.alloc(24);
header.writeUInt32LE(0xa1b2c3d4, 0);
header.writeUInt16LE(2, 4);
header.writeUInt16LE(4, 6);
header.writeUInt32LE(65535, 16);
header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
const parts = [header];
for (const f of frames) {
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(f.sec, 0);
  rec.writeUInt32LE(f.usec, 4);
  rec.writeUInt32LE(f.bytes.length, 8);
  rec.writeUInt32LE(f.bytes.length, 12);
  parts.push(rec, Buffer.from(f.bytes));
}
writeFileSync(out, Buffer.concat(parts));
console.error(`wrote ${frames.length} packets to ${out}`);
