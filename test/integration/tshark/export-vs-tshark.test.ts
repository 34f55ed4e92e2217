/**
 * PCAP export against Wireshark.
 *
 * Round trip: every capture of the shared corpus and mixed-20k.pcap is ingested, exported whole
 * (`pcap.file: <file>`), and tshark reads the export: every packet's bytes, lengths and timestamp
 * equal the original's, in the same order.
 *
 * Selection: for a battery of KQL expressions, the packets exported equal the packets tshark
 * selects from the original with the equivalent display filter (`tshark -r in -Y filter -w ref`),
 * compared packet by packet (time, original length, bytes). tshark runs with IP defragmentation and
 * TCP reassembly off, because sluice looks at each packet on its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ingestFiles } from '../../../src/pipeline/ingest.js';
import { openLocalStore, type LocalStore } from '../../../src/sinks/local/local-store.js';
import { exportLocal } from '../../../src/query/export-local.js';
import { parseCaptureBuffer } from '../../../src/sources/pcap/capture-reader.js';
import { createWriteStream } from 'node:fs';
import { corpusCaptures, SHARED_BENCH_DIR, skipWithoutTshark, tsharkFrames, type TsharkFrame } from '../../support/tshark.js';
import { tempDir } from '../../support/temp.js';
import { KQL_BATTERY } from '../../support/kql-battery.js';

const skip = skipWithoutTshark();
const PREFS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE'];

async function exportTo(store: LocalStore, kql: string, path: string): Promise<number> {
  const out = createWriteStream(path);
  const format = path.endsWith('.pcapng') ? 'pcapng' : 'pcap';
  const s = await exportLocal(store, { kql }, out, { format });
  await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', () => resolve())));
  return s.packets;
}

/** Packets as comparable strings: time (ns), original length, bytes. */
function packetsOf(path: string): string[] {
  const parsed = parseCaptureBuffer(readFileSync(path));
  return parsed.packets.map((p) => `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')} ${p.origLen} ${p.data.toString('hex')}`);
}

describe('pcap export vs tshark', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-export-');
  let store: LocalStore;
  const inputs = skip ? [] : [...corpusCaptures(), join(SHARED_BENCH_DIR, 'mixed-20k.pcap')];

  before(async () => {
    await ingestFiles({ dataDir: join(dir, 'data') }, inputs.map((path) => ({ path, size: statSync(path).size })));
    store = openLocalStore({ dataDir: join(dir, 'data'), readonly: true });
  });
  after(() => {
    store?.close();
    cleanup();
  });

  for (const input of inputs) {
    test(`round trip: ${basename(input)}`, async () => {
      const original = tsharkFrames(input);
      const linkTypes = new Set(parseCaptureBuffer(readFileSync(input)).packets.map((p) => p.linkType));
      const ifaces = new Set(parseCaptureBuffer(readFileSync(input)).packets.map((p) => p.interfaceId));
      const ext = linkTypes.size > 1 || ifaces.size > 1 ? 'pcapng' : 'pcap';
      const out = join(dir, `${basename(input)}.export.${ext}`);
      const n = await exportTo(store, `pcap.file: ${JSON.stringify(input)}`, out);
      assert.equal(n, original.length);
      const exported = tsharkFrames(out);
      assert.equal(exported.length, original.length, 'tshark reads as many packets as the original has');
      // The export is in time order; the originals of the corpus are too, except where noted by the sort.
      // A Simple Packet Block has no timestamp (tshark shows none); sluice stores it as time 0 and
      // exports it as an Enhanced Packet Block at time 0 (see the packet document reference).
      const key = (f: TsharkFrame) => `${f.epoch ?? '0.000000000'} ${f.len} ${f.capLen} ${f.raw}`;
      const want = original.map(key).sort();
      const got = exported.map(key).sort();
      assert.deepEqual(got, want);
      // A little-endian pcap that reads cleanly and is in time order comes back byte for byte.
      const bytes = readFileSync(input);
      const parsed = parseCaptureBuffer(bytes);
      const inOrder = parsed.packets.every((p, k, a) => k === 0 || a[k - 1].tsSec < p.tsSec || (a[k - 1].tsSec === p.tsSec && a[k - 1].tsNsec <= p.tsNsec));
      const littleEndianPcap = bytes.length >= 4 && (bytes.readUInt32LE(0) === 0xa1b2c3d4 || bytes.readUInt32LE(0) === 0xa1b23c4d);
      if (ext === 'pcap' && littleEndianPcap && parsed.problems.length === 0 && inOrder && parsed.packets.length > 0) {
        assert.ok(readFileSync(out).equals(bytes), `${basename(input)}: the export is not byte-identical to the original`);
      }
    });
  }


  const mixed = join(SHARED_BENCH_DIR, 'mixed-20k.pcap');
  for (const [i, [kql, filter]] of KQL_BATTERY.entries()) {
    test(`selection ${i + 1}: ${kql}  ≡  ${filter}`, async () => {
      const ref = join(dir, `ref-${i}.pcap`);
      const r = spawnSync('tshark', ['-r', mixed, ...PREFS, '-Y', filter, '-w', ref], { encoding: 'utf8' });
      assert.equal(r.status, 0, `tshark rejected the filter ${filter}: ${r.stderr}`);
      const out = join(dir, `sel-${i}.pcap`);
      await exportTo(store, `(${kql}) and pcap.file: ${JSON.stringify(mixed)}`, out);
      const want = packetsOf(ref);
      const got = packetsOf(out);
      assert.ok(want.length > 0 || i === 0 || got.length === 0, 'the battery should select something');
      assert.equal(got.length, want.length, `${kql}: sluice exported ${got.length} packets, tshark selected ${want.length}`);
      assert.deepEqual([...got].sort(), [...want].sort());
    });
  }

  test('an empty match writes a valid empty capture that tshark reads', async () => {
    const out = join(dir, 'empty.pcap');
    assert.equal(await exportTo(store, 'source.ip: 203.0.113.254', out), 0);
    const r = spawnSync('tshark', ['-r', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tshark could not read the empty export: ${r.stderr}`);
    assert.equal(tsharkFrames(out).length, 0);
    assert.equal(parseCaptureBuffer(readFileSync(out)).problems.filter((p) => p.fatal).length, 0);
  });
});
