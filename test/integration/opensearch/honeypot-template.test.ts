/**
 * The honeypot index template on a real OpenSearch 2.x: installed under a test prefix, every event
 * of both corpus Cowrie logs indexed into daily indices with `create` and position ids through the
 * EngineClient, then the counts per eventid compared with counts made independently from the raw
 * files, the mappings checked (ip, date_nanos with microseconds), and term queries on source.ip
 * and cowrie.session run. A second bulk of the same lines adds nothing (409s). Indices and the
 * template are deleted afterwards.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { honeypotIndexName, installHoneypotTemplate } from '../../../src/sinks/elasticsearch/honeypot-template.js';
import { parseCowrieLine } from '../../../src/decoders/honeypot/parse-cowrie-line.js';
import { cowrieEventToEcs } from '../../../src/decoders/honeypot/cowrie-ecs.js';
import { cowriePositionId } from '../../../src/decoders/honeypot/cowrie-content-id.js';
import { CORPUS_LOGS, HONEYPOT_CORPUS_DIR, corpusLines } from '../../../src/decoders/honeypot/test-support.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';

const skip = skipWithoutOpenSearch(2);
const PREFIX = `sluice-honeypot-test-${process.pid}`;

/** The bulk body of both logs: one `create` per line, id = <log name>-<byte offset>, daily index by UTC date. */
function bulkBody(): { body: string; items: number } {
  let body = '';
  let items = 0;
  for (const log of CORPUS_LOGS) {
    for (const { line, offset } of corpusLines(log)) {
      if (line.length === 0) continue;
      const r = parseCowrieLine(line, { offset, terminated: true });
      assert.ok(r.ok, `${log}@${offset} parses`);
      const doc = cowrieEventToEcs(r.event, { filePath: log, offset });
      body += JSON.stringify({ create: { _index: honeypotIndexName(r.event.timestamp, PREFIX), _id: cowriePositionId(log, offset) } }) + '\n' + JSON.stringify(doc) + '\n';
      items++;
    }
  }
  return { body, items };
}

