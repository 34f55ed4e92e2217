/**
 * `--dissector tshark` against real engines: OpenSearch 2.19 and 3.x (catch-all `flat_object`) and
 * Elasticsearch 7.10 with the OSS modules only (no `flattened`: the bounded fallback). Several
 * corpus captures go through `tshark -T ek` into daily indices; the test checks against tshark
 * itself: one document per frame, indices named by the UTC date of each frame, typed mappings
 * (TCP sequence numbers are `long`, addresses `ip`, a term query on a port finds exactly tshark's
 * frames), the long-tail fields searchable in the catch-all, and that a re-run adds nothing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { dailyIndex } from '../../../src/sinks/elasticsearch/bulk-encoder.js';
import { ingestFilesWithTshark } from '../../../src/pipeline/ingest-tshark.js';
import { loadFieldRegistry } from '../../../src/decoders/tshark-ek/field-registry.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { elasticsearch7Url, skipWithoutElasticsearch7 } from '../../support/elasticsearch7.js';
import { CORPUS_DIR, SHARED_BENCH_DIR, hasTshark, skipWithoutTshark, tsharkLines } from '../../support/tshark.js';
import { tempDir } from '../../support/temp.js';

const CAPTURES = [
  'tcpdump__dns_udp.pcap',
  'tcpdump__tcp-handshake-nano.pcap',
  'zeek__http-methods.pcap',
  'zeek__tls-chrome-34-google.pcap',
  'tcpdump__icmpv6.pcap',
  'zeek__http-vlan-0.pcap',
  'gopacket__pcapng-test202-le.pcapng',
].map((f) => join(CORPUS_DIR, 'pcap', f));
const files = CAPTURES.map((path) => ({ path, size: statSync(path).size }));

const ENGINES = [
  { label: 'OpenSearch 2.x', tag: 'os2', skip: () => skipWithoutOpenSearch(2), url: () => openSearchUrl(2)!, catchAll: 'flat_object' },
  { label: 'OpenSearch 3.x', tag: 'os3', skip: () => skipWithoutOpenSearch(3), url: () => openSearchUrl(3)!, catchAll: 'flat_object' },
  { label: 'Elasticsearch 7.10.2 (OSS modules)', tag: 'es7', skip: () => skipWithoutElasticsearch7(), url: () => elasticsearch7Url()!, catchAll: 'bounded' },
];

/** tshark's view of the captures: frame times and the frames a display filter selects. */
function tsharkFrames(filter?: string): { file: string; frame: number; epoch: number }[] {
  const out: { file: string; frame: number; epoch: number }[] = [];
  for (const path of CAPTURES) {
    const args = ['-r', path, ...(filter ? ['-Y', filter] : []), '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch'];
    for (const l of tsharkLines(args)) {
      const [frame, epoch] = l.split('\t');
      out.push({ file: basename(path), frame: Number(frame), epoch: Math.floor(Number(epoch)) });
    }
  }
  return out;
}

async function count(client: EngineClient, target: string, query?: object): Promise<number> {
  await client.request({ method: 'POST', path: `/${target}/_refresh` });
  const r = await client.request({ method: 'POST', path: `/${target}/_count`, body: query ? { query } : {} });
  assert.equal(r.status, 200, r.text());
  return (r.json() as { count: number }).count;
}

const tsharkSkip = skipWithoutTshark();
const registry = tsharkSkip || !hasTshark() ? undefined : loadFieldRegistry();

