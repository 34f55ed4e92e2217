/**
 * Property-based fuzzing of the capture parser with fast-check, seeded from the shared corpus.
 *
 * Mutations: truncation at a random length, random bit flips, and 32-bit length fields (pcap
 * record caplen, pcapng block total length / captured length) overwritten with hostile values.
 * Properties: the parser never throws, terminates, never emits a packet whose data lies outside
 * the input, and numbers its frames 1..n consecutively; the result does not depend on chunking.
 *
 * Fixed seed for reproducible CI runs; set SLUICE_FUZZ_RUNS to run longer (e.g. `npm run fuzz`).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CaptureParser } from '../../src/sources/pcap/capture-parser.js';
import type { RawPacket } from '../../src/sources/pcap/types.js';
import { mutateLengthFields } from './fuzz-support.js';

const CORPUS = '/work/shared/corpus/pcap';
const SEED = 42;
const runsEnv = Number(process.env.SLUICE_FUZZ_RUNS);
const NUM_RUNS = Number.isInteger(runsEnv) && runsEnv > 0 ? runsEnv : 300;

const seeds: { name: string; buf: Buffer }[] = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .sort()
      .map((name) => ({ name, buf: readFileSync(join(CORPUS, name)) }))
      .filter((s) => s.buf.length <= 64 * 1024) // keep each run fast; big files add nothing new
  : [];

interface Outcome {
  packets: RawPacket[];
  summary: string;
}

/** Parse `buf` in the given chunks and check the invariants; returns a comparable summary. */
function parseChecked(buf: Buffer, cuts: number[]): Outcome {
  const parser = new CaptureParser({ file: 'fuzz' });
  const packets: RawPacket[] = [];
  const inputs: Buffer[] = [];
  let prev = 0;
  const emit = (p: RawPacket): void => {
    packets.push(p);
  };
  for (const c of [...cuts, buf.length]) {
    const chunk = buf.subarray(prev, c);
    inputs.push(chunk);
    parser.push(chunk, emit); // must not throw
    prev = c;
  }
  parser.end();
  packets.forEach((p, i) => {
    assert.equal(p.frame, i + 1, 'frames are 1..n consecutive');
    assert.ok(p.offset >= 0 && p.offset < buf.length, 'record offset inside the input');
    assert.ok(Number.isInteger(p.tsNsec) && p.tsNsec >= 0 && p.tsNsec < 1e9, 'tsNsec in range');
    assert.ok(p.interfaceId >= 0 && p.interfaceId < parser.interfaces.length, 'known interface');
    // The data must be the input's own bytes, inside the input: for a zero-copy view check its
    // position; for a record assembled across chunks compare its bytes with the input.
    const start = p.data.byteOffset;
    const inside = inputs.some((c) => c.buffer === p.data.buffer && start >= c.byteOffset && start + p.data.length <= c.byteOffset + c.length);
    if (inside) {
      const srcStart = buf.byteOffset <= start ? start - buf.byteOffset : -1;
      assert.ok(srcStart >= 0 && srcStart + p.data.length <= buf.length, 'data view inside the input');
    } else {
      const hdr = p.data.length === 0 ? 0 : buf.indexOf(p.data, p.offset);
      assert.ok(hdr >= 0 && hdr + p.data.length <= buf.length, 'assembled data is a copy of input bytes');
    }
  });
  assert.ok(parser.stopped, 'parser stopped after end()');
  assert.ok(parser.bytesConsumed <= buf.length);
  const summary = JSON.stringify({
    p: packets.map((p) => [p.frame, p.offset, p.interfaceId, p.tsSec, p.tsNsec, p.origLen, p.data.length]),
    q: parser.problems.map((q) => [q.code, q.offset, q.frame, q.fatal]),
  });
  return { packets, summary };
}

const seedArb = fc.integer({ min: 0, max: Math.max(0, seeds.length - 1) });

test('fuzz: truncation at random lengths', { skip: seeds.length === 0 ? 'corpus missing' : false }, () => {
  fc.assert(
    fc.property(seedArb, fc.double({ min: 0, max: 1, noNaN: true }), (i, frac) => {
      const { buf } = seeds[i];
      const cut = Math.floor(buf.length * frac);
      parseChecked(buf.subarray(0, cut), []);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});

test('fuzz: random bit flips', { skip: seeds.length === 0 ? 'corpus missing' : false }, () => {
  fc.assert(
    fc.property(seedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 16 }), (i, flips) => {
      const buf = Buffer.from(seeds[i].buf);
      for (const [at, bit] of flips) buf[at % buf.length] ^= 1 << bit;
      parseChecked(buf, []);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});

const hostile = fc.oneof(
  fc.constantFrom(0, 1, 3, 4, 8, 11, 12, 13, 16, 27, 28, 31, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0x10000000),
  fc.nat({ max: 0xffffffff }),
  fc.integer({ min: 0, max: 4096 }),
);

test('fuzz: mutated 32-bit length fields', { skip: seeds.length === 0 ? 'corpus missing' : false }, () => {
  fc.assert(
    fc.property(seedArb, fc.array(fc.tuple(fc.nat(), hostile, fc.boolean()), { minLength: 1, maxLength: 4 }), (i, muts) => {
      const buf = Buffer.from(seeds[i].buf);
      if (!mutateLengthFields(buf, muts)) return;
      parseChecked(buf, []);
    }),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});

test('fuzz: chunking does not change the result', { skip: seeds.length === 0 ? 'corpus missing' : false }, () => {
  fc.assert(
    fc.property(
      seedArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
      (i, flips, cutFracs) => {
        const buf = Buffer.from(seeds[i].buf);
        for (const [at, bit] of flips) buf[at % buf.length] ^= 1 << bit;
        const cuts = [...new Set(cutFracs.map((f) => Math.floor(f * buf.length)))].sort((a, b) => a - b);
        const whole = parseChecked(buf, []);
        const split = parseChecked(buf, cuts);
        assert.equal(split.summary, whole.summary);
      },
    ),
    { seed: SEED, numRuns: NUM_RUNS },
  );
});