/** Counts per eventid straight from the files (JSON.parse per line, like jq). */
function rawCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const log of CORPUS_LOGS) {
    for (const l of readFileSync(join(HONEYPOT_CORPUS_DIR, log), 'utf8').split('\n')) {
      if (l.trim() === '') continue;
      const id = (JSON.parse(l) as { eventid: string }).eventid;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe('honeypot template on OpenSearch 2.x', { skip }, () => {
  const client = skip ? (undefined as unknown as EngineClient) : new EngineClient({ urls: [openSearchUrl(2)!] });
  after(async () => {
    if (skip) return;
    await client.request({ method: 'DELETE', path: `/${PREFIX}-*` }).catch(() => undefined);
    await client.request({ method: 'DELETE', path: `/_index_template/${PREFIX}` }).catch(() => undefined);
    await client.close();
  });

  test('every corpus event is indexed once, counts per eventid match the raw files, term queries work', { timeout: 120_000 }, async () => {
    const name = await installHoneypotTemplate(client, { prefix: PREFIX, refreshIntervalSecs: 1 });
    assert.equal(name, PREFIX);

    const { body, items } = bulkBody();
    const res = await client.request({ method: 'POST', path: '/_bulk', body, ndjson: true });
    assert.equal(res.status, 200);
    const answer = res.json<{ errors: boolean; items: { create: { status: number; error?: unknown } }[] }>();
    const failures = answer.items.filter((i) => i.create.status !== 201).map((i) => JSON.stringify(i.create.error ?? i.create.status));
    assert.deepEqual(failures, [], 'every document was created');
    assert.equal(answer.items.length, items);

    // The same lines again: deterministic ids + create = nothing new.
    const again = await client.request({ method: 'POST', path: '/_bulk', body, ndjson: true });
    const statuses = new Set(again.json<{ items: { create: { status: number } }[] }>().items.map((i) => i.create.status));
    assert.deepEqual([...statuses], [409]);

    await client.request({ method: 'POST', path: `/${PREFIX}-*/_refresh` });

    const indices = (await client.request({ method: 'GET', path: `/_cat/indices/${PREFIX}-*`, query: { h: 'index', format: 'json' } })).json<{ index: string }[]>();
    assert.deepEqual(indices.map((i) => i.index).sort(), [`${PREFIX}-2018.05.06`, `${PREFIX}-2026.04.18`]);

    const mapping = (await client.request({ method: 'GET', path: `/${PREFIX}-2026.04.18/_mapping` })).json<Record<string, any>>();
    const props = mapping[`${PREFIX}-2026.04.18`].mappings.properties;
    assert.equal(props.source.properties.ip.type, 'ip');
    assert.equal(props['@timestamp'].type, 'date_nanos');
    assert.equal(props.process.properties.command_line.fields.text.type, 'text');

    const agg = await client.request({
      method: 'POST',
      path: `/${PREFIX}-*/_search`,
      body: { size: 0, track_total_hits: true, aggs: { ids: { terms: { field: 'cowrie.eventid', size: 100 } } } },
    });
    const result = agg.json<{ hits: { total: { value: number } }; aggregations: { ids: { buckets: { key: string; doc_count: number }[] } } }>();
    assert.equal(result.hits.total.value, items);
    const engineCounts = new Map(result.aggregations.ids.buckets.map((b) => [b.key, b.doc_count]));
    assert.deepEqual(new Map([...engineCounts].sort()), new Map([...rawCounts()].sort()));

    // Term query on source.ip: the 2026 log's single attacker.
    const byIp = await client.request({ method: 'POST', path: `/${PREFIX}-*/_count`, body: { query: { term: { 'source.ip': '35.179.124.8' } } } });
    assert.equal(byIp.json<{ count: number }>().count, 496);
    // A CIDR term works because source.ip is an ip field.
    const byCidr = await client.request({ method: 'POST', path: `/${PREFIX}-*/_count`, body: { query: { term: { 'source.ip': '88.223.0.0/16' } } } });
    const raw2018 = readFileSync(join(HONEYPOT_CORPUS_DIR, CORPUS_LOGS[0]), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { src_ip: string; input?: string; session: string });
    assert.equal(byCidr.json<{ count: number }>().count, raw2018.filter((d) => d.src_ip.startsWith('88.223.')).length);

    // Term query on cowrie.session: the 2018 session that logged in and ran commands.
    const session = await client.request({
      method: 'POST',
      path: `/${PREFIX}-*/_search`,
      body: { size: 100, query: { term: { 'cowrie.session': 'ef410359268d' } }, sort: [{ '@timestamp': 'asc' }] },
    });
    const hits = session.json<{ hits: { hits: { _source: any; sort: unknown[] }[] } }>().hits.hits;
    const expected = raw2018.filter((d) => d.session === 'ef410359268d').length;
    assert.equal(hits.length, expected);
    assert.ok(hits.length > 5);
    assert.equal(hits[0]._source.event.action, 'session.connect');
    // date_nanos keeps Cowrie's microseconds: the sort value is in nanoseconds.
    assert.equal(String(hits[0].sort[0]).slice(-3), '000');
    assert.notEqual(String(hits[0].sort[0]).slice(-6), '000000');

    // Full-text on the command line's text sub-field.
    const cmd = await client.request({ method: 'POST', path: `/${PREFIX}-*/_count`, body: { query: { match: { 'process.command_line.text': 'find' } } } });
    const withFind = CORPUS_LOGS.flatMap((log) => readFileSync(join(HONEYPOT_CORPUS_DIR, log), 'utf8').split('\n'))
      .filter((l) => l.trim() !== '')
      .filter((l) => (JSON.parse(l) as { input?: string }).input?.split(' ').includes('find')).length;
    assert.ok(withFind > 0);
    assert.equal(cmd.json<{ count: number }>().count, withFind);
  });
});