for (const engine of ENGINES) {
  const skip = tsharkSkip || engine.skip();
  describe(`--dissector tshark into ${engine.label}`, { skip }, () => {
    const { dir, cleanup } = tempDir('sluice-tshark-');
    const client = skip ? (undefined as unknown as EngineClient) : new EngineClient({ urls: [engine.url()] });
    const prefix = `sluice-tshark-${engine.tag}-${process.pid}`;
    const indexPattern = `${prefix}-%Y-%m-%d`;
    const all = `${prefix}-*`;
    after(async () => {
      if (!skip) {
        await client.request({ method: 'DELETE', path: `/${all}` });
        await client.request({ method: 'DELETE', path: `/_index_template/${prefix}` });
        await client.close();
      }
      cleanup();
    });

    test('one typed document per frame in UTC-dated indices; a re-run adds nothing', async () => {
      const dataDir = join(dir, 'data');
      const frames = tsharkFrames();
      const first = await ingestFilesWithTshark(files, { dataDir, client, indexPattern, registry, flushBytes: 1 << 20 });
      assert.equal(first.tshark.catchAll, engine.catchAll);
      assert.equal(first.tshark.template, 'installed');
      assert.equal(first.packets, frames.length);
      assert.equal(first.delivery.created, frames.length);
      assert.equal(first.delivery.dead, 0);
      assert.equal(await count(client, all), frames.length);

      // Indices: exactly the UTC dates of the frames (espcap dated them in local time).
      const expected = [...new Set(frames.map((f) => dailyIndex(indexPattern, f.epoch)))].sort();
      const cat = await client.request({ method: 'GET', path: `/_cat/indices/${all}`, query: { h: 'index', format: 'json' } });
      const actual = (cat.json() as { index: string }[]).map((r) => r.index).sort();
      assert.deepEqual(actual, expected);
      assert.ok(actual.length >= 3, 'the captures span several days');
      // Every document is in the index of its own frame's UTC date.
      for (const f of frames.filter((_, i) => i % 7 === 0)) {
        const q = { bool: { filter: [{ term: { file_name: f.file } }, { term: { frame_number: f.frame } }] } };
        assert.equal(await count(client, dailyIndex(indexPattern, f.epoch), q), 1, `${f.file} frame ${f.frame}`);
      }

      // Typed mappings.
      const m = await client.request({ method: 'GET', path: `/${all}/_mapping/field/layers.tcp.tcp.seq,layers.ip.ip.src,layers.ipv6.ipv6.src,layers.tcp.tcp.dstport,layers.tcp.tcp.flags.syn,@timestamp` });
      const types = new Map<string, string>();
      for (const idx of Object.values(m.json() as Record<string, { mappings: Record<string, { mapping: Record<string, { type: string }> }> }>)) {
        for (const [name, f] of Object.entries(idx.mappings)) types.set(name, Object.values(f.mapping)[0].type);
      }
      assert.equal(types.get('layers.tcp.tcp.seq'), 'long');
      assert.equal(types.get('layers.ip.ip.src'), 'ip');
      assert.equal(types.get('layers.ipv6.ipv6.src'), 'ip');
      assert.equal(types.get('layers.tcp.tcp.dstport'), 'integer');
      assert.equal(types.get('layers.tcp.tcp.flags.syn'), 'boolean');
      assert.equal(types.get('@timestamp'), 'date_nanos');

      // A term query on a port and a CIDR query on an address find exactly tshark's frames.
      assert.equal(await count(client, all, { term: { 'layers.tcp.tcp.dstport': 80 } }), tsharkFrames('tcp.dstport == 80').length);
      assert.equal(await count(client, all, { term: { 'layers.ip.ip.src': '192.168.0.0/16' } }), tsharkFrames('ip.src == 192.168.0.0/16').length);
      assert.equal(await count(client, all, { term: { 'layers.tcp.tcp.flags.syn': true } }), tsharkFrames('tcp.flags.syn == 1').length);
      // A TCP sequence number above 2^31 is a number (the signed-32-bit mapping of espcap lost these).
      assert.ok((await count(client, all, { range: { 'layers.tcp.tcp.seq_raw': { gt: 2 ** 31 } } })) > 0);

      // The catch-all: its type, and long-tail fields searchable in it.
      const other = await client.request({ method: 'GET', path: `/${all}/_mapping/field/layers_other` });
      const otherTypes = Object.values(other.json() as Record<string, { mappings: Record<string, { mapping: { layers_other: { type?: string } } }> }>)
        .map((i) => i.mappings.layers_other?.mapping.layers_other.type ?? 'object');
      assert.ok(otherTypes.length > 0 && otherTypes.every((t) => t === (engine.catchAll === 'bounded' ? 'object' : engine.catchAll)), otherTypes.join());
      const dnsFile = { term: { file_name: 'tcpdump__dns_udp.pcap' } };
      const resolved = tsharkLines(['-r', CAPTURES[0], '-Y', 'eth.dst_resolved == "CIMSYS_33:44:55"', '-T', 'fields', '-e', 'frame.number']).length;
      assert.ok(resolved > 0);
      assert.equal(await count(client, all, { bool: { filter: [dnsFile, { term: { 'layers_other.eth.eth.dst_resolved': 'CIMSYS_33:44:55' } }] } }), resolved);
      // (a term query: `exists` on a flat_object subfield finds nothing on OpenSearch 2.19)
      const synMarkers = await count(client, all, { term: { 'layers_other.tcp.tcp.connection.syn': 'true' } });
      assert.equal(synMarkers, tsharkFrames('tcp.connection.syn').length);

      // A document reads like espcap's, plus sluice's fields.
      const s = await client.request({ method: 'POST', path: `/${all}/_search`, body: { size: 1, query: { bool: { filter: [dnsFile, { term: { frame_number: 2 } }] } } } });
      const doc = (s.json() as { hits: { hits: { _id: string; _source: Record<string, any> }[] } }).hits.hits[0];
      assert.match(doc._id, /^[0-9a-f]+-2$/);
      assert.equal(doc._source.protocol, 'dns');
      assert.equal(doc._source.file_name, 'tcpdump__dns_udp.pcap');
      assert.equal(doc._source['@timestamp'], '2020-06-10T09:19:54.870361000Z');
      assert.equal(doc._source.layers.dns['dns.qry.name'], 'www.tcpdump.org');
      assert.match(doc._source.network.community_id, /^1:/);

      // Re-run: the checkpoints say complete, nothing is read or added.
      const again = await ingestFilesWithTshark(files, { dataDir, client, indexPattern, registry });
      assert.equal(again.delivery.created + again.delivery.exists, 0);
      assert.equal(again.tshark.template, 'exists');
      assert.equal(again.tshark.catchAll, engine.catchAll);
      // Lost checkpoints (a crash before the first save): every create answers 409, nothing new.
      const db = new Database(join(dataDir, 'sluice.db'));
      db.prepare("DELETE FROM sink_progress WHERE sink = 'elasticsearch-tshark'").run();
      db.close();
      const replay = await ingestFilesWithTshark(files, { dataDir, client, indexPattern, registry });
      assert.equal(replay.delivery.created, 0);
      assert.equal(replay.delivery.exists, frames.length);
      assert.equal(await count(client, all), frames.length);
    });

    test('an interrupted ingest resumes after its checkpoint', async () => {
      const dataDir = join(dir, 'resume');
      const big = join(SHARED_BENCH_DIR, 'mixed-20k.pcap');
      const one = [{ path: big, size: statSync(big).size }];
      const frames = tsharkLines(['-r', big, '-T', 'fields', '-e', 'frame.number']).length;
      await client.request({ method: 'DELETE', path: `/${all}` });
      // Stopped after three pipe reads (Ctrl-C): what was pushed is delivered and checkpointed.
      let reads = 0;
      const first = await ingestFilesWithTshark(one, { dataDir, client, indexPattern, registry, shouldStop: () => ++reads >= 3 });
      assert.equal(first.files[0].status, 'partial');
      assert.ok(first.delivery.created > 0 && first.delivery.created < frames, String(first.delivery.created));
      const second = await ingestFilesWithTshark(one, { dataDir, client, indexPattern, registry });
      assert.equal(second.files[0].status, 'ingested');
      // The second run starts after the checkpoint: nothing is sent twice.
      assert.equal(second.delivery.created + second.delivery.exists, frames - first.delivery.created);
      assert.equal(await count(client, all), frames);
    });
  });
}

