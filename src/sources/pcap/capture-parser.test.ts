/**
 * Hand-built captures for the pcap and pcapng parser: byte orders, resolutions, block types,
 * multi-section files, chunk boundaries and every kind of bad input.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureParser, openCapture, parseCaptureBuffer } from './index.js';
import type { CaptureProblem, RawPacket } from './types.js';
import { isSluiceError } from '../../errors.js';

// -------------------------------------------------------------------------------------------------
// Builders (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng)

function u16(le: boolean, v: number): Buffer {
  const b = Buffer.alloc(2);
  if (le) b.writeUInt16LE(v);
  else b.writeUInt16BE(v);
  return b;
}
function u32(le: boolean, v: number): Buffer {
  const b = Buffer.alloc(4);
  if (le) b.writeUInt32LE(v >>> 0);
  else b.writeUInt32BE(v >>> 0);
  return b;
}
function i64(le: boolean, v: bigint): Buffer {
  const b = Buffer.alloc(8);
  if (le) b.writeBigInt64LE(v);
  else b.writeBigInt64BE(v);
  return b;
}
function pad4(b: Buffer): Buffer {
  return b.length % 4 === 0 ? b : Buffer.concat([b, Buffer.alloc(4 - (b.length % 4))]);
}
function payload(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed * 31) & 0xff;
  return b;
}

interface PcapRec {
  sec: number;
  frac: number;
  data: Buffer;
  orig?: number;
  caplen?: number;
}
function pcapFile(o: { le: boolean; nano?: boolean; snaplen?: number; linkType?: number; records: PcapRec[] }): Buffer {
  const { le } = o;
  const magic = o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  const hdr = Buffer.concat([u32(le, magic), u16(le, 2), u16(le, 4), u32(le, 0), u32(le, 0), u32(le, o.snaplen ?? 65535), u32(le, o.linkType ?? 1)]);
  const recs = o.records.map((r) =>
    Buffer.concat([u32(le, r.sec), u32(le, r.frac), u32(le, r.caplen ?? r.data.length), u32(le, r.orig ?? r.data.length), r.data]),
  );
  return Buffer.concat([hdr, ...recs]);
}

function option(le: boolean, code: number, value: Buffer): Buffer {
  return Buffer.concat([u16(le, code), u16(le, value.length), pad4(value)]);
}
const endOpt = (le: boolean) => Buffer.concat([u16(le, 0), u16(le, 0)]);
function block(le: boolean, type: number, body: Buffer): Buffer {
  const b = pad4(body);
  const len = 12 + b.length;
  return Buffer.concat([u32(le, type), u32(le, len), b, u32(le, len)]);
}
function shb(le: boolean, opts: Buffer[] = []): Buffer {
  const body = Buffer.concat([u32(le, 0x1a2b3c4d), u16(le, 1), u16(le, 0), i64(le, -1n), ...opts]);
  return block(le, 0x0a0d0d0a, body);
}
function idb(le: boolean, linkType: number, snaplen: number, opts: Buffer[] = []): Buffer {
  return block(le, 1, Buffer.concat([u16(le, linkType), u16(le, 0), u32(le, snaplen), ...opts, ...(opts.length ? [endOpt(le)] : [])]));
}
function epb(le: boolean, ifId: number, ts: bigint, data: Buffer, orig = data.length, opts: Buffer[] = []): Buffer {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(le, 6, Buffer.concat([u32(le, ifId), u32(le, hi), u32(le, lo), u32(le, data.length), u32(le, orig), pad4(data), ...opts]));
}
function opb(le: boolean, ifId: number, drops: number, ts: bigint, data: Buffer, orig = data.length): Buffer {
  const hi = Number(ts >> 32n);
  const lo = Number(ts & 0xffffffffn);
  return block(le, 2, Buffer.concat([u16(le, ifId), u16(le, drops), u32(le, hi), u32(le, lo), u32(le, data.length), u32(le, orig), pad4(data)]));
}
function spb(le: boolean, orig: number, data: Buffer): Buffer {
  return block(le, 3, Buffer.concat([u32(le, orig), pad4(data)]));
}
const tsresol = (le: boolean, v: number) => option(le, 9, Buffer.from([v]));
const tsoffset = (le: boolean, v: bigint) => option(le, 14, i64(le, v));

/** Reference split of a 64-bit timestamp, by BigInt (independent from the parser's float path). */
function refTs(ts: bigint, unitsPerSec: bigint, offset = 0n): string {
  const sec = ts / unitsPerSec + offset;
  const ns = ((ts % unitsPerSec) * 1000000000n) / unitsPerSec;
  return `${sec}.${String(ns).padStart(9, '0')}`;
}
const tsOf = (p: RawPacket) => `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`;
const codes = (ps: CaptureProblem[]) => ps.map((p) => p.code);

