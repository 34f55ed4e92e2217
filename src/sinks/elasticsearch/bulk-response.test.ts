import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkOutcomes } from './bulk-response.js';
import { dailyIndex, encodeBulk } from './bulk-encoder.js';

test('bulk items map to created / exists / retry / dead, in order', () => {
  // The shape Elasticsearch and OpenSearch answer with (errors: true and per-item statuses).
  const response = {
    took: 3,
    errors: true,
    items: [
      { create: { _index: 'i', _id: 'a', status: 201, result: 'created' } },
      { create: { _index: 'i', _id: 'b', status: 409, error: { type: 'version_conflict_engine_exception', reason: '[b]: version conflict, document already exists' } } },
      { create: { _index: 'i', _id: 'c', status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } } },
      { create: { _index: 'i', _id: 'd', status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' } } },
      { create: { _index: 'i', _id: 'e', status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [source.port] of type [long]', caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "x"' } } } },
      { create: { _index: 'i', _id: 'f', status: 400, error: { type: 'es_rejected_execution_exception', reason: 'old versions' } } },
    ],
  };
  const out = bulkOutcomes(response, 7);
  assert.deepEqual(out.map((o) => o.kind), ['created', 'exists', 'retry', 'retry', 'dead', 'retry', 'retry']);
  assert.deepEqual(out[4], { kind: 'dead', status: 400, type: 'mapper_parsing_exception', reason: 'failed to parse field [source.port] of type [long]: For input string: "x"' });
});

test('the bulk body is create actions with deterministic ids, one document per line', () => {
  const body = encodeBulk([
    { id: 'abc-1', target: 'sluice-packets-2023.11.14', body: Buffer.from('{"a":1}'), position: 1 },
    { id: 'abc-"2', target: 'x', body: Buffer.from('{"b":2}'), position: 2 },
  ]).toString();
  assert.equal(body, '{"create":{"_index":"sluice-packets-2023.11.14","_id":"abc-1"}}\n{"a":1}\n{"create":{"_index":"x","_id":"abc-\\"2"}}\n{"b":2}\n');
});

test('daily indices are named by the UTC date of the document', () => {
  assert.equal(dailyIndex('sluice-packets-%Y.%m.%d', 1700000000), 'sluice-packets-2023.11.14');
  assert.equal(dailyIndex('packets-%Y-%m-%d', 1704067199), 'packets-2023-12-31');
  assert.equal(dailyIndex('packets-%Y-%m-%d', 1704067200), 'packets-2024-01-01');
  assert.equal(dailyIndex('fixed', 1704067200), 'fixed');
});

test('the one-buffer bulk body equals the plain per-item encoding (escaped ids, non-ASCII, several indices, empty batch)', () => {
  const items = [
    { id: 'cap-1', target: 'a-2024.01.01', body: Buffer.from('{"x":"é"}'), position: 0 },
    { id: 'cap-2', target: 'a-2024.01.01', body: Buffer.from('{}'), position: 1 },
    { id: 'weird\\id\n"é€😀', target: 'b', body: Buffer.from('{"y":[1,2]}'), position: 2 },
    { id: '', target: 'a-2024.01.01', body: Buffer.from('{"z":null}'), position: 3 },
    { id: 'ctrl\u0001', target: 'ä"index', body: Buffer.from('{"w":1}'), position: 4 },
  ];
  const plain = items.map((it) => `{"create":{"_index":${JSON.stringify(it.target)},"_id":${JSON.stringify(it.id)}}}\n${it.body.toString()}\n`).join('');
  const body = encodeBulk(items);
  assert.equal(body.toString('utf8'), plain);
  assert.equal(body.length, Buffer.byteLength(plain));
  for (const line of body.toString('utf8').trimEnd().split('\n')) JSON.parse(line);
  assert.equal(encodeBulk([]).length, 0);
});

test('daily index names stay right when patterns and days alternate (the last answer is cached)', () => {
  const days = [1700000000, 1700000000 + 86_399 - (1700000000 % 86_400), 1704067199, 1704067200, -1, 0, Number.NaN];
  const expected = (p: string, s: number): string => {
    const d = new Date(Number.isFinite(s) ? s * 1000 : 0);
    return p.replace('%Y', String(d.getUTCFullYear())).replace('%m', String(d.getUTCMonth() + 1).padStart(2, '0')).replace('%d', String(d.getUTCDate()).padStart(2, '0'));
  };
  for (const s of days) {
    for (const p of ['sluice-packets-%Y.%m.%d', 'packets-%Y-%m-%d']) {
      assert.equal(dailyIndex(p, s), expected(p, s), `${p} ${s}`);
      assert.equal(dailyIndex(p, s), expected(p, s), `${p} ${s} (cached)`);
    }
  }
  assert.equal(dailyIndex('sluice-packets-%Y.%m.%d', -1), 'sluice-packets-1969.12.31');
});
