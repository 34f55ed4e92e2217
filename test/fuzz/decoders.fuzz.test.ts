/**
 * Property-based fuzzing of the packet decoders, the Community ID enricher and the ECS document
 * writer, seeded with real packets: every corpus capture plus a sample of the mixed-20k bench file.
 *
 * Mutations: truncation to a random length, 1–8 bit flips, 1–4 byte windows overwritten with
 * boundary values (0x00 0xff 0x7f 0x80), hostile values in the length / offset fields found by
 * decoding the unmutated packet (IPv4 IHL / total length, IPv6 payload length / next header, TCP
 * data offset, UDP length, DNS counts and compression pointers, TLS record / handshake / extension
 * lengths), and random or foreign bytes under every supported link type.
 * Properties (see fuzz-support.ts checkPacket): nothing throws, no exception is swallowed by
 * decodePacket's safety net, the document is valid JSON with `@timestamp` and `pcap.frame`, its
 * numbers are finite, ports are 0..65535, and decoding is deterministic.
 *
 * Fixed seed (SLUICE_FUZZ_SEED overrides, 'random' for a fresh one); SLUICE_FUZZ_RUNS sets numRuns.
 */

import { test } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { decodePacket } from '../../src/decoders/decode-packet.js';
import { parseCaptureBuffer } from '../../src/sources/pcap/capture-reader.js';
import type { RawPacket } from '../../src/sources/pcap/types.js';
import { BENCH_MIXED, checkPacket, corpusFiles, fcParams, rawPacket } from './fuzz-support.js';

const RUNS = 300;
const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276] as const;
const BOUNDARY = [0x00, 0xff, 0x7f, 0x80] as const;
const MIXED_SAMPLE = 2000;

// ---------------------------------------------------------------------------------------------
// Seed packets, grouped by source so that each corpus file weighs as much as the big sample.

interface Group {
  name: string;
  packets: RawPacket[];
}

function loadGroups(): Group[] {
  const groups: Group[] = [];
  for (const f of corpusFiles()) {
    const { packets } = parseCaptureBuffer(f.buf, f.name);
    if (packets.length > 0) groups.push({ name: f.name, packets });
  }
  if (existsSync(BENCH_MIXED)) {
    const { packets } = parseCaptureBuffer(readFileSync(BENCH_MIXED), 'mixed-20k.pcap');
    const step = Math.max(1, Math.floor(packets.length / MIXED_SAMPLE));
    const sample: RawPacket[] = [];
    for (let i = 0; i < packets.length && sample.length < MIXED_SAMPLE; i += step) sample.push(packets[i]);
    if (sample.length > 0) groups.push({ name: 'mixed-20k.pcap', packets: sample });
  }
  return groups;
}

const groups = loadGroups();
const skip = groups.length === 0 ? 'corpus missing' : false;

/** A seed packet chosen as (group, index within the group). */
const packetArb = fc
  .tuple(fc.nat({ max: Math.max(0, groups.length - 1) }), fc.nat())
  .map(([g, i]) => groups[g].packets[i % groups[g].packets.length]);

/** A copy of the packet with new data (origLen kept at least as large as the data). */
function withData(p: RawPacket, data: Buffer): RawPacket {
  return rawPacket(p.linkType, data, p.frame, p);
}

// ---------------------------------------------------------------------------------------------
// Length / offset fields of a packet, found by decoding it unmutated.

type FieldKind = 'lo4' | 'hi4' | 8 | 16 | 24 | 'ptr' | 'proto';

interface Field {
  at: number;
  kind: FieldKind;
  what: string;
}

function u16(b: Buffer, at: number): number {
  return at + 2 <= b.length ? b.readUInt16BE(at) : -1;
}

/** Length fields of a DNS message occupying [start, end). */
function dnsFields(b: Buffer, start: number, end: number, out: Field[]): void {
  if (start + 12 > end) return;
  out.push(
    { at: start + 4, kind: 16, what: 'dns.qdcount' },
    { at: start + 6, kind: 16, what: 'dns.ancount' },
    { at: start + 8, kind: 16, what: 'dns.nscount' },
    { at: start + 10, kind: 16, what: 'dns.arcount' },
  );
  // Compression pointers (and the first label lengths, which a pointer may replace).
  let labels = 0;
  for (let i = start + 12; i + 1 < end; i++) {
    if ((b[i] & 0xc0) === 0xc0) out.push({ at: i, kind: 'ptr', what: 'dns.pointer' });
    else if (i === start + 12 || (labels < 8 && b[i] > 0 && b[i] < 64 && i > start + 12 && b[i - 1] === 0)) {
      out.push({ at: i, kind: 8, what: 'dns.label-length' });
      labels++;
    }
  }
  // The first question's name can be turned into a pointer too (self / forward loops).
  out.push({ at: start + 12, kind: 'ptr', what: 'dns.pointer(qname)' });
}

