import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ACCESS_LOG_MAPPED_FIELDS } from '../decoders/access-log/access-log-mapped-fields.js';
import { HONEYPOT_FIELDS } from '../decoders/honeypot/honeypot-fields.js';
import { runTail } from '../cli/commands/tail-command.js';
import { loadConfig } from '../config/index.js';
import { isSluiceError } from '../errors.js';
import { KqlFieldError, PACKET_CATALOG, type FieldCatalog } from './fields.js';
import { ACCESS_CATALOG, HONEYPOT_CATALOG, catalogForDataset, parseQueryDataset } from './log-field-catalogs.js';
import { compileLogQuery, countLogQuery, openLogQueryDatabase, queryLogEvents } from './log-query-local.js';
import { parseKql } from './kql/parse-kql.js';
import { parseDate } from './kql/values.js';
import { compileSql } from './sql/compile-sql.js';
import { compileEs } from './es/compile-es.js';
import { registerSqlFunctions } from './sql/sql-functions.js';

const CORPUS = new URL('../../../../shared/corpus/', import.meta.url).pathname;

const describeField = (c: FieldCatalog, n: string) => {
  const f = c.get(n);
  if (!f) return c.unqueryable.has(n) ? 'unqueryable' : 'unknown';
  return `${f.type}${f.array ? '[]' : ''} ${f.sql.kind === 'column' ? f.sql.expr : f.sql.kind}`;
};

test('log catalogs: every template field is queryable or named as not queryable, with the brief\'s type mapping', () => {
  for (const [catalog, fields] of [[ACCESS_CATALOG, ACCESS_LOG_MAPPED_FIELDS], [HONEYPOT_CATALOG, HONEYPOT_FIELDS]] as const) {
    assert.equal(catalog.fields.length + catalog.unqueryable.size, fields.length, catalog.dataset);
    for (const { name, type } of fields) {
      const expected = { ip: 'ip', integer: 'long', long: 'long', float: 'long', keyword: 'keyword', text_keyword: 'keyword', date_nanos: 'date', boolean: 'boolean' }[type as string];
      if (expected === undefined) assert.ok(catalog.unqueryable.has(name), `${catalog.dataset} ${name} (${type})`);
      else assert.equal(catalog.get(name)?.type, expected, `${catalog.dataset} ${name} (${type})`);
      const f = catalog.get(name);
      if (f && (f.sql.kind === 'json' || f.sql.kind === 'each')) assert.match(f.sql.path, /^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/, name);
      if (f) assert.equal(f.es, name);
    }
  }
  assert.equal(describeField(ACCESS_CATALOG, '@timestamp'), `date sluice_date_ns(json_extract(e.doc, '$."@timestamp"'))`);
  assert.equal(describeField(ACCESS_CATALOG, 'source.ip'), 'ip json');
  assert.equal(describeField(ACCESS_CATALOG, 'related.ip'), 'ip[] each');
  assert.equal(describeField(ACCESS_CATALOG, 'rule.id'), 'keyword[] each');
  assert.equal(describeField(ACCESS_CATALOG, 'event.category'), 'keyword[] each');
  assert.equal(describeField(ACCESS_CATALOG, 'url.original'), 'keyword json');
  assert.equal(describeField(ACCESS_CATALOG, 'http.response.status_code'), 'long json');
  assert.equal(describeField(ACCESS_CATALOG, 'event.risk_score'), 'long json');
  assert.equal(describeField(ACCESS_CATALOG, 'sluice.user_agent.bot'), 'boolean json');
  assert.equal(describeField(ACCESS_CATALOG, 'message'), 'unqueryable');
  assert.equal(describeField(ACCESS_CATALOG, 'event.original'), 'unqueryable');
  assert.equal(describeField(ACCESS_CATALOG, 'source.geo.location'), 'unqueryable');
  assert.equal(describeField(ACCESS_CATALOG, 'pcap.file'), 'unknown');
  assert.equal(describeField(HONEYPOT_CATALOG, 'cowrie.session'), 'keyword json');
  assert.equal(describeField(HONEYPOT_CATALOG, 'process.command_line'), 'keyword json');
  assert.equal(describeField(HONEYPOT_CATALOG, 'cowrie.kex.enc_cs'), 'keyword[] each');
  assert.equal(describeField(HONEYPOT_CATALOG, 'cowrie.data'), 'unqueryable');
  assert.equal(catalogForDataset('packets'), PACKET_CATALOG);
  assert.equal(parseQueryDataset('honeypot'), 'honeypot');
  assert.throws(() => parseQueryDataset('dns'), (e: unknown) => isSluiceError(e) && e.code === 'SLUICE_USAGE' && /packets, access, honeypot/.test(e.message));
});