// -------------------------------------------------------------------------------------------------
// pcap

test('pcap: both byte orders and both resolutions', () => {
  for (const le of [true, false]) {
    for (const nano of [false, true]) {
      const d1 = payload(60, 1);
      const d2 = payload(3, 2);
      const buf = pcapFile({
        le,
        nano,
        snaplen: 262144,
        linkType: 0x0c000001, // FCS bits set above the 16-bit link type (draft-ietf-opsawg-pcap §4)
        records: [
          { sec: 1700000000, frac: nano ? 123456789 : 123456, data: d1, orig: 1514 },
          { sec: 0xfffffffe, frac: nano ? 999999999 : 999999, data: d2 },
        ],
      });
      const r = parseCaptureBuffer(buf, 'x.pcap');
      const tag = `le=${le} nano=${nano}`;
      assert.equal(r.format, 'pcap', tag);
      assert.deepEqual(r.problems, [], tag);
      assert.equal(r.interfaces.length, 1);
      assert.deepEqual(r.interfaces[0], { id: 0, section: 0, localId: 0, linkType: 1, snaplen: 262144, tsDigits: nano ? 9 : 6, nanosecond: nano });
      assert.equal(r.packets.length, 2, tag);
      const [a, b] = r.packets;
      assert.deepEqual(Object.keys(a), ['frame', 'offset', 'interfaceId', 'linkType', 'tsSec', 'tsNsec', 'tsDigits', 'origLen', 'data']);
      assert.equal(a.frame, 1);
      assert.equal(a.offset, 24);
      assert.equal(a.linkType, 1);
      assert.equal(tsOf(a), nano ? '1700000000.123456789' : '1700000000.123456000', tag);
      assert.equal(a.origLen, 1514);
      assert.ok(a.data.equals(d1));
      assert.equal(a.data.buffer, buf.buffer, 'zero-copy view into the input');
      assert.equal(b.frame, 2);
      assert.equal(b.offset, 24 + 16 + 60);
      assert.equal(tsOf(b), nano ? '4294967294.999999999' : '4294967294.999999000', tag);
      assert.ok(b.data.equals(d2));
    }
  }
});

// -------------------------------------------------------------------------------------------------
// pcapng

test('pcapng: big-endian section, EPB with options, default µs resolution', () => {
  const le = false;
  const d = payload(61);
  const ts = 1700000000123456n;
  const buf = Buffer.concat([
    shb(le, [option(le, 4, Buffer.from('test writer')), endOpt(le)]),
    idb(le, 1, 0, [option(le, 2, Buffer.from('eth0')), option(le, 3, Buffer.from('uplink\0'))]),
    epb(le, 0, ts, d, 1500, [option(le, 1, Buffer.from('a comment')), endOpt(le)]),
  ]);
  const r = parseCaptureBuffer(buf);
  assert.equal(r.format, 'pcapng');
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.interfaces, [{ id: 0, section: 0, localId: 0, linkType: 1, snaplen: 0, name: 'eth0', description: 'uplink', tsDigits: 6, nanosecond: false }]);
  assert.equal(r.packets.length, 1);
  const p = r.packets[0];
  assert.equal(tsOf(p), '1700000000.123456000');
  assert.equal(p.origLen, 1500);
  assert.ok(p.data.equals(d));
  assert.equal(p.offset, shb(le, [option(le, 4, Buffer.from('test writer')), endOpt(le)]).length + idb(le, 1, 0, [option(le, 2, Buffer.from('eth0')), option(le, 3, Buffer.from('uplink\0'))]).length);
  assert.equal(p.tsDigits, 6);
});

