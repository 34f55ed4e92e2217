/**
 * The same KQL gives the same answer on the embedded store and on OpenSearch: the corpus captures
 * and mixed-20k.pcap are ingested into both, and for every expression of the battery (plus a few
 * that exercise time ranges, ns-precise timestamps, arrays and aliases) the document ids match.
 * Also: engine results are complete beyond one page (point in time + search_after).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ingestFiles } from '../../../src/pipeline/ingest.js';
import { ingestFilesToEngine } from '../../../src/pipeline/ingest-engine.js';
import { queryLocal, loadCaptures } from '../../../src/query/query-local.js';
import { searchEngine } from '../../../src/query/query-engine.js';
import { EngineClient, detectEngine, type EngineInfo } from '../../../src/sinks/elasticsearch/http/index.js';
import { installPacketTemplate } from '../../../src/sinks/elasticsearch/install-template.js';
import { openLocalStore, type LocalStore } from '../../../src/sinks/local/local-store.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { elasticsearch7Url, skipWithoutElasticsearch7 } from '../../support/elasticsearch7.js';
import { corpusCaptures, SHARED_BENCH_DIR } from '../../support/tshark.js';
import { KQL_BATTERY } from '../../support/kql-battery.js';
import { tempDir } from '../../support/temp.js';

const EXTRA = [
  'dns.resolved_ip: 203.0.113.0/24',
  'dns.answers.type: AAAA',
  'host: www.example.com',
  'port: (80 or 443) and not network.type: ipv6',
  'packet.tcp.flags: SYN and not packet.tcp.flags: ACK',
  '@timestamp >= "2023-11-14T22:13:20.5Z" and @timestamp < "2023-11-14T22:13:21Z"',
  '@timestamp: "2023-11-14"',
  'url.original: *passwd* or user_agent.original: *curl*',
  'pcap.link_type: 1 and not network.transport: *',
  'error.message: *',
  'network.community_id: *',
  'not *',
];

const ENGINES = [
  { label: 'OpenSearch 2.x', skip: () => skipWithoutOpenSearch(2), url: () => openSearchUrl(2)! },
  // Without X-Pack: no point in time, so this one pages with plain search_after.
  { label: 'Elasticsearch 7.10.2', skip: () => skipWithoutElasticsearch7(), url: () => elasticsearch7Url()! },
];

for (const { label, skip: skipFn, url } of ENGINES) {
const skip = skipFn();
describe(`embedded store vs ${label}: same query, same documents`, { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-diff-os-');
  const files = skip ? [] : [...corpusCaptures(), join(SHARED_BENCH_DIR, 'mixed-20k.pcap')].map((path) => ({ path, size: statSync(path).size }));
  const index = `sluice-diff-${process.pid}`;
  let client: EngineClient;
  let engine: EngineInfo;
  let store: LocalStore;

  before(async () => {
    client = new EngineClient({ urls: [url()] });
    engine = await detectEngine(client);
    await installPacketTemplate(client, { indexPattern: `${index}-%Y.%m.%d` });
    await ingestFiles({ dataDir: join(dir, 'local') }, files);
    const r = await ingestFilesToEngine(files, { dataDir: join(dir, 'engine'), client, indexPattern: `${index}-%Y.%m.%d` });
    assert.equal(r.delivery.dead, 0);
    await client.request({ method: 'POST', path: `/${index}-*/_refresh` });
    store = openLocalStore({ dataDir: join(dir, 'local'), readonly: true });
  });
  after(async () => {
    store?.close();
    if (client) {
      await client.request({ method: 'DELETE', path: `/${index}-*` });
      await client.request({ method: 'DELETE', path: `/_index_template/${index}` });
      await client.close();
    }
    cleanup();
  });

  const localIds = (kql: string) => {
    const captures = loadCaptures(store);
    return [...queryLocal(store, { kql }, 'doc')].map((r) => `${captures.get(r.capture)!.captureId}-${r.frame}`);
  };
  const engineIds = async (kql: string, pageSize?: number) => {
    const ids: string[] = [];
    for await (const h of searchEngine(client, engine, { kql, index: `${index}-*`, pageSize })) ids.push(h.id);
    return ids;
  };

  for (const kql of [...KQL_BATTERY.map(([k]) => k), ...EXTRA]) {
    test(kql, async () => {
      const local = localIds(kql);
      const remote = await engineIds(kql);
      assert.equal(remote.length, local.length, `${kql}: OpenSearch found ${remote.length}, the embedded store ${local.length}`);
      assert.deepEqual([...remote].sort(), [...local].sort());
      assert.equal(new Set(remote).size, remote.length, 'no document twice');
    });
  }

  test('results beyond one page are all there, once, in time order', async () => {
    const ids = await engineIds('*', 997);
    assert.equal(ids.length, localIds('*').length);
    assert.equal(new Set(ids).size, ids.length);
    const times: string[] = [];
    for await (const h of searchEngine(client, engine, { kql: 'network.transport: udp', index: `${index}-*`, pageSize: 333 })) times.push(h.source['@timestamp'] as string);
    const ns = times.map((t) => t.replace(/\.(\d+)Z$/, (_m, f: string) => '.' + f.padEnd(9, '0') + 'Z'));
    assert.deepEqual(ns, [...ns].sort());
  });
});
}
