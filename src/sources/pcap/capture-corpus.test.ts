/**
 * Compares the readers with tshark (the reference) on every capture of the shared corpus:
 * packet count, timestamp, interface, original and captured length of each packet.
 *
 * Known, deliberate differences with tshark 4.0 (see the comments where they are handled):
 * - tshark shows pcapng Custom Blocks as frames without interface; the contract counts only
 *   packet blocks as frames, so those rows are left out of the comparison.
 * - tshark 4.0 prints the section-local interface id as frame.interface_id; the contract's
 *   `interfaceId` is global across sections, so tshark's value is compared with `localId`.
 * - tshark prints no time for a Simple Packet Block; the readers give 0.000000000.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture, parseCaptureBuffer } from './index.js';
import type { RawPacket } from './types.js';

const CORPUS = '/work/shared/corpus/pcap';
const TSHARK = '/usr/bin/tshark';

const files = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .sort()
  : [];
const haveTshark = spawnSync(TSHARK, ['--version'], { encoding: 'utf8' }).status === 0;
if (!haveTshark) console.error(`\n!!! tshark not found at ${TSHARK}: the corpus comparison with tshark is SKIPPED (install it with scripts/stack/ensure-tshark.sh) !!!\n`);

interface TsharkRow {
  frame: number;
  time: string;
  iface: string;
  len: number;
  caplen: number;
}

function tshark(path: string): TsharkRow[] {
  // spawnSync, not execFileSync: tshark exits non-zero on a truncated file but still prints
  // every good packet on stdout.
  const r = spawnSync(
    TSHARK,
    ['-r', path, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number', '-e', 'frame.time_epoch', '-e', 'frame.interface_id', '-e', 'frame.len', '-e', 'frame.cap_len'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [frame, time, iface, len, caplen] = l.split('\t');
      return { frame: Number(frame), time, iface, len: Number(len), caplen: Number(caplen) };
    });
}

/** Our timestamp at tshark's printed precision (tshark 4.0 prints 9 digits). */
function ourTime(p: RawPacket, digits: number): string {
  const frac = String(p.tsNsec).padStart(9, '0').slice(0, digits);
  return digits > 0 ? `${p.tsSec}.${frac}` : String(p.tsSec);
}

test('corpus is present', () => {
  assert.ok(files.length > 0, `no capture files found in ${CORPUS}`);
});

for (const name of files) {
  const path = join(CORPUS, name);
  test(`matches tshark: ${name}`, { skip: haveTshark ? false : 'tshark missing' }, () => {
    const buf = readFileSync(path);
    const ours = parseCaptureBuffer(buf, path);
    let rows = tshark(path);
    if (ours.format === 'pcapng') {
      // tshark lists Custom Blocks (and other non-packet records) as frames with no interface.
      rows = rows.filter((r) => r.iface !== '');
    }
    assert.equal(ours.packets.length, rows.length, `${name}: packet count (problems: ${JSON.stringify(ours.problems)})`);
    rows.forEach((row, i) => {
      const p = ours.packets[i];
      const where = `${name} packet ${i + 1} (tshark frame ${row.frame})`;
      assert.equal(p.frame, i + 1, `${where}: frame`);
      if (row.time === '') {
        assert.equal(p.tsSec, 0, `${where}: SPB has no timestamp`);
        assert.equal(p.tsNsec, 0, `${where}: SPB has no timestamp`);
      } else {
        const digits = row.time.includes('.') ? row.time.split('.')[1].length : 0;
        assert.equal(ourTime(p, digits), row.time, `${where}: timestamp`);
      }
      const iface = ours.interfaces[p.interfaceId];
      assert.ok(iface !== undefined, `${where}: interface ${p.interfaceId} exists`);
      assert.equal(iface.id, p.interfaceId);
      // pcap: tshark prints no interface id; ours is 0. pcapng: tshark 4.0 prints the local id.
      assert.equal(iface.localId, row.iface === '' ? 0 : Number(row.iface), `${where}: interface id`);
      assert.equal(p.linkType, iface.linkType, `${where}: link type`);
      assert.equal(p.origLen, row.len, `${where}: frame.len`);
      assert.equal(p.data.length, row.caplen, `${where}: frame.cap_len`);
    });
  });
}