test('log catalogs: a field that cannot be queried says why; an unknown one gets suggestions from the dataset', () => {
  const err = (catalog: FieldCatalog, kql: string) => {
    try {
      compileSql(parseKql(kql), catalog);
    } catch (e) {
      assert.ok(e instanceof KqlFieldError);
      assert.equal(e.code, 'SLUICE_QUERY_FIELD');
      return e;
    }
    assert.fail(`${kql} compiled`);
  };
  assert.match(err(ACCESS_CATALOG, 'message: error').message, /field "message" cannot be queried: it is full text/);
  assert.match(err(HONEYPOT_CATALOG, 'cowrie.data: x').message, /cannot be queried: it is stored but not indexed/);
  assert.deepEqual(err(ACCESS_CATALOG, 'url.pth: /a').suggestions, ['url.path']);
  assert.match(err(ACCESS_CATALOG, 'pcap.file: x').message, /unknown field "pcap.file"/);
  assert.match(err(HONEYPOT_CATALOG, 'session.id: x').message, /unknown field/);
  // Packet fields stay packet fields: the access catalog is not consulted for packets.
  assert.doesNotThrow(() => compileSql(parseKql('pcap.file: x')));
});

test('log catalogs: the packet catalog is the default and compiles exactly as before', () => {
  for (const kql of ['source.ip: 10.0.0.1 and port: 53', 'google.de', 'dns.answers.data: *x*', '@timestamp >= "2024-01-01"']) {
    assert.deepEqual(compileSql(parseKql(kql)), compileSql(parseKql(kql), PACKET_CATALOG));
    assert.deepEqual(compileEs(parseKql(kql)), compileEs(parseKql(kql), PACKET_CATALOG));
    assert.match(compileSql(parseKql(kql)).where, /CAST\(p\.doc AS TEXT\)|p\.ts_ns/);
  }
});

test('log catalogs: SQL semantics follow the engine: addresses by value, lone scalars in array fields, ignore_above, µs times', () => {
  const db = new Database(':memory:');
  registerSqlFunctions(db);
  db.exec('CREATE TABLE log_events (id TEXT PRIMARY KEY, dataset TEXT, ts_ms INTEGER, target TEXT, doc TEXT)');
  const put = (id: string, ts: string, doc: Record<string, unknown>) =>
    db.prepare('INSERT INTO log_events VALUES (?, ?, ?, ?, ?)').run(id, 'access', Date.parse(ts), 't', JSON.stringify({ '@timestamp': ts, ...doc }));
  put('a', '2024-01-01T00:00:00.000100Z', { source: { ip: '::FFFF:10.0.0.1' }, rule: { id: 'SLW-1' }, url: { path: '/short' } });
  put('b', '2024-01-01T00:00:00.000900Z', { source: { ip: '2001:DB8::1' }, rule: { id: ['SLW-2', 'SLW-1'] }, url: { path: '/' + 'x'.repeat(9000) } });
  put('c', '2024-01-01T00:00:00.001000Z', { source: { ip: '10.0.0.2' }, tags: [] });
  const ids = (kql: string) => [...queryLogEvents(db, { dataset: 'access', kql })].map((r) => r.id).join(',');
  assert.equal(ids('source.ip: 10.0.0.1'), 'a');
  assert.equal(ids('source.ip: "2001:db8::1"'), 'b');
  assert.equal(ids('source.ip: 10.0.0.0/24'), 'a,c');
  assert.equal(ids('source.ip: "::ffff:10.0.0.0/120"'), 'a,c');
  assert.equal(ids('source.ip: "2001:db8::/32"'), 'b');
  assert.equal(ids('source.ip: 0.0.0.0/0'), 'a,c');
  assert.equal(ids('source.ip >= 10.0.0.2'), 'b,c');
  assert.equal(ids('rule.id: SLW-1'), 'a,b');
  assert.equal(ids('rule.id: SLW-2'), 'b');
  assert.equal(ids('not rule.id: *'), 'c');
  assert.equal(ids('tags: *'), '');
  // The 9,001-character path is not indexed by the engine (ignore_above 8191): no test sees it.
  assert.equal(ids('url.path: *'), 'a');
  assert.equal(ids('not url.path: /x*'), 'a,b,c');
  // Two documents within the same millisecond, told apart by microseconds.
  assert.equal(ids('@timestamp > "2024-01-01T00:00:00.0005Z"'), 'b,c');
  assert.equal(ids('@timestamp: "2024-01-01T00:00:00.000100Z"'), 'a');
  const ns = parseDate('2024-01-01T00:00:00.0005Z')!.ns;
  assert.deepEqual([...queryLogEvents(db, { dataset: 'access', kql: '*', fromNs: ns })].map((r) => r.id), ['b', 'c']);
  assert.deepEqual([...queryLogEvents(db, { dataset: 'access', kql: '*', toNs: ns })].map((r) => r.id), ['a']);
  assert.equal(countLogQuery(db, { dataset: 'access', kql: 'source.ip: *', limit: 2 }), 2);
  assert.equal(countLogQuery(db, { dataset: 'honeypot', kql: '*' }), 0);
  const { sql } = compileLogQuery({ dataset: 'access', kql: 'rule.id: x' }, 'rows');
  assert.match(sql, /json_each\(e\.doc, '\$\.rule\.id'\)/);
  assert.match(sql, /ORDER BY e\.ts_ms, e\.id$/);
  db.close();
});

