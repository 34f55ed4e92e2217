/**
 * One benchmark scenario per process, so that each reports its own peak RSS.
 * Usage: node dist/bench/pipeline/decode-scenarios.js <json|sqlite|read|export> <capture> [dataDir]
 * (export: EXPORT_QUERY selects the packets; the store in dataDir must already hold the capture)
 * Prints one JSON line: { scenario, packets, bytes, seconds, docBytes, maxRssMb }.
 */
import { rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openCapture } from '../../src/sources/pcap/capture-reader.js';
import { PacketProcessor } from '../../src/pipeline/packet-processor.js';
import { JsonBytes } from '../../src/pipeline/json-bytes.js';
import { captureFingerprint } from '../../src/pipeline/capture-fingerprint.js';
import { ingestFiles } from '../../src/pipeline/ingest.js';
import { openLocalStore } from '../../src/sinks/local/local-store.js';
import { exportLocal } from '../../src/query/export-local.js';
import { createWriteStream } from 'node:fs';

const [scenario, file, dataDirArg] = process.argv.slice(2);
if (!scenario || !file) {
  console.error('usage: decode-scenarios <json|sqlite|read> <capture> [dataDir]');
  process.exit(2);
}

const size = statSync(file).size;
let packets = 0;
let docBytes = 0;
let cleanup = () => {};
const t0 = performance.now();

if (scenario === 'read') {
  for await (const batch of openCapture(file)) packets += batch.packets.length;
} else if (scenario === 'json') {
  // decode → enrich (community id) → serialized ECS JSON, as NDJSON would be written.
  const processor = new PacketProcessor({ captureId: await captureFingerprint(file), path: file, name: basename(file) });
  const out = new JsonBytes(1 << 24);
  for await (const batch of openCapture(file)) {
    const list = batch.packets;
    for (let i = 0; i < list.length; i++) {
      processor.process(list[i], out);
      processor.completeLast(out);
      out.byte(10); // NDJSON
    }
    docBytes += out.pos;
    out.reset();
    packets += list.length;
  }
} else if (scenario === 'sqlite') {
  const dir = dataDirArg ?? mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const summary = await ingestFiles({ dataDir: dir }, [{ path: file, size }], {});
  packets = summary.packets;
  cleanup = () => {
    if (!dataDirArg) rmSync(dir, { recursive: true, force: true });
  };
} else if (scenario === 'export') {
  // Export of the packets matching EXPORT_QUERY from a store already holding the file (dataDir).
  if (!dataDirArg) throw new Error('the export scenario needs the data dir of a store that holds the capture');
  const store = openLocalStore({ dataDir: dataDirArg, readonly: true });
  const out = createWriteStream(join(dataDirArg, 'export.pcap'));
  const summary = await exportLocal(store, { kql: process.env.EXPORT_QUERY ?? '*' }, out, { format: 'pcap' });
  await new Promise<void>((resolve) => (out.closed ? resolve() : out.once('close', () => resolve())));
  store.close();
  packets = summary.packets;
  docBytes = summary.bytes;
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}

const seconds = (performance.now() - t0) / 1000;
cleanup();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ scenario, packets, bytes: size, seconds, docBytes, maxRssMb }));