test('pcapng: SPB uses interface 0, no timestamp, caplen = min(origLen, snaplen, block)', () => {
  for (const le of [true, false]) {
    const buf = Buffer.concat([
      shb(le),
      idb(le, 1, 64),
      spb(le, 40, payload(40)), // origLen < snaplen: 40
      spb(le, 1500, payload(64)), // snaplen limits: 64
      spb(le, 1500, payload(20)), // block limits: 20
    ]);
    const r = parseCaptureBuffer(buf);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(
      r.packets.map((p) => [p.interfaceId, p.tsSec, p.tsNsec, p.origLen, p.data.length]),
      [
        [0, 0, 0, 40, 40],
        [0, 0, 0, 1500, 64],
        [0, 0, 0, 1500, 20],
      ],
    );
    assert.ok(r.packets[1].data.equals(payload(64)));
  }
});

test('pcapng: OPB (obsolete Packet Block) with 16-bit interface id and drops count', () => {
  for (const le of [true, false]) {
    const d = payload(33);
    const buf = Buffer.concat([shb(le), idb(le, 1, 0), idb(le, 105, 0), opb(le, 1, 7, 1600000000000001n, d, 99)]);
    const r = parseCaptureBuffer(buf);
    assert.deepEqual(r.problems, []);
    assert.equal(r.packets.length, 1);
    const p = r.packets[0];
    assert.equal(p.interfaceId, 1);
    assert.equal(p.linkType, 105);
    assert.equal(tsOf(p), '1600000000.000001000');
    assert.equal(p.origLen, 99);
    assert.ok(p.data.equals(d));
  }
});

test('pcapng: if_tsresol 10^-3, 10^-9 above 2^53, 10^-12, 2^-10, 2^-30, 2^-40', () => {
  const le = true;
  const cases: { resol: number; units: bigint; digits: number; nano: boolean; ts: bigint[] }[] = [
    { resol: 3, units: 1000n, digits: 3, nano: false, ts: [1700000000123n, 0n, 999n] },
    { resol: 9, units: 1000000000n, digits: 9, nano: true, ts: [1767663089500330493n, 18446744073709551615n, 4294967295n, 4294967296n] },
    { resol: 12, units: 1000000000000n, digits: 9, nano: true, ts: [1700000000123456789012n & 0xffffffffffffffffn, 999999999999n] },
    { resol: 0x8a, units: 1024n, digits: 9, nano: true, ts: [5n * 1024n + 512n, 1n, 1700000000n * 1024n + 1023n, (1n << 62n) + 1023n] },
    { resol: 0x9e, units: 1n << 30n, digits: 9, nano: true, ts: [(1700000000n << 30n) + 1n, (1700000000n << 30n) + (1n << 29n) + 12345n, (1n << 30n) - 1n, 18446744073709551615n] },
    { resol: 0xa8, units: 1n << 40n, digits: 9, nano: true, ts: [(1700000n << 40n) + 1234567n, 18446744073709551615n] },
  ];
  for (const c of cases) {
    const buf = Buffer.concat([shb(le), idb(le, 1, 0, [tsresol(le, c.resol)]), ...c.ts.map((t) => epb(le, 0, t, payload(4)))]);
    const r = parseCaptureBuffer(buf);
    assert.deepEqual(r.problems, [], `resol ${c.resol}`);
    assert.equal(r.interfaces[0].tsDigits, c.digits);
    assert.equal(r.interfaces[0].nanosecond, c.nano);
    assert.deepEqual(
      r.packets.map(tsOf),
      c.ts.map((t) => refTs(t, c.units)),
      `resol 0x${c.resol.toString(16)}`,
    );
    for (const p of r.packets) {
      assert.ok(Number.isInteger(p.tsNsec) && p.tsNsec >= 0 && p.tsNsec < 1e9);
      assert.equal(p.tsDigits, c.digits);
    }
  }
  // Spot values, written out by hand.
  const two10 = parseCaptureBuffer(Buffer.concat([shb(le), idb(le, 1, 0, [tsresol(le, 0x8a)]), epb(le, 0, 5n * 1024n + 512n, payload(1)), epb(le, 0, 1n, payload(1))]));
  assert.deepEqual(two10.packets.map(tsOf), ['5.500000000', '0.000976562']);
  const ms = parseCaptureBuffer(Buffer.concat([shb(le), idb(le, 1, 0, [tsresol(le, 3)]), epb(le, 0, 1234567n, payload(1))]));
  assert.deepEqual(ms.packets.map(tsOf), ['1234.567000000']);
});

