import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessLogPipeline } from '../../pipeline/logs/access-log-pipeline.js';
import { toLogDocument } from '../../pipeline/logs/log-document.js';
import { rawDocument } from '../../cli/commands/ship-command.js';
import { decodeAccessRecord, PoisonRecordError } from './kafka-record-decoder.js';

const LINE = '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"';
const pipeline = new AccessLogPipeline({ parser: { format: 'apache_combined' } });
const pos = { fileId: 'f1a2', offset: 4096 };
const headers = (h: Record<string, string>) => new Map(Object.entries(h).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));

test('a parsed record becomes the same document id and index as a direct tail would give', () => {
  const shipped = toLogDocument(pipeline.parse(LINE, pos), pos, 'access', pipeline.indexPattern, 0);
  const doc = decodeAccessRecord({ key: Buffer.from(shipped.id), value: shipped.body, headers: headers({ 'sluice.dataset': 'access', 'sluice.format': 'ecs', 'sluice.file_id': 'f1a2', 'sluice.offset': '4096' }), timestampMs: 0 }, pipeline);
  assert.equal(doc.id, 'f1a2-4096');
  assert.equal(doc.target, pipeline.process(LINE, pos).target);
  assert.equal(JSON.parse(doc.body.toString())['url']['original'], '/presentations/logstash-monitorama-2013/images/kibana-search.png');
});

test('a raw record goes through the whole pipeline; the position may come from the body', () => {
  const raw = rawDocument(LINE, pos, 0);
  const doc = decodeAccessRecord({ key: Buffer.from(raw.id), value: raw.body, headers: new Map(), timestampMs: 0 }, pipeline);
  assert.equal(doc.id, 'f1a2-4096');
  assert.equal(JSON.parse(doc.body.toString())['http']['response']['status_code'], 200);
});

test('poison records are refused with a reason', () => {
  const h = headers({ 'sluice.file_id': 'f', 'sluice.offset': '1' });
  const reason = (value: string, hh = h, key?: string) => {
    try {
      decodeAccessRecord({ key: key === undefined ? undefined : Buffer.from(key), value: Buffer.from(value), headers: hh, timestampMs: 0 }, pipeline);
      return 'accepted';
    } catch (err) {
      assert.ok(err instanceof PoisonRecordError);
      return err.reason;
    }
  };
  assert.equal(reason('not json {'), 'not_json');
  assert.equal(reason('[1]'), 'not_object');
  assert.equal(reason('{"event":{"kind":"event"}}', new Map()), 'no_position');
  assert.equal(reason('{"message":"x"}'), 'invalid');
  assert.equal(reason('{"event":{"kind":"event"}}', h, 'other-key'), 'wrong_id');
  assert.equal(reason('{}', headers({ 'sluice.dataset': 'honeypot', 'sluice.file_id': 'f', 'sluice.offset': '1' })), 'dataset');
});
