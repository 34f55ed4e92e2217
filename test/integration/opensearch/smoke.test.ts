/**
 * OpenSearch smoke test: proves each real engine the suite starts (2.19.1 on Java 17, 3.x on
 * JDK >= 21, see scripts/stack/opensearch.mjs) does what sluice relies on: the version on `GET /`,
 * an index with an explicit mapping (ip, date_nanos, keyword, long), bulk `create` with
 * deterministic `_id`s that answers 409 per item on a replay (exactly-once delivery), and a `term`
 * query with a CIDR on an `ip` field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openSearchUrl, osRequest, skipWithoutOpenSearch, type OpenSearchMajor } from '../../support/opensearch.js';

const EXPECTED: Record<OpenSearchMajor, RegExp> = { 2: /^2\.19\.1$/, 3: /^3\.\d+\.\d+$/ };

const MAPPING = {
  settings: { number_of_shards: 1, number_of_replicas: 0 },
  mappings: {
    dynamic: 'strict',
    properties: {
      '@timestamp': { type: 'date_nanos' },
      source: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
      destination: { properties: { ip: { type: 'ip' } } },
      event: { properties: { kind: { type: 'keyword' }, id: { type: 'keyword' } } },
      network: { properties: { bytes: { type: 'long' } } },
    },
  },
};

const DOCS = [
  { _id: 'pkt-0001', '@timestamp': '2024-05-01T12:00:00.123456789Z', source: { ip: '10.1.2.3', port: 51515 }, destination: { ip: '192.0.2.10' }, event: { kind: 'event', id: 'pkt-0001' }, network: { bytes: 1500 } },
  { _id: 'pkt-0002', '@timestamp': '2024-05-01T12:00:00.123456790Z', source: { ip: '192.168.7.8', port: 443 }, destination: { ip: '10.9.9.9' }, event: { kind: 'event', id: 'pkt-0002' }, network: { bytes: 60 } },
  { _id: 'pkt-0003', '@timestamp': '2024-05-01T12:00:01.000000001Z', source: { ip: '10.200.0.1', port: 53 }, destination: { ip: '2001:db8::1' }, event: { kind: 'alert', id: 'pkt-0003' }, network: { bytes: 9007199254740991 } },
];

function bulkCreate(index: string): object[] {
  const lines: object[] = [];
  for (const { _id, ...doc } of DOCS) lines.push({ create: { _index: index, _id } }, doc);
  return lines;
}

for (const major of [2, 3] as const) {
  const skip = skipWithoutOpenSearch(major);
  describe(`OpenSearch ${major}.x smoke`, { skip }, () => {
    const url = openSearchUrl(major) ?? '';
    const index = `sluice-smoke-${major}-${process.pid}-${Date.now()}`;

    before(async () => {
      const h = await osRequest(url, 'GET', '/_cluster/health?wait_for_status=yellow&timeout=30s');
      assert.equal(h.status, 200, `cluster health at ${url}: ${JSON.stringify(h.body)}`);
    });
    after(async () => {
      await osRequest(url, 'DELETE', `/${index}?ignore_unavailable=true`).catch(() => undefined);
    });

    test('GET / reports the OpenSearch distribution and version', async () => {
      const r = await osRequest(url, 'GET', '/');
      assert.equal(r.status, 200);
      assert.equal(r.body.version.distribution, 'opensearch');
      assert.match(r.body.version.number, EXPECTED[major]);
    });

    test('creates an index with an explicit mapping', async () => {
      const r = await osRequest(url, 'PUT', `/${index}`, MAPPING);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.acknowledged, true);
      const m = await osRequest(url, 'GET', `/${index}/_mapping`);
      const props = m.body[index].mappings.properties;
      assert.equal(props.source.properties.ip.type, 'ip');
      assert.equal(props['@timestamp'].type, 'date_nanos');
      assert.equal(props.event.properties.kind.type, 'keyword');
      assert.equal(props.network.properties.bytes.type, 'long');
    });

    test('bulk create indexes 3 documents under deterministic _ids', async () => {
      const r = await osRequest(url, 'POST', '/_bulk', bulkCreate(index));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.errors, false, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.items.map((i: any) => [i.create._id, i.create.status, i.create.result]),
        DOCS.map((d) => [d._id, 201, 'created']),
      );
    });

    test('replaying the same bulk answers 409 version_conflict_engine_exception per item', async () => {
      const r = await osRequest(url, 'POST', '/_bulk', bulkCreate(index));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.errors, true);
      assert.equal(r.body.items.length, DOCS.length);
      for (const [n, item] of r.body.items.entries()) {
        assert.equal(item.create._id, DOCS[n]._id);
        assert.equal(item.create.status, 409);
        assert.equal(item.create.error.type, 'version_conflict_engine_exception');
      }
    });

    test('refresh, then a term query with a CIDR on an ip field finds the 10/8 sources', async () => {
      const rf = await osRequest(url, 'POST', `/${index}/_refresh`);
      assert.equal(rf.status, 200);
      const count = await osRequest(url, 'GET', `/${index}/_count`);
      assert.equal(count.body.count, 3);
      const r = await osRequest(url, 'POST', `/${index}/_search`, {
        query: { term: { 'source.ip': '10.0.0.0/8' } },
        sort: [{ '@timestamp': 'asc' }],
        docvalue_fields: [{ field: '@timestamp', format: 'strict_date_optional_time_nanos' }, 'network.bytes'],
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.hits.total.value, 2);
      const hits = r.body.hits.hits;
      assert.deepEqual(hits.map((h: any) => h._id), ['pkt-0001', 'pkt-0003']);
      // date_nanos keeps the nanoseconds.
      assert.deepEqual(hits[0].fields['@timestamp'], ['2024-05-01T12:00:00.123456789Z']);
      assert.deepEqual(hits[1].fields['@timestamp'], ['2024-05-01T12:00:01.000000001Z']);
      // An IPv6 CIDR on the other field.
      const v6 = await osRequest(url, 'POST', `/${index}/_search`, { query: { term: { 'destination.ip': '2001:db8::/32' } } });
      assert.deepEqual(v6.body.hits.hits.map((h: any) => h._id), ['pkt-0003']);
    });

    test('deletes the index', async () => {
      const r = await osRequest(url, 'DELETE', `/${index}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const gone = await osRequest(url, 'HEAD', `/${index}`);
      assert.equal(gone.status, 404);
    });
  });
}
