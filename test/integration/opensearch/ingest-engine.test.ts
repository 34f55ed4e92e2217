/**
 * `sluice ingest --to elasticsearch` against real OpenSearch nodes (2.x and, when a JDK 21+ is
 * there, 3.x): every packet becomes one document; a replay adds nothing (409s count as delivered);
 * documents an index refuses go to the dead-letter file with the reason, and the others are stored.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { parseCaptureBuffer } from '../../../src/sources/pcap/capture-reader.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { installPacketTemplate } from '../../../src/sinks/elasticsearch/install-template.js';
import { ingestFilesToEngine } from '../../../src/pipeline/ingest-engine.js';
import { DeadLetterQueue } from '../../../src/sinks/util/dead-letter-queue.js';
import { openSearchUrl as osUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { elasticsearch7Url, skipWithoutElasticsearch7 } from '../../support/elasticsearch7.js';
import { SHARED_BENCH_DIR } from '../../support/tshark.js';
import { captureIO, tempDir } from '../../support/temp.js';
import { main } from '../../../src/cli/main.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SAMPLE = join(ROOT, 'examples/sample.pcap');
const MIXED = join(SHARED_BENCH_DIR, 'mixed-20k.pcap');
const files = [SAMPLE, MIXED].map((path) => ({ path, size: statSync(path).size }));

async function count(client: EngineClient, index: string): Promise<number> {
  await client.request({ method: 'POST', path: `/${index}/_refresh` });
  const r = await client.request({ method: 'GET', path: `/${index}/_count` });
  return (r.json() as { count: number }).count;
}

const ENGINES = [
  { label: 'OpenSearch 2.x', major: 2, skip: () => skipWithoutOpenSearch(2), url: () => osUrl(2)!, dataStreams: true },
  { label: 'OpenSearch 3.x', major: 3, skip: () => skipWithoutOpenSearch(3), url: () => osUrl(3)!, dataStreams: true },
  // The OSS modules only (no X-Pack): no data streams, no point in time, no ILM.
  { label: 'Elasticsearch 7.10.2', major: 7, skip: () => skipWithoutElasticsearch7(), url: () => elasticsearch7Url()!, dataStreams: false },
];

for (const { label, major, skip: skipFn, url: urlFn, dataStreams } of ENGINES) {
  const skip = skipFn();
  const openSearchUrl = (_: unknown) => urlFn();
  describe(`ingest into ${label}`, { skip }, () => {
    const { dir, cleanup } = tempDir('sluice-os-');
    const client = skip ? (undefined as unknown as EngineClient) : new EngineClient({ urls: [openSearchUrl(major)!] });
    const prefix = `sluice-test-${major}-${process.pid}`;
    // Its own prefix: composable templates of one priority must not have overlapping patterns.
    const bad = `sluice-dlqtest-${major}-${process.pid}`;
    const ds = `sluice-dstest-${major}-${process.pid}`;
    after(async () => {
      if (!skip) {
        await client.request({ method: 'DELETE', path: `/${prefix}-*` });
        await client.request({ method: 'DELETE', path: `/_index_template/${prefix}` });
        await client.request({ method: 'DELETE', path: `/${bad}-*` });
        await client.request({ method: 'DELETE', path: `/_data_stream/${ds}` });
        await client.request({ method: 'DELETE', path: `/_index_template/${ds}` });
        await client.request({ method: 'DELETE', path: `/_index_template/${bad}` });
        await client.close();
      }
      cleanup();
    });

    test('every packet once; a replay adds nothing', async () => {
      const indexPattern = `${prefix}-%Y.%m.%d`;
      await installPacketTemplate(client, { indexPattern, refreshIntervalSecs: 1 });
      const dataDir = join(dir, 'a');
      const first = await ingestFilesToEngine(files, { dataDir, client, indexPattern, flushBytes: 1 << 20 });
      assert.equal(first.packets, 16 + 20001);
      assert.equal(first.delivery.created, 16 + 20001);
      assert.equal(first.delivery.dead, 0);
      assert.equal(await count(client, `${prefix}-*`), 16 + 20001);

      // Running it again: the checkpoint says complete, nothing is read.
      const again = await ingestFilesToEngine(files, { dataDir, client, indexPattern });
      assert.equal(again.delivery.created + again.delivery.exists, 0);

      // A replay that lost its checkpoint (a crash before the first save): every create answers 409.
      const db = new Database(join(dataDir, 'sluice.db'));
      db.prepare('DELETE FROM sink_progress').run();
      db.close();
      const replay = await ingestFilesToEngine(files, { dataDir, client, indexPattern });
      assert.equal(replay.delivery.created, 0);
      assert.equal(replay.delivery.exists, 16 + 20001);
      assert.equal(await count(client, `${prefix}-*`), 16 + 20001);

      // The documents carry their ECS fields, typed by the template (CIDR on an ip field, date_nanos).
      const r = await client.request({
        method: 'POST',
        path: `/${prefix}-*/_search`,
        body: { size: 1, query: { bool: { filter: [{ term: { 'source.ip': '192.0.2.0/24' } }, { term: { 'dns.question.name': 'www.example.com' } }] } }, sort: [{ '@timestamp': 'asc' }] },
      });
      const hit = (r.json() as any).hits.hits[0];
      assert.equal(hit._source['@timestamp'], '2023-11-14T22:13:20.001500Z');
      assert.match(hit._id, /^[0-9a-f]{20}-1$/);
      assert.ok(Buffer.from(hit._source.packet.raw, 'base64').length === hit._source.packet.caplen);

      // The packets come back out of the engine byte for byte, with their timestamps: sluice pcap --es-url.
      const out = join(dir, 'from-engine.pcap');
      const io = captureIO();
      const code = await main(['node', 'sluice', 'pcap', '--es-url', openSearchUrl(major)!, '--es-index', indexPattern, '-o', out, '*'], io.io);
      assert.equal(code, 0, io.err());
      const key = (p: { tsSec: number; tsNsec: number; origLen: number; data: Buffer }) => `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')} ${p.origLen} ${p.data.toString('hex')}`;
      const exported = parseCaptureBuffer(readFileSync(out)).packets.map(key).sort();
      const originals = files.flatMap((f) => parseCaptureBuffer(readFileSync(f.path)).packets.map(key)).sort();
      assert.equal(exported.length, 16 + 20001);
      assert.deepEqual(exported, originals);
    });

    // Data streams need X-Pack on Elasticsearch: that case runs on the OpenSearch nodes only.
    if (dataStreams) test('a data stream instead of daily indices: the same exactly-once delivery and search', async () => {
      const io = captureIO();
      const pattern = `${ds}-%Y.%m.%d`;
      const args = ['node', 'sluice', '--data-dir', join(dir, 'ds'), 'ingest', '--es-url', openSearchUrl(major)!, '--es-index', pattern, '--es-data-stream', '--output', 'json', SAMPLE];
      assert.equal(await main(args, io.io), 0, io.err());
      assert.equal(JSON.parse(io.out()).delivery.created, 16);
      const stream = await client.request({ method: 'GET', path: `/_data_stream/${ds}` });
      assert.equal(stream.status, 200, stream.text());
      assert.equal(await count(client, ds), 16);
      // A replay that lost its checkpoint: 409s, nothing added.
      const db = new Database(join(dir, 'ds', 'sluice.db'));
      db.prepare('DELETE FROM sink_progress').run();
      db.close();
      const again = captureIO();
      assert.equal(await main(args, again.io), 0, again.err());
      assert.equal(JSON.parse(again.out()).delivery.exists, 16);
      assert.equal(await count(client, ds), 16);
      const search = captureIO();
      assert.equal(await main(['node', 'sluice', 'search', '--es-url', openSearchUrl(major)!, '--es-index', pattern, '--es-data-stream', '--count', 'dns.question.name: www.example.com'], search.io), 0);
      assert.equal(search.out().trim(), '4');
    });

    test('documents the index refuses are dead-lettered with the reason; the rest are stored', async () => {
      const indexPattern = `${bad}-%Y.%m.%d`;
      // A template that maps dns.question.name as a number: every DNS document is refused (400).
      await client.request({
        method: 'PUT',
        path: `/_index_template/${bad}`,
        body: { index_patterns: [`${bad}-*`], priority: 500, template: { settings: { 'index.number_of_replicas': 0 }, mappings: { properties: { dns: { properties: { question: { properties: { name: { type: 'long' } } } } } } } } },
      });
      const dataDir = join(dir, 'b');
      const s = await ingestFilesToEngine([files[0]], { dataDir, client, indexPattern });
      const dns = 5; // the sample capture has 5 DNS packets: a query and its answer over IPv4 and over IPv6, and a query on VLAN 42
      assert.equal(s.delivery.dead, dns);
      assert.equal(s.delivery.created, 16 - dns);
      const letters = await new DeadLetterQueue(dataDir, 'elasticsearch').list();
      assert.equal(letters.length, dns);
      assert.equal(letters[0].status, 400);
      assert.match(letters[0].type, /mapper_parsing_exception|document_parsing_exception/);
      assert.equal((letters[0].document as any).dns.question.name, 'www.example.com');
      assert.equal(typeof (letters[0].position as any).frame, 'number');
      assert.equal(await count(client, `${bad}-*`), 16 - dns);

      // Fix the cause (drop the wrong template and index, install the right template), then replay.
      await client.request({ method: 'DELETE', path: `/_index_template/${bad}` });
      await client.request({ method: 'DELETE', path: `/${bad}-*` });
      await installPacketTemplate(client, { indexPattern });
      const io = captureIO();
      const code = await main(['node', 'sluice', '--data-dir', dataDir, 'dlq', 'replay', '--es-url', openSearchUrl(major)!], io.io);
      assert.equal(code, 0, io.err());
      assert.match(io.out(), /5 delivered, 0 refused again/);
      assert.equal(await count(client, `${bad}-*`), dns);
      assert.deepEqual(await new DeadLetterQueue(dataDir, 'elasticsearch').list(), []);
    });
  });
}
