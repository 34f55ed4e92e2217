import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catchAllCandidates, tsharkIndexTemplate } from './tshark-template.js';
import type { EngineInfo } from './http/engine-info.js';

function engine(distribution: 'opensearch' | 'elasticsearch', text: string, buildFlavor?: string): EngineInfo {
  const [major, minor, patch] = text.split('.').map(Number);
  return {
    distribution,
    version: { major, minor, patch, text },
    clusterName: 'c',
    buildFlavor,
    features: { lifecycle: distribution === 'opensearch' ? 'ism' : 'ilm', dataStreams: true, composableTemplates: true, productHeader: false },
  };
}

describe('tshark index template', () => {
  it('picks the catch-all by engine, the bounded mode always last', () => {
    assert.deepEqual(catchAllCandidates(engine('opensearch', '2.19.1')), ['flat_object', 'bounded']);
    assert.deepEqual(catchAllCandidates(engine('opensearch', '3.8.0')), ['flat_object', 'bounded']);
    assert.deepEqual(catchAllCandidates(engine('opensearch', '2.6.0')), ['bounded']);
    assert.deepEqual(catchAllCandidates(engine('opensearch', '1.3.0')), ['bounded']);
    assert.deepEqual(catchAllCandidates(engine('elasticsearch', '8.15.0', 'default')), ['flattened', 'bounded']);
    assert.deepEqual(catchAllCandidates(engine('elasticsearch', '7.10.2', 'oss')), ['bounded']);
    assert.deepEqual(catchAllCandidates(engine('elasticsearch', '7.2.0', 'default')), ['bounded']);
  });

  it('maps the common fields typed, the rest in the catch-all, and bounds the field count', () => {
    const flat = tsharkIndexTemplate({ catchAll: 'flat_object' });
    assert.equal(flat.name, 'packets');
    const body = flat.body as any;
    assert.deepEqual(body.index_patterns, ['packets-*']);
    const props = body.template.mappings.properties;
    assert.equal(props.layers.properties.tcp.properties.tcp.properties.seq.type, 'long');
    assert.equal(props.layers.properties.ip.properties.ip.properties.src.type, 'ip');
    assert.equal(props.layers.properties.tcp.properties.tcp.properties.flags.properties.syn.type, 'boolean');
    assert.equal(props['@timestamp'].type, 'date_nanos');
    assert.equal(props.layers_other.type, 'flat_object');
    assert.equal(props.layers_overflow.enabled, false);
    assert.equal(body.template.mappings.dynamic, false);
    assert.equal(body.template.settings['index.mapping.total_fields.limit'], undefined);

    const bounded = tsharkIndexTemplate({ catchAll: 'bounded', fieldLimitCount: 500, indexPattern: 'pk-%Y.%m.%d' }).body as any;
    assert.deepEqual(bounded.index_patterns, ['pk-*']);
    assert.equal(bounded.template.mappings.properties.layers_other.dynamic, true);
    const limit = bounded.template.settings['index.mapping.total_fields.limit'];
    assert.ok(limit > 1000 && limit < 1000 + 500 * 2 + 400, String(limit));
    assert.equal((tsharkIndexTemplate({ catchAll: 'flattened' }).body as any).template.mappings.properties.layers_other.type, 'flattened');
  });
});
