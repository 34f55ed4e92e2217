/**
 * Differential test against Filebeat's own fixtures (elastic/beats filebeat/module/{nginx,apache}/access/test,
 * copied into the shared corpus): our documents must agree with every field Filebeat's expected output
 * defines that we define too, and the fixture logs must parse without errors where Filebeat's do.
 * Also: the 10,000-line Elastic example Apache log, and the Apache error log that must be refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccessLogParser, type AccessLogDocument, type AccessLogPreset } from '../../../src/decoders/access-log/index.js';
import { isSluiceError } from '../../../src/errors.js';
import { CORPUS_DIR } from '../../support/tshark.js';

const DIR = join(CORPUS_DIR, 'access-logs');

/** Lines of a file with their byte offsets (what the tail source hands the parser). */
function linesOf(file: string): { line: string; offset: number }[] {
  const buf = readFileSync(join(DIR, file));
  const out: { line: string; offset: number }[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    const line = buf.toString('utf8', start, end);
    if (line.trim() !== '') out.push({ line, offset: start });
    start = end + 1;
  }
  return out;
}

function parseFile(file: string, format: AccessLogPreset) {
  const parser = createAccessLogParser({ format });
  const docs = linesOf(file).map(({ line, offset }) => parser.parseLine(line, offset));
  return { parser, docs };
}

/** `{a: {b: 1}}` → `{ 'a.b': 1 }`; arrays are values. */
function flatten(obj: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out[prefix] = obj;
  return out;
}

/**
 * Filebeat fields we do not produce, and why. Every Filebeat field is either compared or matched
 * by one of these rules; a rule must not hide a field we do produce (checked below).
 */
const NOT_PRODUCED: [pattern: RegExp, reason: string][] = [
  [/^(fileset\.name|input\.type|service\.type)$/, 'Filebeat module/input bookkeeping, not a property of the line'],
  [/^user_agent\.(?!original$)/, 'parsed user-agent fields come from the user-agent enricher (src/enrichers/user-agent), not the parser'],
  [/^source\.(geo|as)\./, 'GeoIP fields come from the GeoIP enricher (src/enrichers/geoip), and depend on the database version'],
];

/**
 * Placeholders Filebeat's ECS 1.0.0-era pipeline kept: `user.name: "-"`, `http.request.referrer: "-"`,
 * `user_agent.original: "-"`. Later Filebeat pipelines (`(-|%{DATA:user.name})`) and sluice treat
 * `-` as "absent" — an ECS keyword of "-" matches nothing useful and pollutes terms aggregations.
 */
const DASH_PLACEHOLDERS = new Set(['user.name', 'http.request.referrer', 'user_agent.original']);

/** Defined by both, different on purpose: we emit the ECS version we follow (8.x), the fixture says 1.0.0. */
const VERSIONED = new Set(['ecs.version']);

test('nginx: every field of Filebeat\'s expected output that we define has Filebeat\'s value', () => {
  const expected = JSON.parse(readFileSync(join(DIR, 'filebeat-nginx-access-test.log-expected.json'), 'utf8')) as Record<string, unknown>[];
  const { parser, docs } = parseFile('filebeat-nginx-access-test.log', 'nginx_combined');
  assert.equal(docs.length, expected.length);
  let compared = 0;
  const skipped = new Map<string, string>();
  for (let i = 0; i < expected.length; i++) {
    const ours = flatten(docs[i]);
    for (const [key, value] of Object.entries(expected[i])) {
      if (VERSIONED.has(key)) {
        assert.ok(key in ours, `document ${i}: ${key} missing`);
        continue;
      }
      if (value === '-' && DASH_PLACEHOLDERS.has(key)) {
        assert.equal(ours[key], undefined, `document ${i}: "-" in ${key} should be absent`);
        skipped.set(key, '"-" placeholder');
        continue;
      }
      const rule = NOT_PRODUCED.find(([re]) => re.test(key));
      if (rule !== undefined) {
        assert.equal(ours[key], undefined, `document ${i}: ${key} is allow-listed as not produced (${rule[1]}) but we produce it: compare it instead`);
        skipped.set(key, rule[1]);
        continue;
      }
      assert.ok(key in ours, `document ${i} (log.offset ${String(expected[i]['log.offset'])}): Filebeat defines ${key} = ${JSON.stringify(value)}, we do not (and it is not allow-listed)`);
      assert.deepEqual(ours[key], value, `document ${i} (log.offset ${String(expected[i]['log.offset'])}): ${key}`);
      compared++;
    }
    // Our own additions that Filebeat's later pipelines have too.
    assert.deepEqual(docs[i].event.category, ['web']);
    assert.equal(docs[i].event.outcome, (docs[i].http?.response?.status_code ?? 0) < 400 ? 'success' : 'failure');
    assert.equal(docs[i].event.original, linesOf('filebeat-nginx-access-test.log')[i].line);
  }
  console.log(`compared ${compared} field values over ${docs.length} documents; not compared: ${[...skipped].map(([k, r]) => `${k} (${r})`).join('; ')}`);
  assert.ok(compared >= 80, `only ${compared} values compared`);
  assert.deepEqual(parser.stats, { parsed: 7, unparsed: 0, malformed: 1 });
  assert.equal(docs[6].sluice?.access.malformed, 'empty', 'the "" request (400) is flagged');
});

