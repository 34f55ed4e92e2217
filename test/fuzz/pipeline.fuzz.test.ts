/**
 * Whole-file fuzzing of the packet pipeline: small corpus captures are mutated (truncation, bit
 * flips, hostile 32-bit length fields at record / block header offsets), then parsed with
 * parseCaptureBuffer, and every packet is decoded, given its Community ID and serialized.
 * Properties: nothing throws, every document is valid JSON satisfying the checks of
 * fuzz-support.ts (checkPacket), and frames are numbered 1..n consecutively.
 *
 * Fixed seed (SLUICE_FUZZ_SEED overrides, 'random' for a fresh one); SLUICE_FUZZ_RUNS sets numRuns.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PacketDocumentWriter } from '../../src/pipeline/packet-document.js';
import { parseCaptureBuffer } from '../../src/sources/pcap/capture-reader.js';
import { checkPacket, corpusFiles, fcParams, mutateLengthFields, rawPacket, smallCache } from './fuzz-support.js';

const RUNS = 150;
/** Small files only: each run decodes the whole file, and big files add nothing new. */
const seeds = corpusFiles(16 * 1024);
const skip = seeds.length === 0 ? 'corpus missing' : false;
const seedArb = fc.nat({ max: Math.max(0, seeds.length - 1) });

function runPipeline(buf: Buffer, name: string): void {
  const parsed = parseCaptureBuffer(buf, name);
  const writer = new PacketDocumentWriter({ captureId: 'fuzz', path: '/fuzz/' + name, name });
  const cache = smallCache();
  parsed.packets.forEach((p, i) => {
    assert.equal(p.frame, i + 1, 'frames are 1..n consecutive');
    checkPacket(p, writer, cache);
  });
}

const hostile = fc.oneof(
  fc.constantFrom(0, 1, 3, 4, 8, 11, 12, 13, 14, 16, 20, 27, 28, 31, 32, 40, 54, 60, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 0x10000000, 0x40000),
  fc.nat({ max: 0xffffffff }),
  fc.integer({ min: 0, max: 4096 }),
);

test('fuzz pipeline: unmutated corpus files', { skip }, () => {
  for (const s of seeds) runPipeline(s.buf, s.name);
});

test('fuzz pipeline: truncated files', { skip }, () => {
  fc.assert(
    fc.property(seedArb, fc.double({ min: 0, max: 1, noNaN: true }), (i, frac) => {
      const { buf, name } = seeds[i];
      runPipeline(Buffer.from(buf.subarray(0, Math.floor(buf.length * frac))), name);
    }),
    fcParams(RUNS),
  );
});

test('fuzz pipeline: bit flips', { skip }, () => {
  fc.assert(
    fc.property(seedArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 16 }), (i, flips) => {
      const buf = Buffer.from(seeds[i].buf);
      if (buf.length === 0) return;
      for (const [at, bit] of flips) buf[at % buf.length] ^= 1 << bit;
      runPipeline(buf, seeds[i].name);
    }),
    fcParams(RUNS),
  );
});

test('fuzz pipeline: hostile 32-bit length fields', { skip }, () => {
  fc.assert(
    fc.property(seedArb, fc.array(fc.tuple(fc.nat(), hostile, fc.boolean()), { minLength: 1, maxLength: 4 }), fc.option(fc.double({ min: 0, max: 1, noNaN: true })), (i, muts, cut) => {
      let buf = Buffer.from(seeds[i].buf);
      if (!mutateLengthFields(buf, muts)) return;
      if (cut !== null) buf = buf.subarray(0, Math.floor(buf.length * cut));
      runPipeline(buf, seeds[i].name);
    }),
    fcParams(RUNS),
  );
});

// Found by `SLUICE_FUZZ_SEED=11306002 node dist/test/fuzz/run-long.js` (bit flips): a pcapng whose
// if_tsresol is damaged gives a tsSec far outside Date's range, and PacketDocumentWriter.observe()
// calls new Date(tsSec * 1000).toISOString() → RangeError: Invalid time value. Kept failing until fixed.
test('fuzz pipeline: found case — pcapng with damaged if_tsresol (huge tsSec)', { skip }, () => {
  const seed = seeds.find((s) => s.name === 'zeek__pcapng-multi-interface.pcapng');
  if (seed === undefined) return;
  const buf = Buffer.from(seed.buf);
  const flips = [[880872837, 6], [1964897190, 3], [722290283, 6], [1389672602, 4], [496073195, 3], [783881758, 0], [1445443686, 5], [494311760, 3]];
  for (const [at, bit] of flips) buf[at % buf.length] ^= 1 << bit;
  runPipeline(buf, seed.name);
});

test('fuzz pipeline: any timestamp a reader can produce serializes', () => {
  const tsSecArb = fc.oneof(
    fc.nat({ max: 0xffffffff }),
    fc.constantFrom(0, 8.64e12, 8.64e12 + 1, 2 ** 53 - 1, 176766308950033060, 1.8446744073709552e19),
    fc.double({ min: 0, max: 2 ** 64, noNaN: true }).map(Math.floor),
  );
  fc.assert(
    fc.property(tsSecArb, fc.nat({ max: 999_999_999 }), fc.integer({ min: 0, max: 9 }), (tsSec, tsNsec, tsDigits) => {
      const p = { ...rawPacket(1, Buffer.alloc(0)), tsSec, tsNsec, tsDigits };
      // A fresh writer each time: the first packet of a capture takes the source_date path.
      checkPacket(p, new PacketDocumentWriter({ captureId: 'fuzz', path: 'p', name: 'n' }), smallCache());
    }),
    fcParams(RUNS),
  );
});