describe('sluice ingest --dissector tshark (the command line)', { skip: tsharkSkip || skipWithoutOpenSearch(2) }, () => {
  const { dir, cleanup } = tempDir('sluice-tshark-cli-');
  const url = openSearchUrl(2) ?? '';
  const index = `sluice-tshark-cli-${process.pid}`;
  after(async () => {
    await fetch(`${url}/${index}-*`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${url}/_index_template/${index}`, { method: 'DELETE' }).catch(() => undefined);
    cleanup();
  });

  test('delivers espcap-shaped documents exactly once; without an engine it is a usage error', async () => {
    const { main } = await import('../../../src/cli/main.js');
    const { captureIO } = await import('../../support/temp.js');
    const sample = new URL('../../../../examples/sample.pcap', import.meta.url).pathname;
    const args = ['node', 'sluice', '--data-dir', join(dir, 'data'), 'ingest', sample, '--no-progress', '--dissector', 'tshark', '--es-url', url, '--tshark-index', `${index}-%Y-%m-%d`];
    const first = captureIO();
    assert.equal(await main(args, first.io), 0, first.err());
    assert.match(first.err(), /flat_object catch-all/);
    const second = captureIO();
    assert.equal(await main(args, second.io), 0, second.err());
    await fetch(`${url}/${index}-*/_refresh`, { method: 'POST' });
    const count = (await (await fetch(`${url}/${index}-*/_count`)).json()) as { count: number };
    assert.equal(count.count, 16);
    const hit = (await (await fetch(`${url}/${index}-*/_search?size=1`)).json()) as { hits: { hits: { _source: Record<string, unknown> }[] } };
    const doc = hit.hits.hits[0]._source;
    for (const key of ['layers', 'protocol', 'sniff_timestamp', 'file_name', '@timestamp']) assert.ok(key in doc, `document has ${key}`);

    const bad = captureIO();
    assert.equal(await main(['node', 'sluice', '--data-dir', join(dir, 'data2'), 'ingest', sample, '--dissector', 'tshark'], bad.io), 2);
    assert.match(bad.err(), /ingest\.dissector: tshark writes to Elasticsearch\/OpenSearch only/);
  });
});
