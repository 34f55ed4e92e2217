// Engine detection from the answers of GET / of every supported distribution and version.
//
// Bodies follow the published answers: the 8.12.2 body is a real one from a public gist, the 3.2.0
// body is the example of OpenSearch's "Cluster Information API" page; the others have the same
// fields with the version, Lucene and wire-compatibility values of their release. Headers: every
// Elasticsearch since 7.14 adds `X-elastic-product: Elasticsearch`; 7.10 and OpenSearch do not.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { engineInfoFromRoot, type EngineInfo } from './engine-info.js';
import { detectEngine } from './detect-engine.js';
import { EngineClient } from './engine-client.js';
import type { EngineResponse } from './engine-response.js';
import { rejection, sendJson, startHttp, type TestServer } from './test-support.js';

function response(body: string, headers: Record<string, string>, status = 200): EngineResponse {
  const buf = Buffer.from(body);
  return {
    status,
    headers,
    body: buf,
    node: 'https://es1:9200',
    request: 'GET /',
    text: () => buf.toString(),
    json: <T>() => JSON.parse(buf.toString()) as T,
  };
}

const ES_JSON_7 = { 'content-type': 'application/json; charset=UTF-8' };
const ES_PRODUCT_7 = { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json; charset=UTF-8' };
const ES_PRODUCT_8 = { 'x-elastic-product': 'Elasticsearch', 'content-type': 'application/json' };
const OS_JSON = { 'content-type': 'application/json; charset=UTF-8' };

const ES_7_10_2 = `{
  "name" : "es01",
  "cluster_name" : "docker-cluster",
  "cluster_uuid" : "m8PZ5n2bQb2Xw1Zk4XWg0w",
  "version" : {
    "number" : "7.10.2",
    "build_flavor" : "oss",
    "build_type" : "docker",
    "build_hash" : "747e1cc71def077253878a59143c1f785afa92b9",
    "build_date" : "2021-01-13T00:42:12.435326Z",
    "build_snapshot" : false,
    "lucene_version" : "8.7.0",
    "minimum_wire_compatibility_version" : "6.8.0",
    "minimum_index_compatibility_version" : "6.0.0-beta1"
  },
  "tagline" : "You Know, for Search"
}
`;
const ES_7_17 = `{
  "name" : "node-1",
  "cluster_name" : "logs",
  "cluster_uuid" : "q1yR3S0kTVmK8hGZ2m8Hbw",
  "version" : {
    "number" : "7.17.28",
    "build_flavor" : "default",
    "build_type" : "deb",
    "build_hash" : "139cb5a961d8de68b8e02c45cc47f5289a3623af",
    "build_date" : "2025-02-20T09:05:31.349013687Z",
    "build_snapshot" : false,
    "lucene_version" : "8.11.3",
    "minimum_wire_compatibility_version" : "6.8.0",
    "minimum_index_compatibility_version" : "6.0.0-beta1"
  },
  "tagline" : "You Know, for Search"
}
`;
const ES_8 = `{
  "name": "ip-172-31-93-236",
  "cluster_name": "elasticsearch",
  "cluster_uuid": "fGJXye01S0a1jAf_66yqjw",
  "version": {
    "number": "8.12.2",
    "build_flavor": "default",
    "build_type": "tar",
    "build_hash": "48a287ab9497e852de30327444b0809e55d46466",
    "build_date": "2024-02-19T10:04:32.774273190Z",
    "build_snapshot": false,
    "lucene_version": "9.9.2",
    "minimum_wire_compatibility_version": "7.17.0",
    "minimum_index_compatibility_version": "7.0.0"
  },
  "tagline": "You Know, for Search"
}`;
const ES_9 = `{
  "name" : "es-node-0",
  "cluster_name" : "docker-cluster",
  "cluster_uuid" : "cV0gk7WvQ4q8y1sQm1xS6A",
  "version" : {
    "number" : "9.0.0",
    "build_flavor" : "default",
    "build_type" : "docker",
    "build_hash" : "112859b85d50de2a7e63f73c8fc70b99eea24291",
    "build_date" : "2025-04-08T15:13:46.049795831Z",
    "build_snapshot" : false,
    "lucene_version" : "10.1.0",
    "minimum_wire_compatibility_version" : "8.18.0",
    "minimum_index_compatibility_version" : "8.0.0"
  },
  "tagline" : "You Know, for Search"
}
`;
const ES_SERVERLESS = `{"name":"serverless","cluster_name":"abc123","cluster_uuid":"x","version":{"number":"8.11.0","build_flavor":"serverless","build_type":"docker","build_hash":"00000000","build_date":"2023-10-31","build_snapshot":false,"lucene_version":"9.7.0","minimum_wire_compatibility_version":"8.11.0","minimum_index_compatibility_version":"8.11.0"},"tagline":"You Know, for Search"}`;
const OS_1_3 = `{
  "name" : "opensearch-node1",
  "cluster_name" : "opensearch-cluster",
  "cluster_uuid" : "Zq2X3F3cR4KkPpD0x2r1Vw",
  "version" : {
    "distribution" : "opensearch",
    "number" : "1.3.20",
    "build_type" : "tar",
    "build_hash" : "2f6f6f9d5e3c6cc4a0ec8be1e7bc9ab0d4f3e0a1",
    "build_date" : "2024-11-19T23:05:40.478263Z",
    "build_snapshot" : false,
    "lucene_version" : "8.10.1",
    "minimum_wire_compatibility_version" : "6.8.0",
    "minimum_index_compatibility_version" : "6.0.0-beta1"
  },
  "tagline" : "The OpenSearch Project: https://opensearch.org/"
}
`;
const OS_2_19 = `{
  "name" : "opensearch-node1",
  "cluster_name" : "opensearch-cluster",
  "cluster_uuid" : "b2cD0bDyQ-mV7b6bRq0kGw",
  "version" : {
    "distribution" : "opensearch",
    "number" : "2.19.1",
    "build_type" : "tar",
    "build_hash" : "2e4741fb45d1b150aaeeadf66d41445b23ff5982",
    "build_date" : "2025-02-27T01:16:47.726162386Z",
    "build_snapshot" : false,
    "lucene_version" : "9.12.1",
    "minimum_wire_compatibility_version" : "7.10.0",
    "minimum_index_compatibility_version" : "7.0.0"
  },
  "tagline" : "The OpenSearch Project: https://opensearch.org/"
}
`;
const OS_3 = `{
  "name": "opensearch-node1",
  "cluster_name": "opensearch-cluster",
  "cluster_uuid": "sQj1b9cZQICv0b8iYc3y5A",
  "version": {
    "distribution": "opensearch",
    "number": "3.2.0",
    "build_type": "tar",
    "build_hash": "abc123def456",
    "build_date": "2025-06-18T12:34:56.000Z",
    "build_snapshot": false,
    "lucene_version": "9.10.0",
    "minimum_wire_compatibility_version": "7.10.0",
    "minimum_index_compatibility_version": "7.0.0"
  },
  "tagline": "The OpenSearch Project: https://opensearch.org/"
}`;
const OS_COMPAT = OS_1_3.replace('"number" : "1.3.20"', '"number" : "7.10.2"');

type Expect = Pick<EngineInfo, 'distribution' | 'clusterName'> & { version: [number, number, number]; features: EngineInfo['features'] };
const CASES: [string, string, Record<string, string>, Expect][] = [
  ['Elasticsearch 7.10.2 (oss)', ES_7_10_2, ES_JSON_7, { distribution: 'elasticsearch', clusterName: 'docker-cluster', version: [7, 10, 2], features: { lifecycle: 'ilm', dataStreams: true, composableTemplates: true, productHeader: false } }],
  ['Elasticsearch 7.17', ES_7_17, ES_PRODUCT_7, { distribution: 'elasticsearch', clusterName: 'logs', version: [7, 17, 28], features: { lifecycle: 'ilm', dataStreams: true, composableTemplates: true, productHeader: true } }],
  ['Elasticsearch 8.12', ES_8, ES_PRODUCT_8, { distribution: 'elasticsearch', clusterName: 'elasticsearch', version: [8, 12, 2], features: { lifecycle: 'ilm', dataStreams: true, composableTemplates: true, productHeader: true } }],
  ['Elasticsearch 9.0', ES_9, ES_PRODUCT_8, { distribution: 'elasticsearch', clusterName: 'docker-cluster', version: [9, 0, 0], features: { lifecycle: 'ilm', dataStreams: true, composableTemplates: true, productHeader: true } }],
  ['OpenSearch 1.3', OS_1_3, OS_JSON, { distribution: 'opensearch', clusterName: 'opensearch-cluster', version: [1, 3, 20], features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader: false } }],
  ['OpenSearch 2.19', OS_2_19, OS_JSON, { distribution: 'opensearch', clusterName: 'opensearch-cluster', version: [2, 19, 1], features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader: false } }],
  ['OpenSearch 3.2', OS_3, OS_JSON, { distribution: 'opensearch', clusterName: 'opensearch-cluster', version: [3, 2, 0], features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader: false } }],
  ['OpenSearch 1.x with override_main_response_version', OS_COMPAT, OS_JSON, { distribution: 'opensearch', clusterName: 'opensearch-cluster', version: [7, 10, 2], features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader: false } }],
];