/** Length fields of a TLS ClientHello record at [off, end), walking the unmutated bytes. */
function tlsFields(b: Buffer, off: number, end: number, out: Field[]): void {
  if (off + 9 > end || b[off] !== 0x16 || b[off + 1] !== 0x03) return;
  out.push({ at: off + 3, kind: 16, what: 'tls.record-length' });
  if (b[off + 5] !== 0x01) return;
  out.push({ at: off + 6, kind: 24, what: 'tls.handshake-length' });
  let p = off + 9 + 2 + 32;
  if (p >= end) return;
  out.push({ at: p, kind: 8, what: 'tls.session-id-length' });
  p += 1 + b[p];
  if (p + 2 > end) return;
  out.push({ at: p, kind: 16, what: 'tls.cipher-suites-length' });
  p += 2 + b.readUInt16BE(p);
  if (p >= end) return;
  out.push({ at: p, kind: 8, what: 'tls.compression-length' });
  p += 1 + b[p];
  if (p + 2 > end) return;
  out.push({ at: p, kind: 16, what: 'tls.extensions-length' });
  const extEnd = Math.min(end, p + 2 + b.readUInt16BE(p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    out.push({ at: p + 2, kind: 16, what: `tls.ext${type}-length` });
    const body = p + 4;
    if (type === 0 && body + 5 <= extEnd) {
      out.push({ at: body, kind: 16, what: 'tls.sni-list-length' }, { at: body + 3, kind: 16, what: 'tls.sni-name-length' });
    } else if (type === 16 && body + 3 <= extEnd) {
      out.push({ at: body, kind: 16, what: 'tls.alpn-list-length' }, { at: body + 2, kind: 8, what: 'tls.alpn-name-length' });
    } else if (type === 43 && body + 1 <= extEnd) {
      out.push({ at: body, kind: 8, what: 'tls.supported-versions-length' });
    } else if (type === 10 && body + 2 <= extEnd) {
      out.push({ at: body, kind: 16, what: 'tls.groups-length' });
    } else if (type === 11 && body + 1 <= extEnd) {
      out.push({ at: body, kind: 8, what: 'tls.point-formats-length' });
    }
    p = body + len;
  }
}

function findFields(p: RawPacket): Field[] {
  const b = p.data;
  const d = decodePacket(p.linkType, b, p.origLen);
  const out: Field[] = [];
  let ipStart = -1;
  if (d.addrLength === 4 && d.srcAddrOffset >= 12) {
    const ip = d.srcAddrOffset - 12;
    ipStart = ip;
    out.push(
      { at: ip, kind: 'lo4', what: 'ipv4.ihl' },
      { at: ip + 2, kind: 16, what: 'ipv4.total-length' },
      { at: ip + 6, kind: 16, what: 'ipv4.flags-fragment-offset' },
      { at: ip + 9, kind: 'proto', what: 'ipv4.protocol' },
    );
  } else if (d.addrLength === 16 && d.srcAddrOffset >= 8) {
    const ip = d.srcAddrOffset - 8;
    ipStart = ip;
    out.push({ at: ip + 4, kind: 16, what: 'ipv6.payload-length' }, { at: ip + 6, kind: 'proto', what: 'ipv6.next-header' });
  }
  if (d.srcPort !== undefined && d.dstPort !== undefined && ipStart >= 0) {
    // The transport header: the first position after the IP header whose ports match.
    let th = -1;
    for (let t = ipStart + (d.addrLength === 4 ? 20 : 40); t + 4 <= b.length && t <= ipStart + 200; t++) {
      if (u16(b, t) === d.srcPort && u16(b, t + 2) === d.dstPort) {
        th = t;
        break;
      }
    }
    if (th >= 0 && d.transport === 'udp') out.push({ at: th + 4, kind: 16, what: 'udp.length' });
    if (th >= 0 && d.transport === 'tcp' && th + 12 < b.length) out.push({ at: th + 12, kind: 'hi4', what: 'tcp.data-offset' });
  }
  if (d.payloadOffset >= 0 && d.srcPort !== undefined && d.dstPort !== undefined) {
    const end = d.payloadOffset + d.payloadLength;
    if (d.dns !== undefined || d.srcPort === 53 || d.dstPort === 53 || d.srcPort === 5353 || d.dstPort === 5353) {
      if (d.transport === 'tcp') {
        if (d.payloadOffset + 2 <= end) out.push({ at: d.payloadOffset, kind: 16, what: 'dns.tcp-length' });
        dnsFields(b, d.payloadOffset + 2, end, out);
      } else {
        dnsFields(b, d.payloadOffset, end, out);
      }
    }
    if (d.transport === 'tcp') tlsFields(b, d.payloadOffset, end, out);
  }
  return out.filter((f) => f.at >= 0 && f.at < b.length);
}

/** Seed packets that have at least one targetable field, with their fields. */
const targets: { p: RawPacket; fields: Field[] }[] = [];
for (const g of groups) for (const p of g.packets) {
  const fields = findFields(p);
  if (fields.length > 0) targets.push({ p, fields });
}
// Make sure the rarer application fields are well represented: list DNS/TLS packets again.
const appTargets = targets.filter((t) => t.fields.some((f) => f.what.startsWith('dns') || f.what.startsWith('tls')));

const INTERESTING_PROTOS = [0, 1, 4, 6, 17, 41, 43, 44, 47, 50, 51, 58, 59, 60, 132, 135, 139, 140, 253, 255];

function hostileValue(kind: FieldKind, orig: number, pick: number, rnd: number): number {
  const max = kind === 'lo4' || kind === 'hi4' ? 15 : kind === 8 || kind === 'proto' ? 0xff : kind === 16 || kind === 'ptr' ? 0xffff : 0xffffff;
  if (kind === 'proto' && pick % 3 === 0) return INTERESTING_PROTOS[rnd % INTERESTING_PROTOS.length];
  if (kind === 'ptr') {
    const ptrs = [orig & 0x3fff, (orig & 0x3fff) + 1, 0, 2, 12, 13, 0x3fff, rnd & 0x3fff];
    return 0xc000 | ptrs[pick % ptrs.length];
  }
  const choices = [0, 1, 2, 4, 5, max, max - 1, max >> 1, (max >> 1) + 1, orig - 1, orig + 1, orig * 2, orig >> 1, rnd];
  const v = choices[pick % choices.length];
  return ((v % (max + 1)) + (max + 1)) % (max + 1);
}

function writeField(b: Buffer, f: Field, v: number): void {
  switch (f.kind) {
    case 'lo4':
      b[f.at] = (b[f.at] & 0xf0) | (v & 0x0f);
      return;
    case 'hi4':
      b[f.at] = (b[f.at] & 0x0f) | ((v & 0x0f) << 4);
      return;
    case 8:
    case 'proto':
      b[f.at] = v & 0xff;
      return;
    case 16:
    case 'ptr':
      b[f.at] = (v >> 8) & 0xff;
      if (f.at + 1 < b.length) b[f.at + 1] = v & 0xff;
      return;
    case 24:
      b[f.at] = (v >> 16) & 0xff;
      if (f.at + 1 < b.length) b[f.at + 1] = (v >> 8) & 0xff;
      if (f.at + 2 < b.length) b[f.at + 2] = v & 0xff;
      return;
  }
}

function readField(b: Buffer, f: Field): number {
  switch (f.kind) {
    case 'lo4':
      return b[f.at] & 0x0f;
    case 'hi4':
      return b[f.at] >> 4;
    case 8:
    case 'proto':
      return b[f.at];
    case 16:
    case 'ptr':
      return f.at + 1 < b.length ? b.readUInt16BE(f.at) : b[f.at] << 8;
    case 24:
      return f.at + 2 < b.length ? b.readUIntBE(f.at, 3) : 0;
  }
}

// ---------------------------------------------------------------------------------------------

test('fuzz decoders: truncation to a random length', { skip }, () => {
  fc.assert(
    fc.property(packetArb, fc.double({ min: 0, max: 1, noNaN: true }), (p, frac) => {
      const cut = Math.floor(p.data.length * frac);
      checkPacket(withData(p, Buffer.from(p.data.subarray(0, cut))));
    }),
    fcParams(RUNS),
  );
});

test('fuzz decoders: random bit flips (1–8 bits)', { skip }, () => {
  fc.assert(
    fc.property(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }), (p, flips) => {
      const data = Buffer.from(p.data);
      if (data.length === 0) return;
      for (const [at, bit] of flips) data[at % data.length] ^= 1 << bit;
      checkPacket(withData(p, data));
    }),
    fcParams(RUNS),
  );
});