/** Leaf values of a document by dotted path (arrays as one value). */
function leaves(doc: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(doc)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) leaves(v as Record<string, unknown>, path, out);
    else out.set(path, v);
  }
  return out;
}

/** Document paths neither template maps (kept in _source, so not queryable on the engine either). */
const UNMAPPED: Record<string, RegExp> = {
  access: /^(source\.geo\.location\.(lat|lon)|sluice\.threat\.matches)$/,
  honeypot: /^source\.(geo|as)\./,
};

test('log catalogs: the real corpus documents fit their catalog (arrays marked, value types as declared)', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-logcat-'));
  try {
    const quiet = { stdout: { write: () => true, isTTY: false }, stderr: { write: () => true, isTTY: false } } as never;
    for (const [dataset, path] of [['access', join(CORPUS, 'access-logs/elastic-examples-apache_logs.log')], ['honeypot', join(CORPUS, 'honeypot/*cowrie.json*')]] as const) {
      const config = loadConfig({ env: {}, cwd: dir, flags: { data_dir: dir, 'tail.dataset': dataset, 'tail.poll_interval_ms': 50 } });
      assert.equal(await runTail({ paths: [path], config, toEngine: false, untilIdle: true }, quiet), 0);
    }
    const db = openLogQueryDatabase(dir);
    try {
      const problems = new Set<string>();
      let docs = 0;
      for (const dataset of ['access', 'honeypot'] as const) {
        const catalog = catalogForDataset(dataset);
        for (const r of queryLogEvents(db, { dataset, kql: '*' })) {
          docs++;
          for (const [path, value] of leaves(JSON.parse(r.doc) as Record<string, unknown>)) {
            const f = catalog.get(path);
            if (!f) {
              if (!catalog.unqueryable.has(path) && !UNMAPPED[dataset]!.test(path)) problems.add(`${dataset} ${path}: in documents, not in the catalog`);
              continue;
            }
            if (Array.isArray(value) && !f.array) problems.add(`${dataset} ${path}: an array, not marked as one`);
            for (const v of Array.isArray(value) ? value : [value]) {
              const ok = f.type === 'long' ? typeof v === 'number' : f.type === 'boolean' ? typeof v === 'boolean' : f.type === 'date' ? typeof v === 'string' && parseDate(v) !== undefined : typeof v === 'string';
              if (!ok) problems.add(`${dataset} ${path}: ${JSON.stringify(v)} is not a ${f.type}`);
            }
          }
        }
      }
      assert.equal(docs, 10_707);
      assert.deepEqual([...problems], []);
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docs/reference/query-language.md: the generated log field tables are current', async () => {
  const { readFileSync } = await import('node:fs');
  const { withGeneratedTables } = await import('./catalog-markdown.js');
  const text = readFileSync(new URL('../../../docs/reference/query-language.md', import.meta.url), 'utf8');
  assert.equal(text, withGeneratedTables(text), 'stale: regenerate with writeQueryLanguageDoc() (see src/query/catalog-markdown.ts)');
  for (const c of [ACCESS_CATALOG, HONEYPOT_CATALOG]) for (const f of c.fields) assert.ok(text.includes(`| \`${f.name}\` | ${f.type}`), `${c.dataset} ${f.name}`);
});