for (const [name, body, headers, expected] of CASES) {
  test(`detects ${name}`, () => {
    const info = engineInfoFromRoot(response(body, headers));
    assert.equal(info.distribution, expected.distribution);
    assert.equal(info.clusterName, expected.clusterName);
    assert.deepEqual([info.version.major, info.version.minor, info.version.patch], expected.version);
    assert.deepEqual(info.features, expected.features);
    assert.equal(info.version.text, (JSON.parse(body) as { version: { number: string } }).version.number);
  });
}

test('feature thresholds: composable templates from Elasticsearch 7.8, data streams from 7.9', () => {
  const es = (n: string): EngineInfo => engineInfoFromRoot(response(ES_7_10_2.replace('7.10.2', n), ES_JSON_7));
  assert.deepEqual([es('7.7.1').features.composableTemplates, es('7.7.1').features.dataStreams], [false, false]);
  assert.deepEqual([es('7.8.0').features.composableTemplates, es('7.8.0').features.dataStreams], [true, false]);
  assert.deepEqual([es('7.9.3').features.composableTemplates, es('7.9.3').features.dataStreams], [true, true]);
  assert.equal(engineInfoFromRoot(response(ES_SERVERLESS, ES_PRODUCT_8)).buildFlavor, 'serverless');
  assert.equal(engineInfoFromRoot(response(ES_8, ES_PRODUCT_8)).buildFlavor, 'default');
  assert.equal(engineInfoFromRoot(response(OS_2_19, OS_JSON)).buildFlavor, undefined);
});

