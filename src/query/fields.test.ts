import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALIASES, DEFAULT_TEXT_FIELDS, DEFAULT_TEXT_IP_FIELDS, FIELDS, KqlFieldError, getField, resolveField, suggestFields } from './fields.js';
import { isSluiceError } from '../errors.js';

test('catalog: unique names, safe JSON paths, aliases and default fields resolve', () => {
  const names = FIELDS.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  for (const f of FIELDS) {
    if (f.sql.kind === 'json' || f.sql.kind === 'each') assert.match(f.sql.path, /^\$(\.[a-z_][a-z0-9_]*)+$/, f.name);
    if (f.sql.kind === 'each') assert.ok(f.array, f.name);
    if (f.sql.kind === 'each' && f.sql.member !== undefined) assert.match(f.sql.member, /^\$\.[a-z_]+$/, f.name);
  }
  for (const a of ALIASES) for (const t of a.targets) assert.ok(getField(t), `${a.name} → ${t}`);
  for (const n of [...DEFAULT_TEXT_FIELDS, ...DEFAULT_TEXT_IP_FIELDS]) assert.ok(getField(n), n);
});

test('catalog: the fields named in the brief have the expected types and storage', () => {
  const t = (n: string) => {
    const f = getField(n)!;
    return `${f.type}${f.array ? '[]' : ''}${f.numericString ? ' (string)' : ''} ${f.sql.kind === 'column' ? f.sql.expr : f.sql.kind}`;
  };
  assert.equal(t('@timestamp'), 'date p.ts_ns');
  assert.equal(t('source.ip'), 'ip json');
  assert.equal(t('dns.resolved_ip'), 'ip[] each');
  assert.equal(t('dns.answers.data'), 'keyword[] each');
  assert.equal(t('network.iana_number'), 'keyword (string) json');
  assert.equal(t('network.vlan.id'), 'keyword (string) json');
  assert.equal(t('dns.id'), 'keyword (string) json');
  assert.equal(t('network.bytes'), 'long p.orig_len');
  assert.equal(t('packet.length'), 'long p.orig_len');
  assert.equal(t('pcap.frame'), 'long (p.rowid & 4294967295)');
  assert.equal(t('pcap.file'), 'keyword c.doc_file');
  assert.equal(t('pcap.capture_id'), 'keyword c.capture_id');
  assert.equal(t('source_file'), 'keyword c.doc_name');
  assert.equal(t('event.category'), 'keyword[] constant');
  assert.equal(t('packet.vlan_ids'), 'long[] each');
});

test('every field of docs/reference/packet-document.md is in the catalog (and only those)', () => {
  const text = readFileSync(new URL('../../../docs/reference/packet-document.md', import.meta.url), 'utf8');
  const documented = new Set<string>();
  for (const m of text.matchAll(/^\| `([^`]+)` \|/gm)) if (m[1] !== '_id') documented.add(m[1]!.replaceAll('[]', ''));
  const catalog = new Set(FIELDS.map((f) => f.name));
  assert.deepEqual([...documented].filter((n) => !catalog.has(n)), [], 'documented but not queryable');
  assert.deepEqual([...catalog].filter((n) => !documented.has(n)), [], 'queryable but not documented');
});

test('resolveField: aliases, [] notation, unknown fields with suggestions', () => {
  assert.deepEqual(resolveField('ip', 1).map((f) => f.name), ['source.ip', 'destination.ip']);
  assert.deepEqual(resolveField('port', 1).map((f) => f.name), ['source.port', 'destination.port']);
  assert.deepEqual(resolveField('host', 1).map((f) => f.name), ['dns.question.name', 'url.domain', 'tls.client.server_name']);
  assert.deepEqual(resolveField('dns.answers[].data', 1).map((f) => f.name), ['dns.answers.data']);
  assert.throws(() => resolveField('sorce.ip', 7), (e: unknown) => {
    assert.ok(e instanceof KqlFieldError);
    assert.ok(isSluiceError(e, 'SLUICE_QUERY_FIELD'));
    assert.equal(e.stage, 'usage');
    assert.equal(e.column, 7);
    assert.equal(e.field, 'sorce.ip');
    assert.equal(e.suggestions[0], 'source.ip');
    assert.match(e.message, /^query: column 7: unknown field "sorce\.ip"; did you mean "source\.ip"/);
    return true;
  });
  assert.deepEqual(suggestFields('question.name').slice(0, 1), ['dns.question.name']);
  assert.deepEqual(suggestFields('Source.Port')[0], 'source.port');
  assert.deepEqual(suggestFields('completely-unrelated-name'), []);
});

test('docs/reference/query-language.md lists every field of the catalog', () => {
  const text = readFileSync(new URL('../../../docs/reference/query-language.md', import.meta.url), 'utf8');
  for (const f of FIELDS) assert.ok(text.includes(`| \`${f.name}\` | ${f.type}`), f.name);
  for (const n of DEFAULT_TEXT_FIELDS) assert.ok(text.includes(`\`${n}\``), n);
});