test('fuzz decoders: 1–4 byte windows overwritten with boundary values', { skip }, () => {
  fc.assert(
    fc.property(
      packetArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom(...BOUNDARY), { minLength: 4, maxLength: 4 })), { minLength: 1, maxLength: 3 }),
      (p, windows) => {
        const data = Buffer.from(p.data);
        if (data.length === 0) return;
        for (const [at, len, vals] of windows) {
          const start = at % data.length;
          for (let k = 0; k < len && start + k < data.length; k++) data[start + k] = vals[k];
        }
        checkPacket(withData(p, data));
      },
    ),
    fcParams(RUNS),
  );
});

const targetArb = fc.oneof(
  fc.nat({ max: Math.max(0, targets.length - 1) }).map((i) => targets[i]),
  fc.nat({ max: Math.max(0, appTargets.length - 1) }).map((i) => appTargets[i] ?? targets[0]),
);

test('fuzz decoders: hostile values in length / offset fields', { skip: skip || (targets.length === 0 ? 'no targetable packets' : false) }, (t) => {
  const kinds = new Map<string, number>();
  for (const x of targets) for (const f of x.fields) kinds.set(f.what.replace(/ext\d+/, 'ext*'), (kinds.get(f.what.replace(/ext\d+/, 'ext*')) ?? 0) + 1);
  t.diagnostic(`${targets.length} seed packets (${appTargets.length} DNS/TLS); fields: ${[...kinds].map(([k, n]) => `${k}×${n}`).join(' ')}`);
  fc.assert(
    fc.property(
      targetArb,
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      (x, muts, trunc) => {
        const data = Buffer.from(x.p.data);
        for (const [k, pick, rnd] of muts) {
          const f = x.fields[k % x.fields.length];
          writeField(data, f, hostileValue(f.kind, readField(data, f), pick, rnd));
        }
        checkPacket(withData(x.p, data));
        // Also with the packet cut right after the last mutated field (lengths then lie).
        if (trunc) {
          const last = Math.max(...muts.map(([k]) => x.fields[k % x.fields.length].at));
          checkPacket(withData(x.p, Buffer.from(data.subarray(0, Math.min(data.length, last + 3)))));
        }
      },
    ),
    fcParams(RUNS),
  );
});

