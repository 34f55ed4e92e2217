/**
 * Memory stays flat whatever the capture size: reading a capture several times larger than the
 * allowed growth must not grow the process by more than a few chunks.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { openCapture } from '../../../src/sources/pcap/capture-reader.js';
import { tempDir } from '../../support/temp.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const { dir, cleanup } = tempDir();
after(cleanup);

/** Writes a pcap of about `bytes` bytes by repeating the records of the sample capture. */
function bigCapture(bytes: number): { path: string; packets: number } {
  const sample = readFileSync(join(ROOT, 'examples/sample.pcap'));
  const records = sample.subarray(24);
  const block = Buffer.concat(Array.from({ length: Math.ceil((4 << 20) / records.length) }, () => records));
  const path = join(dir, 'big.pcap');
  const fd = openSync(path, 'w');
  writeSync(fd, sample.subarray(0, 24));
  let written = 0;
  while (written < bytes) written += writeSync(fd, block);
  closeSync(fd);
  return { path, packets: (written / records.length) * 16 };
}

test('reading a 256 MB capture keeps the process within 96 MB of where it started', async () => {
  const { path, packets } = bigCapture(256 << 20);
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  let n = 0;
  for await (const batch of openCapture(path)) {
    n += batch.packets.length;
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }
  assert.equal(n, packets);
  const growthMb = (peak - base) / (1 << 20);
  console.log(`# RSS growth while reading a 256 MB capture: ${growthMb.toFixed(0)} MB`);
  assert.ok(growthMb < 96, `RSS grew by ${growthMb.toFixed(0)} MB while reading a 256 MB capture`);
});
