import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHoneypotIndexPrefix, honeypotIndexName, honeypotIndexTemplate } from './honeypot-template.js';
import { HONEYPOT_FIELDS } from '../../decoders/honeypot/honeypot-fields.js';

function mappingOf(body: any, dotted: string): any {
  let node = body.template.mappings;
  for (const p of dotted.split('.')) node = node.properties?.[p];
  return node;
}

test('the honeypot template maps every field explicitly, with the right types', () => {
  const { name, body } = honeypotIndexTemplate();
  const b = body as any;
  assert.equal(name, 'sluice-honeypot');
  assert.deepEqual(b.index_patterns, ['sluice-honeypot-*']);
  assert.equal(b.template.mappings.dynamic, false);
  assert.equal(b.template.settings['index.codec'], 'best_compression');
  assert.equal(mappingOf(b, '@timestamp').type, 'date_nanos');
  assert.equal(mappingOf(b, 'source.ip').type, 'ip');
  assert.equal(mappingOf(b, 'destination.ip').type, 'ip');
  assert.equal(mappingOf(b, 'related.ip').type, 'ip');
  assert.equal(mappingOf(b, 'source.port').type, 'integer');
  assert.equal(mappingOf(b, 'event.duration').type, 'long');
  assert.deepEqual(mappingOf(b, 'process.command_line'), { type: 'keyword', ignore_above: 8191, fields: { text: { type: 'text' } } });
  assert.deepEqual(mappingOf(b, 'url.full').fields, { text: { type: 'text' } });
  assert.deepEqual(mappingOf(b, 'event.original'), { type: 'keyword', index: false, doc_values: false });
  assert.deepEqual(mappingOf(b, 'cowrie.extra'), { type: 'object', enabled: false });
  assert.equal(mappingOf(b, 'cowrie.session').type, 'keyword');
  assert.equal(mappingOf(b, 'cowrie.kex.kex_algs').type, 'keyword');
  for (const f of HONEYPOT_FIELDS) assert.ok(mappingOf(b, f.name), `${f.name} is mapped`);
});

test('the prefix is configurable and checked; daily index names use the UTC date of the timestamp', () => {
  const { name, body } = honeypotIndexTemplate({ prefix: 'hp-test', refreshIntervalSecs: 1, replicas: 1 });
  assert.equal(name, 'hp-test');
  assert.deepEqual((body as any).index_patterns, ['hp-test-*']);
  assert.equal((body as any).template.settings['index.refresh_interval'], '1s');
  assert.equal((body as any).template.settings['index.number_of_replicas'], 1);
  assert.equal(honeypotIndexName('2026-04-18T23:59:59.999999Z'), 'sluice-honeypot-2026.04.18');
  assert.equal(honeypotIndexName('2018-05-06T17:44:05.866769Z', 'hp'), 'hp-2018.05.06');
  for (const bad of ['', 'Upper', '-x', '_x', 'a*b', 'a b', 'a/b', 'a,b']) {
    assert.throws(() => checkHoneypotIndexPrefix(bad), (e: any) => e.code === 'SLUICE_ENGINE_OPTIONS', bad);
  }
  checkHoneypotIndexPrefix('sluice-honeypot.v2');
});