test('pcapng: if_tsoffset adds seconds to every timestamp', () => {
  for (const le of [true, false]) {
    const buf = Buffer.concat([shb(le), idb(le, 1, 0, [tsresol(le, 9), tsoffset(le, 1000000000n)]), epb(le, 0, 700000000123456789n, payload(4))]);
    const r = parseCaptureBuffer(buf);
    assert.deepEqual(r.packets.map(tsOf), ['1700000000.123456789']);
    const neg = parseCaptureBuffer(Buffer.concat([shb(le), idb(le, 1, 0, [tsoffset(le, -100n)]), epb(le, 0, 1000000500000n, payload(4))]));
    assert.deepEqual(neg.packets.map(tsOf), ['999900.500000000']);
  }
});

test('pcapng: several sections, byte order changes, interface ids restart per section', () => {
  const buf = Buffer.concat([
    shb(true),
    idb(true, 1, 0, [option(true, 2, Buffer.from('a'))]),
    idb(true, 101, 0, [option(true, 2, Buffer.from('b'))]),
    epb(true, 1, 1000000n, payload(10)),
    shb(false),
    idb(false, 113, 0, [option(false, 2, Buffer.from('c')), tsresol(false, 9)]),
    epb(false, 0, 2000000000n, payload(11)),
    shb(true),
    idb(true, 1, 0),
    idb(true, 1, 0),
    epb(true, 1, 3000000n, payload(12)),
    epb(true, 0, 4000000n, payload(13)),
  ]);
  const r = parseCaptureBuffer(buf);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.interfaces.map((i) => [i.id, i.section, i.localId, i.linkType, i.name ?? '']),
    [
      [0, 0, 0, 1, 'a'],
      [1, 0, 1, 101, 'b'],
      [2, 1, 0, 113, 'c'],
      [3, 2, 0, 1, ''],
      [4, 2, 1, 1, ''],
    ],
  );
  assert.deepEqual(
    r.packets.map((p) => [p.frame, p.interfaceId, p.linkType, tsOf(p), p.data.length]),
    [
      [1, 1, 101, '1.000000000', 10],
      [2, 2, 113, '2.000000000', 11],
      [3, 4, 1, '3.000000000', 12],
      [4, 3, 1, '4.000000000', 13],
    ],
  );
});