test('fuzz decoders: every supported link type on random and foreign bytes', () => {
  const ltArb = fc.constantFrom(...LINK_TYPES);
  const caseArb = fc.oneof(
    fc.tuple(ltArb, fc.uint8Array({ maxLength: 128 }).map((a) => Buffer.from(a))),
    fc.tuple(ltArb, fc.uint8Array({ maxLength: 1600 }).map((a) => Buffer.from(a))),
    ...(groups.length > 0
      ? [
          // A real packet's bytes under a foreign link type, optionally with a random tail.
          fc.tuple(ltArb, packetArb, fc.nat(), fc.uint8Array({ maxLength: 64 })).map(
            ([lt, p, cut, tail]) => [lt, Buffer.concat([p.data.subarray(0, cut % (p.data.length + 1)), tail])] as const,
          ),
          // A real packet's headers (its own link type) followed by random bytes.
          fc.tuple(packetArb, fc.nat(), fc.uint8Array({ maxLength: 256 })).map(
            ([p, cut, tail]) => [p.linkType, Buffer.concat([p.data.subarray(0, cut % Math.min(p.data.length + 1, 80)), tail])] as const,
          ),
        ]
      : []),
  );
  fc.assert(
    fc.property(caseArb, ([lt, data]) => {
      checkPacket(rawPacket(lt, data));
    }),
    fcParams(RUNS * 2),
  );
});