const FIXTURES: [file: string, format: AccessLogPreset, lines: number, malformed: number][] = [
  ['filebeat-apache-access-test.log', 'apache_combined', 7, 2],
  ['filebeat-apache-darwin-2.4.23.log', 'apache_common', 6, 1],
  ['filebeat-nginx-access.log', 'nginx_combined', 13, 0],
];

for (const [file, format, lines, malformed] of FIXTURES) {
  test(`${file} (${format}): every line parses without error, as in Filebeat's expected output`, () => {
    const { parser, docs } = parseFile(file, format);
    for (const d of docs) {
      assert.equal(d.event.kind, 'event', `${d.event.original}: ${d.error?.message}`);
      assert.equal(d.error, undefined, d.event.original);
      assert.ok(d['@timestamp'], d.event.original);
      assert.ok(d.source?.address, d.event.original);
      assert.ok(d.http?.response?.status_code, d.event.original);
    }
    assert.deepEqual(parser.stats, { parsed: lines, unparsed: 0, malformed });
  });
}

test('filebeat-apache-access-test.log: the awkward lines read as Filebeat reads them', () => {
  const { docs } = parseFile('filebeat-apache-access-test.log', 'apache_combined');
  const byOffset = new Map(docs.map((d) => [d.log.offset, d]));
  // Values from Filebeat's apache test.log-expected.json (method there is lower-cased by an old pipeline; ECS now keeps its case).
  assert.deepEqual(byOffset.get(0)?.source, { address: '::1', ip: '::1' });
  assert.equal(byOffset.get(0)?.['@timestamp'], '2016-12-26T14:16:29.000Z');
  assert.equal(byOffset.get(238)?.http?.response?.status_code, 408);
  assert.equal(byOffset.get(238)?.http?.request, undefined);
  assert.deepEqual(byOffset.get(443)?.source, { address: 'monitoring-server', domain: 'monitoring-server' });
  assert.equal(byOffset.get(603)?.http?.response?.body?.bytes, 152);
  assert.deepEqual(byOffset.get(666)?.destination, { domain: 'vhost1.domaine.fr' });
  assert.equal(byOffset.get(666)?.source?.ip, '123.123.123.123');
});

test('elastic-examples-apache_logs.log: 10,000 real lines, counted, cross-checked field by field', () => {
  const rows = linesOf('elastic-examples-apache_logs.log');
  const { parser, docs } = parseFile('elastic-examples-apache_logs.log', 'apache_combined');
  const unparsed = docs.filter((d) => d.event.kind === 'pipeline_error');
  const malformed = docs.filter((d) => d.sluice?.access.malformed !== undefined);
  console.log(`elastic-examples-apache_logs.log: ${JSON.stringify(parser.stats)}`);
  for (const d of unparsed) console.log(`  unparsed at ${d.log.offset}: ${d.event.original}`);
  for (const d of malformed) console.log(`  malformed (${d.sluice?.access.malformed}) at ${d.log.offset}: ${d.event.original}`);
  assert.equal(docs.length, 10_000);
  assert.equal(parser.stats.parsed + parser.stats.unparsed, 10_000);
  // An unparsed line must really be unparseable: not even a loose CLF shape.
  const LOOSE = /^\S+ \S+ .*? \[[^\]]+\] ".*" \d{3} (?:\d+|-)/;
  for (const d of unparsed) assert.ok(!LOOSE.test(d.event.original), `parseable line left unparsed: ${d.event.original}`);
  // Independent cross-check of every parsed line with a different method (split on quotes).
  let bytes = 0;
  let ourBytes = 0;
  for (let i = 0; i < rows.length; i++) {
    const d = docs[i];
    if (d.event.kind !== 'event') continue;
    const q = rows[i].line.split('"');
    const [status, size] = q[2].trim().split(' ');
    assert.equal(d.http?.response?.status_code, Number(status), rows[i].line);
    if (size !== '-') bytes += Number(size);
    ourBytes += d.http?.response?.body?.bytes ?? 0;
    assert.equal(d.source?.ip, rows[i].line.slice(0, rows[i].line.indexOf(' ')), rows[i].line);
    assert.equal(d.user_agent?.original, q[5] === '-' ? undefined : q[5].replace(/\\x([0-9a-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), rows[i].line);
    assert.ok(d['@timestamp']?.startsWith('2015-05-'), rows[i].line);
  }
  assert.equal(ourBytes, bytes);
  assert.equal(parser.stats.unparsed, unparsed.length);
  assert.equal(parser.stats.malformed, malformed.length);
});

test('loghub Apache error log: refused up front with SLUICE_LOG_WRONG_KIND; line by line every line is kept and named', () => {
  const head = readFileSync(join(DIR, 'loghub-Apache_2k-ERRORLOG.log')).subarray(0, 4096).toString('utf8');
  const parser = createAccessLogParser({ format: 'apache_combined' });
  assert.throws(
    () => parser.checkHead(head, 'loghub-Apache_2k-ERRORLOG.log'),
    (e) => isSluiceError(e, 'SLUICE_LOG_WRONG_KIND') && /Apache error log/.test(e.message) && /CustomLog/.test(e.message),
  );
  const docs: AccessLogDocument[] = linesOf('loghub-Apache_2k-ERRORLOG.log').map(({ line, offset }) => parser.parseLine(line, offset));
  assert.equal(docs.length, 2000);
  assert.deepEqual(parser.stats, { parsed: 0, unparsed: 2000, malformed: 0 });
  for (const d of docs) assert.match(d.error?.message ?? '', /Apache error-log line/);
});