test('pcapng: NRB, ISB, DSB, custom and unknown blocks are skipped', () => {
  const le = true;
  const buf = Buffer.concat([
    shb(le),
    block(le, 4, Buffer.concat([u16(le, 1), u16(le, 8), Buffer.from([10, 0, 0, 1]), Buffer.from('h.x\0'), endOpt(le)])), // NRB
    idb(le, 1, 0),
    epb(le, 0, 1n, payload(5)),
    block(le, 5, Buffer.concat([u32(le, 0), u32(le, 0), u32(le, 0)])), // ISB
    block(le, 10, Buffer.concat([u32(le, 0x544c534b), u32(le, 3), Buffer.from('abc')])), // DSB
    block(le, 0x00000bad, Buffer.concat([u32(le, 32473), Buffer.from('custom')])), // custom, copyable
    block(le, 0x40000bad, Buffer.concat([u32(le, 32473), Buffer.from('custom2')])), // custom, not copyable
    block(le, 0x12345678, payload(17)), // unknown
    block(le, 7, Buffer.alloc(0)), // IRIG timestamp (obsolete), empty
    epb(le, 0, 2n, payload(6)),
  ]);
  const r = parseCaptureBuffer(buf);
  assert.deepEqual(r.problems, []);
  assert.deepEqual(
    r.packets.map((p) => [p.frame, p.data.length]),
    [
      [1, 5],
      [2, 6],
    ],
  );
});

// -------------------------------------------------------------------------------------------------
// Chunk boundaries