test('foreign servers and old Elasticsearch are SLUICE_ENGINE_UNSUPPORTED with a clear message', () => {
  const bad = (body: string, headers: Record<string, string>, pattern: RegExp): void =>
    assert.throws(() => engineInfoFromRoot(response(body, headers)), (e: Error & { code?: string }) => e.code === 'SLUICE_ENGINE_UNSUPPORTED' && pattern.test(e.message));
  bad('<!DOCTYPE html><html><head><title>Elastic</title></head><body>Kibana</body></html>', { 'content-type': 'text/html; charset=utf-8' }, /returned an HTML page.*not at Kibana/);
  bad('{"status":"green"}', { 'content-type': 'application/json' }, /has no version\.number/);
  bad('[1,2]', { 'content-type': 'application/json' }, /has no version\.number|not return a JSON object/);
  bad('null', { 'content-type': 'application/json' }, /not return a JSON object/);
  bad('{"version":{"number":"banana"}}', {}, /is not a version/);
  bad('{"version":{"number":"2.0.0","distribution":"solr"}}', {}, /distribution "solr"/);
  bad(ES_7_10_2.replace('7.10.2', '6.8.23'), ES_JSON_7, /runs Elasticsearch 6\.8\.23; sluice needs Elasticsearch 7\.0 or later/);
});

const servers: TestServer[] = [];
const clients: EngineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

test('detectEngine: GET / on a live server; 401 → SLUICE_ENGINE_AUTH, 5xx → SLUICE_ENGINE_UNREACHABLE, 404/HTML → SLUICE_ENGINE_UNSUPPORTED', async () => {
  const s = await startHttp((req, res) => {
    const status = Number(req.headers['x-answer'] ?? 200);
    if (status === 200) {
      res.writeHead(200, { ...ES_PRODUCT_8, 'content-length': Buffer.byteLength(ES_9) });
      res.end(ES_9);
    } else if (status === 299) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Login</body></html>');
    } else sendJson(res, status, { error: { reason: `answer ${status}` } });
  });
  servers.push(s);
  const withAnswer = (n: number): EngineClient => {
    const c = new (class extends EngineClient {
      override request(req: Parameters<EngineClient['request']>[0]): ReturnType<EngineClient['request']> {
        return super.request({ ...req, headers: { ...req.headers, 'x-answer': String(n) } });
      }
    })({ urls: [s.url] });
    clients.push(c);
    return c;
  };
  const info = await detectEngine(withAnswer(200));
  assert.equal(info.distribution, 'elasticsearch');
  assert.equal(info.version.major, 9);
  assert.equal(info.features.productHeader, true);
  assert.equal((await rejection(detectEngine(withAnswer(401)))).code, 'SLUICE_ENGINE_AUTH');
  assert.equal((await rejection(detectEngine(withAnswer(403)))).code, 'SLUICE_ENGINE_AUTH');
  const e503 = await rejection(detectEngine(withAnswer(500)));
  assert.equal(e503.code, 'SLUICE_ENGINE_UNREACHABLE');
  assert.match(e503.message, /answered GET \/ with HTTP 500/);
  assert.equal((await rejection(detectEngine(withAnswer(404)))).code, 'SLUICE_ENGINE_UNSUPPORTED');
  const html = await rejection(detectEngine(withAnswer(299)));
  assert.equal(html.code, 'SLUICE_ENGINE_UNSUPPORTED');
  assert.match(html.message, /HTML page/);
});
