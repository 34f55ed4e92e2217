import { test } from 'node:test';
import assert from 'node:assert/strict';
import { packetIndexTemplate, templatePattern } from './index-template.js';
import { FIELDS } from '../../query/fields.js';

function mappingOf(body: any, dotted: string): any {
  let node = body.template.mappings;
  for (const p of dotted.split('.')) node = node.properties?.[p];
  return node;
}

test('the packet template maps every queryable field explicitly, with the right types', () => {
  const { name, body } = packetIndexTemplate();
  assert.equal(name, 'sluice-packets');
  assert.deepEqual(body.index_patterns, ['sluice-packets-*']);
  const b = body as any;
  assert.equal(b.template.mappings.dynamic, false);
  assert.equal(b.template.settings['index.codec'], 'best_compression');
  assert.equal(mappingOf(b, '@timestamp').type, 'date_nanos');
  assert.equal(mappingOf(b, 'source.ip').type, 'ip');
  assert.equal(mappingOf(b, 'destination.port').type, 'integer');
  assert.equal(mappingOf(b, 'dns.question.name').type, 'keyword');
  assert.equal(mappingOf(b, 'network.bytes').type, 'long');
  assert.deepEqual(mappingOf(b, 'packet.raw'), { type: 'binary', doc_values: false, store: false });
  for (const f of FIELDS) {
    if (f.sql.kind === 'constant' && f.name !== 'ecs.version' && !f.name.startsWith('event.')) continue;
    assert.ok(mappingOf(b, f.es), `${f.es} is mapped`);
  }
});

test('custom daily patterns, like the original packets-YYYY-MM-DD, get a matching template', () => {
  assert.equal(templatePattern('packets-%Y-%m-%d'), 'packets-*');
  const { name, body } = packetIndexTemplate({ indexPattern: 'packets-%Y-%m-%d', refreshIntervalSecs: 30 });
  assert.equal(name, 'packets');
  assert.equal((body as any).template.settings['index.refresh_interval'], '30s');
});

test('with a data stream the template targets one stream named after the pattern', async () => {
  const { dataStreamName, searchTarget } = await import('./index-template.js');
  assert.equal(dataStreamName('sluice-packets-%Y.%m.%d'), 'sluice-packets');
  assert.equal(dataStreamName('packets-%Y-%m-%d'), 'packets');
  assert.equal(searchTarget('packets-%Y-%m-%d', false), 'packets-*');
  assert.equal(searchTarget('packets-%Y-%m-%d', true), 'packets');
  const { body } = packetIndexTemplate({ dataStream: true });
  assert.deepEqual((body as any).index_patterns, ['sluice-packets']);
  assert.deepEqual((body as any).data_stream, {});
});