function normalize(packets: RawPacket[], problems: CaptureProblem[]): string {
  return JSON.stringify({ packets: packets.map((p) => ({ ...p, data: p.data.toString('hex') })), problems });
}
function parseSplit(buf: Buffer, cuts: number[]): string {
  const parser = new CaptureParser();
  const out: RawPacket[] = [];
  let prev = 0;
  for (const c of [...cuts, buf.length]) {
    parser.push(buf.subarray(prev, c), (p) => out.push(p));
    prev = c;
  }
  parser.end();
  assert.equal(parser.bytesConsumed, parser.stopped && parser.problems.some((p) => p.fatal) ? parser.bytesConsumed : buf.length);
  return normalize(out, parser.problems);
}
/** Small deterministic PRNG (mulberry32) so random splits are reproducible. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sampleFiles: [string, Buffer][] = [
  ['pcap', pcapFile({ le: true, records: [0, 1, 2, 3].map((i) => ({ sec: 100 + i, frac: i, data: payload(10 + i * 13, i) })) })],
  ['pcap-be-ns-truncated', pcapFile({ le: false, nano: true, records: [0, 1, 2].map((i) => ({ sec: i, frac: i, data: payload(20 + i, i) })) }).subarray(0, 24 + 36 + 37 + 10)],
  [
    'pcapng',
    Buffer.concat([
      shb(true),
      idb(true, 1, 0, [tsresol(true, 9)]),
      block(true, 4, payload(9)),
      epb(true, 0, 1767663089500330493n, payload(21)),
      spb(true, 30, payload(30)),
      shb(false),
      idb(false, 1, 0),
      opb(false, 0, 0, 5n, payload(7)),
      epb(false, 3, 5n, payload(7)), // unknown interface
      epb(false, 0, 6n, payload(9)),
    ]),
  ],
  [
    'pcapng-bad-section',
    Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, payload(8)), Buffer.from([6, 0, 0, 0, 13, 0, 0, 0]), payload(40), shb(false), idb(false, 1, 0), epb(false, 0, 2n, payload(8))]),
  ],
];

test('chunk boundaries: one byte at a time, every 2-way split and random splits give identical results', () => {
  for (const [name, buf] of sampleFiles) {
    const whole = parseSplit(buf, []);
    const r = parseCaptureBuffer(buf);
    assert.equal(whole, normalize(r.packets, r.problems), name);
    const bytes = Array.from({ length: buf.length - 1 }, (_, i) => i + 1);
    assert.equal(parseSplit(buf, bytes), whole, `${name}: byte by byte`);
    for (let c = 0; c <= buf.length; c++) assert.equal(parseSplit(buf, [c]), whole, `${name}: split at ${c}`);
    const rand = rng(42);
    for (let k = 0; k < 200; k++) {
      const cuts = new Set<number>();
      const n = 1 + Math.floor(rand() * 8);
      for (let j = 0; j < n; j++) cuts.add(Math.floor(rand() * (buf.length + 1)));
      assert.equal(
        parseSplit(
          buf,
          [...cuts].sort((a, b) => a - b),
        ),
        whole,
        `${name}: cuts ${[...cuts].join(',')}`,
      );
    }
  }
});

// -------------------------------------------------------------------------------------------------
// Bad input

function expectProblems(buf: Buffer, expected: Partial<CaptureProblem>[], packets: number): CaptureProblem[] {
  const r = parseCaptureBuffer(buf, 'bad.cap');
  assert.equal(r.packets.length, packets, JSON.stringify(r.problems));
  assert.equal(r.problems.length, expected.length, JSON.stringify(r.problems));
  r.problems.forEach((p, i) => {
    for (const [k, v] of Object.entries(expected[i])) assert.equal((p as unknown as Record<string, unknown>)[k], v, `${k} of ${JSON.stringify(p)}`);
    assert.equal(p.file, 'bad.cap');
    assert.ok(p.message.length > 20);
  });
  r.packets.forEach((p, i) => assert.equal(p.frame, i + 1));
  return r.problems;
}

test('bad input: empty file, too short for a magic, unknown magic', () => {
  expectProblems(Buffer.alloc(0), [{ code: 'CAPTURE_EMPTY', fatal: true, offset: 0, frame: 1 }], 0);
  expectProblems(Buffer.from([0xd4, 0xc3]), [{ code: 'CAPTURE_TRUNCATED_HEADER', fatal: true, offset: 0 }], 0);
  const [p] = expectProblems(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), [{ code: 'CAPTURE_UNKNOWN_FORMAT', fatal: true, offset: 0, frame: 1 }], 0);
  assert.match(p.message, /47455420/);
  const parser = new CaptureParser();
  parser.push(Buffer.from('xxxxxxxxxxxxxxxxxxxxxxxxxxxx'), () => assert.fail('no packet'));
  assert.equal(parser.stopped, true);
  parser.push(pcapFile({ le: true, records: [{ sec: 1, frac: 1, data: payload(4) }] }), () => assert.fail('input after a fatal problem is ignored'));
  parser.end();
  assert.deepEqual(codes(parser.problems), ['CAPTURE_UNKNOWN_FORMAT']);
});

test('bad input: truncated pcap header and truncated SHB', () => {
  const pcap = pcapFile({ le: true, records: [] });
  expectProblems(pcap.subarray(0, 10), [{ code: 'CAPTURE_TRUNCATED_HEADER', fatal: true, offset: 0, frame: 1 }], 0);
  const ng = Buffer.concat([shb(true), idb(true, 1, 0)]);
  expectProblems(ng.subarray(0, 8), [{ code: 'CAPTURE_TRUNCATED_HEADER', fatal: true, offset: 0 }], 0);
  expectProblems(ng.subarray(0, 20), [{ code: 'CAPTURE_TRUNCATED_HEADER', fatal: true, offset: 0 }], 0);
  // A header-only capture is valid but empty: a non-fatal note.
  expectProblems(pcap, [{ code: 'CAPTURE_EMPTY', fatal: false }], 0);
});

test('bad input: record cut short at the end keeps earlier packets', () => {
  const recs = [0, 1, 2, 3, 4, 5, 6].map((i) => ({ sec: i, frac: 0, data: payload(50) }));
  const full = pcapFile({ le: true, records: recs });
  const seventh = 24 + 6 * 66;
  for (const cut of [seventh + 3, seventh + 16, seventh + 40]) {
    const [p] = expectProblems(full.subarray(0, cut), [{ code: 'CAPTURE_TRUNCATED_RECORD', fatal: true, offset: seventh, frame: 7 }], 6);
    assert.match(p.message, /packet 7 at byte 420/);
    assert.match(p.message, /6 packets before it were kept/);
  }
  const ng = Buffer.concat([shb(true), idb(true, 1, 0), epb(true, 0, 1n, payload(50)), epb(true, 0, 2n, payload(50))]);
  const second = ng.length - epb(true, 0, 2n, payload(50)).length;
  expectProblems(ng.subarray(0, ng.length - 1), [{ code: 'CAPTURE_TRUNCATED_RECORD', fatal: true, offset: second, frame: 2 }], 1);
  expectProblems(ng.subarray(0, second + 5), [{ code: 'CAPTURE_TRUNCATED_RECORD', fatal: true, offset: second, frame: 2 }], 1);
});

test('bad input: caplen larger than snaplen is kept and reported once', () => {
  const buf = pcapFile({ le: true, snaplen: 64, records: [0, 1, 2].map((i) => ({ sec: i, frac: 0, data: payload(i === 0 ? 10 : 100) })) });
  expectProblems(buf, [{ code: 'CAPTURE_CAPLEN_TOO_LARGE', fatal: false, offset: 24 + 26, frame: 2 }], 3);
  const ng = Buffer.concat([shb(true), idb(true, 1, 64), epb(true, 0, 1n, payload(100)), epb(true, 0, 2n, payload(100))]);
  expectProblems(ng, [{ code: 'CAPTURE_CAPLEN_TOO_LARGE', fatal: false, frame: 1 }], 2);
});

test('bad input: absurd pcap caplen stops reading (no resync possible in pcap)', () => {
  const good = pcapFile({ le: false, records: [{ sec: 1, frac: 1, data: payload(20) }] });
  const bad = Buffer.concat([good, u32(false, 2), u32(false, 0), u32(false, 0x7fffffff), u32(false, 60), payload(100)]);
  expectProblems(bad, [{ code: 'CAPTURE_CAPLEN_TOO_LARGE', fatal: true, offset: good.length, frame: 2 }], 1);
  // The cap is configurable.
  const parser = new CaptureParser({ maxPacketBytes: 10 });
  let n = 0;
  parser.push(good, () => n++);
  parser.end();
  assert.equal(n, 0);
  assert.deepEqual(
    parser.problems.map((p) => [p.code, p.fatal]),
    [['CAPTURE_CAPLEN_TOO_LARGE', true]],
  );
});

test('bad input: pcapng caplen beyond its block is skipped with CAPTURE_BAD_BLOCK_LENGTH', () => {
  const le = true;
  const head = Buffer.concat([shb(le), idb(le, 1, 0)]);
  const broken = epb(le, 0, 1n, payload(16));
  broken.writeUInt32LE(200, 20); // captured length field
  const tooShort = block(le, 6, payload(8)); // 20 bytes: less than the 32-byte EPB minimum
  const buf = Buffer.concat([head, broken, epb(le, 0, 2n, payload(8)), broken, tooShort, epb(le, 0, 3n, payload(8))]);
  // Reported once per file, every damaged packet block skipped, the good ones kept.
  const [p] = expectProblems(buf, [{ code: 'CAPTURE_BAD_BLOCK_LENGTH', fatal: false, offset: head.length, frame: 1 }], 2);
  assert.match(p.message, /200 captured bytes/);
  expectProblems(Buffer.concat([head, tooShort]), [{ code: 'CAPTURE_BAD_BLOCK_LENGTH', fatal: false, offset: head.length, frame: 1 }], 0);
  // A captured length above maxPacketBytes is refused the same way.
  const parser = new CaptureParser({ maxPacketBytes: 8 });
  let n = 0;
  parser.push(Buffer.concat([head, epb(le, 0, 1n, payload(16)), epb(le, 0, 1n, payload(8))]), () => n++);
  parser.end();
  assert.equal(n, 1);
  assert.deepEqual(codes(parser.problems), ['CAPTURE_BAD_BLOCK_LENGTH']);
});

test('bad input: pcapng block length < 12, unaligned or trailer mismatch → resync at next SHB', () => {
  const le = true;
  const sec0 = Buffer.concat([shb(le), idb(le, 1, 0), epb(le, 0, 1n, payload(8))]);
  const sec1 = Buffer.concat([shb(false), idb(false, 1, 0), epb(false, 0, 2n, payload(9)), epb(false, 0, 3n, payload(9))]);
  const short = Buffer.concat([u32(le, 6), u32(le, 8), payload(12)]);
  const unaligned = Buffer.concat([u32(le, 6), u32(le, 30), payload(40)]);
  const mismatch = epb(le, 0, 5n, payload(8));
  mismatch.writeUInt32LE(999, mismatch.length - 4);
  // garbage containing a fake SHB magic without a valid byte-order magic must not stop the scan
  const decoy = Buffer.concat([Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]), payload(8)]);
  for (const [name, bad] of [
    ['short', short],
    ['unaligned', unaligned],
    ['mismatch', mismatch],
  ] as const) {
    const buf = Buffer.concat([sec0, bad, decoy, sec1]);
    const [p] = expectProblems(buf, [{ code: 'CAPTURE_BAD_SECTION', fatal: true, offset: sec0.length, frame: 2 }], 3);
    assert.match(p.message, new RegExp(`resumed there`), name);
    assert.match(p.message, new RegExp(`byte ${sec0.length + bad.length + decoy.length}`), name);
    const r = parseCaptureBuffer(buf);
    assert.deepEqual(
      r.packets.map((x) => [x.frame, x.interfaceId, x.data.length]),
      [
        [1, 0, 8],
        [2, 1, 9],
        [3, 1, 9],
      ],
    );
    // No later section: stop, keep what was read.
    const [q] = expectProblems(Buffer.concat([sec0, bad, decoy]), [{ code: 'CAPTURE_BAD_SECTION', fatal: true, offset: sec0.length, frame: 2 }], 1);
    assert.match(q.message, /no later section header/);
  }
  // A broken first SHB (bad byte-order magic) also resyncs.
  const badShb = shb(true);
  badShb.writeUInt32LE(0x11111111, 8);
  expectProblems(Buffer.concat([badShb, sec1]), [{ code: 'CAPTURE_BAD_SECTION', fatal: true, offset: 0, frame: 1 }], 2);
});

test('bad input: packet on an interface without IDB is skipped, reading goes on', () => {
  const le = false;
  const head = Buffer.concat([shb(le), idb(le, 1, 0)]);
  const orphan = epb(le, 5, 1n, payload(8));
  const buf = Buffer.concat([head, epb(le, 0, 1n, payload(4)), orphan, orphan, epb(le, 0, 2n, payload(4))]);
  const [p] = expectProblems(buf, [{ code: 'CAPTURE_UNKNOWN_INTERFACE', fatal: false, offset: head.length + epb(le, 0, 1n, payload(4)).length, frame: 2 }], 2);
  assert.match(p.message, /interface 5/);
  // SPB before any IDB.
  expectProblems(Buffer.concat([shb(true), spb(true, 4, payload(4))]), [{ code: 'CAPTURE_UNKNOWN_INTERFACE', fatal: false, frame: 1 }], 0);
});

test('openCapture: missing file throws SLUICE_INPUT_NOT_FOUND', async () => {
  const reader = openCapture('/nonexistent/dir/x.pcap');
  await assert.rejects(
    async () => {
      for await (const b of reader) void b;
    },
    (err: unknown) => isSluiceError(err, 'SLUICE_INPUT_NOT_FOUND'),
  );
  await assert.rejects(
    async () => {
      for await (const b of openCapture('/tmp')) void b;
    },
    (err: unknown) => isSluiceError(err, 'SLUICE_INPUT_NOT_FOUND'),
  );
});