test('corpus: specific expectations', { skip: files.length === 0 ? 'corpus missing' : false }, () => {
  const load = (n: string) => parseCaptureBuffer(readFileSync(join(CORPUS, n)), n);

  const nano = load('tcpdump__tcp-handshake-nano.pcap');
  assert.equal(nano.format, 'pcap');
  assert.equal(nano.interfaces[0].tsDigits, 9);
  assert.equal(nano.interfaces[0].nanosecond, true);

  for (const be of ['tcpdump__pptp.pcap', 'arkime__bigendian.pcap']) {
    const r = load(be);
    assert.equal(r.problems.length, 0, be);
    assert.equal(r.interfaces[0].tsDigits, 6);
  }

  const multi = load('gopacket__pcapng-test202-le.pcapng');
  assert.equal(multi.interfaces.length, 5);
  assert.deepEqual(
    multi.interfaces.map((i) => [i.id, i.section, i.localId]),
    [
      [0, 0, 0],
      [1, 0, 1],
      [2, 1, 0],
      [3, 2, 0],
      [4, 2, 1],
    ],
  );
  assert.equal(multi.interfaces[0].name, 'eth0');
  assert.equal(multi.interfaces[2].name, 'silly ethernet interface 2');
  assert.deepEqual(
    multi.packets.map((p) => p.interfaceId),
    [0, 0, 1, 2, 2, 2, 2, 4],
  );

  const trunc = load('dpkt__truncated_dns_2.pcap');
  assert.equal(trunc.packets.length, 1);
  assert.equal(trunc.problems.length, 1);
  assert.equal(trunc.problems[0].code, 'CAPTURE_TRUNCATED_RECORD');
  assert.equal(trunc.problems[0].frame, 2);
  assert.equal(trunc.problems[0].offset, trunc.packets[0].offset + 16 + trunc.packets[0].data.length);

  const hdr = load('zeek__trunc-hdr.pcap');
  assert.equal(hdr.packets[0].data.length, 8);

  for (const e of ['tcpdump__empty.pcap', 'tcpdump__empty.pcapng']) {
    const r = load(e);
    assert.equal(r.packets.length, 0);
    assert.deepEqual(
      r.problems.map((p) => [p.code, p.fatal]),
      [['CAPTURE_EMPTY', false]],
      e,
    );
  }
});

test('openCapture streams the same packets as parseCaptureBuffer, whatever the chunk size', async () => {
  for (const name of files) {
    const path = join(CORPUS, name);
    const whole = parseCaptureBuffer(readFileSync(path), path);
    // Tiny chunks only on small files: one read per byte is slow.
    const sizes = whole.packets.length === 0 || readFileSync(path).length < 16384 ? [1, 7, 64, 4096] : [61, 4096];
    for (const chunkBytes of sizes) {
      const reader = openCapture(path, { chunkBytes, batchPackets: 5 });
      const got: RawPacket[] = [];
      let last = -1;
      for await (const batch of reader) {
        assert.ok(batch.packets.length <= 5);
        assert.ok(batch.bytesRead >= last, 'bytesRead never goes back');
        last = batch.bytesRead;
        got.push(...batch.packets);
      }
      assert.equal(reader.fileSize, readFileSync(path).length);
      assert.equal(reader.packets, whole.packets.length);
      assert.equal(got.length, whole.packets.length, `${name} chunk ${chunkBytes}`);
      got.forEach((p, i) => {
        const w = whole.packets[i];
        assert.deepEqual({ ...p, data: p.data.toString('hex') }, { ...w, data: w.data.toString('hex') }, `${name} chunk ${chunkBytes} packet ${i + 1}`);
      });
      assert.deepEqual(reader.problems, whole.problems, `${name} chunk ${chunkBytes} problems`);
      assert.deepEqual(reader.interfaces, whole.interfaces);
      assert.equal(reader.format, whole.format);
      const truncated = whole.problems.some((p) => p.code === 'CAPTURE_TRUNCATED_RECORD');
      if (!truncated && whole.problems.every((p) => !p.fatal)) assert.equal(last, reader.fileSize, `${name}: all bytes consumed`);
    }
  }
});
