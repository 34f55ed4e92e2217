/**
 * CaptureFileWriter keeps memory flat: a million small packets written to a stream that discards
 * them grow the resident set by less than 64 MB (a file of its own, so that no other test's
 * buffers are counted).
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CaptureFileWriter } from './pcap-writer.js';

const MB = 1024 * 1024;

for (const format of ['pcap', 'pcapng'] as const) {
  test(`writing 1,000,000 small packets (${format}) keeps memory flat`, async (t) => {
    let received = 0;
    const discard = new Writable({
      write(chunk: Buffer, _enc, cb) {
        received += chunk.length;
        cb();
      },
    });
    const w = CaptureFileWriter.open(discard, { format, nanosecond: true, linkType: 1 });
    const id = w.addInterface('eth0', { linkType: 1, snaplen: 262144, nanosecond: true });
    const data = Buffer.alloc(60, 0xab);
    const before = process.memoryUsage().rss;
    let peak = before;
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      data.writeUInt32LE(i, 0);
      const r = w.write(id, 1700000000 + Math.floor(i / 1000), (i % 1000) * 1000 + 1, 60 + (i % 3), data);
      if (r !== true) await r;
      if ((i & 0xffff) === 0) {
        peak = Math.max(peak, process.memoryUsage().rss);
        // Let the stream's callbacks run now and then, as a real producer (a reader) would.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await w.close();
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = (peak - before) / MB;
    t.diagnostic(`${format}: ${N} packets, ${received} bytes, RSS growth ${growth.toFixed(1)} MB`);
    assert.equal(w.packets, N);
    assert.equal(received, w.bytes);
    const per = format === 'pcap' ? 16 + 60 : 32 + 60;
    assert.ok(received >= N * per, 'every record reached the stream');
    assert.ok(growth < 64, `RSS grew by ${growth.toFixed(1)} MB (limit 64 MB)`);
  });
}
