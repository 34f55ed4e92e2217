/**
 * One query language over the log datasets: the real Apache access log (10,000 lines) and the real
 * Cowrie logs are ingested with `sluice tail --once` into a temporary embedded store and into
 * OpenSearch 2.x and 3.x (point in time) and Elasticsearch 7.10 OSS (plain search_after), and every expression of the access and honeypot batteries (IPs, CIDRs, ranges on
 * status codes and bytes, wildcards, alerts and rules, user agents, countries, not / or / nested
 * parentheses, exists, sessions, users, outcomes, command lines, µs-precise time ranges, free text)
 * gives the same document ids in the same order on both. Also: `sluice search --dataset …` prints
 * the same NDJSON and counts on both, paging beyond one page is exact, and `--from` / `--to` agree.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../../src/config/index.js';
import { main } from '../../../src/cli/main.js';
import { runSearch } from '../../../src/cli/commands/search-command.js';
import { openLogQueryDatabase, queryLogEvents } from '../../../src/query/log-query-local.js';
import { searchEngine } from '../../../src/query/query-engine.js';
import type { LogDataset } from '../../../src/query/log-field-catalogs.js';
import { EngineClient, detectEngine, type EngineInfo } from '../../../src/sinks/elasticsearch/http/index.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { elasticsearch7Url, skipWithoutElasticsearch7 } from '../../support/elasticsearch7.js';
import { ACCESS_KQL_BATTERY, HONEYPOT_KQL_BATTERY } from '../../support/kql-battery.js';
import { captureIO, tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const COWRIE = join(CORPUS, 'honeypot/*cowrie.json*');

/** Expressions that legitimately match nothing in the corpus (kept to check "none" agrees). */
const MAY_BE_EMPTY = new Set(['cowrie.eventid: cowrie.session.file_download or url.full: *']);

const ENGINES = [
  { label: 'OpenSearch 2.x', skip: () => skipWithoutOpenSearch(2), url: () => openSearchUrl(2)! },
  // Sorting on _id is deprecated there (a warning header), still supported.
  { label: 'OpenSearch 3.x', skip: () => skipWithoutOpenSearch(3), url: () => openSearchUrl(3)! },
  // Without X-Pack: no point in time, so this one pages with plain search_after.
  { label: 'Elasticsearch 7.10.2', skip: () => skipWithoutElasticsearch7(), url: () => elasticsearch7Url()! },
];

for (const { label, skip: skipFn, url: engineUrl } of ENGINES) {
const skip = skipFn();
describe(`log datasets: embedded store vs ${label}, same query, same documents in the same order`, { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-logq-');
  const accessPattern = `sluice-logq-${process.pid}-access-%Y.%m.%d`;
  const accessIndices = `sluice-logq-${process.pid}-access-*`;
  const honeypotPrefix = `sluice-logq-${process.pid}-honeypot`;
  const honeypotIndices = `${honeypotPrefix}-*`;
  const indexOf: Record<LogDataset, string> = { access: accessIndices, honeypot: honeypotIndices };
  const localDir = join(dir, 'local');
  let client: EngineClient;
  let engine: EngineInfo;
  let db: Database.Database;

  /** Runs the CLI with the test's index names in the environment (restored after). */
  async function cli(...args: string[]): Promise<void> {
    const saved = { a: process.env.SLUICE_ACCESS_LOG__INDEX_PATTERN, h: process.env.SLUICE_HONEYPOT__INDEX_PREFIX };
    process.env.SLUICE_ACCESS_LOG__INDEX_PATTERN = accessPattern;
    process.env.SLUICE_HONEYPOT__INDEX_PREFIX = honeypotPrefix;
    try {
      const c = captureIO();
      assert.equal(await main(['node', 'sluice', ...args], c.io), 0, `sluice ${args.join(' ')}: ${c.err()}`);
      assert.match(c.out(), / 0 already there/, c.out());
    } finally {
      for (const [k, v] of [['SLUICE_ACCESS_LOG__INDEX_PATTERN', saved.a], ['SLUICE_HONEYPOT__INDEX_PREFIX', saved.h]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  before(async () => {
    const url = engineUrl();
    client = new EngineClient({ urls: [url] });
    engine = await detectEngine(client);
    const tail = ['tail', '--once', '--poll-interval-ms', '100'];
    await cli('--data-dir', localDir, ...tail, APACHE);
    await cli('--data-dir', localDir, ...tail, '--dataset', 'honeypot', COWRIE);
    // A file's id (the prefix of its documents' ids) is drawn when the tail first sees it, so two
    // separate ingests name the same lines differently. The engine ingest starts from the store
    // ingest's checkpoints rewound to offset 0: the same file ids, hence the same document ids.
    const engineDir = join(dir, 'engine');
    mkdirSync(engineDir);
    copyFileSync(join(localDir, 'tail-state.sqlite'), join(engineDir, 'tail-state.sqlite'));
    const state = new Database(join(engineDir, 'tail-state.sqlite'));
    state.prepare('UPDATE tail_files SET offset = 0').run();
    state.close();
    await cli('--data-dir', engineDir, ...tail, '--es-url', url, APACHE);
    await cli('--data-dir', engineDir, ...tail, '--es-url', url, '--dataset', 'honeypot', COWRIE);
    await client.request({ method: 'POST', path: `/${accessIndices},${honeypotIndices}/_refresh` });
    db = openLogQueryDatabase(localDir);
  });

  after(async () => {
    db?.close();
    if (client) {
      await client.request({ method: 'DELETE', path: `/${accessIndices},${honeypotIndices}` });
      await client.request({ method: 'DELETE', path: `/_index_template/sluice-logq-${process.pid}-access` });
      await client.request({ method: 'DELETE', path: `/_index_template/${honeypotPrefix}` });
      await client.close();
    }
    cleanup();
  });

  const localIds = (dataset: LogDataset, kql: string, extra: { fromNs?: bigint; toNs?: bigint } = {}) =>
    [...queryLogEvents(db, { dataset, kql, ...extra })].map((r) => r.id);
  const engineIds = async (dataset: LogDataset, kql: string, extra: { fromNs?: bigint; toNs?: bigint; pageSize?: number } = {}) => {
    const ids: string[] = [];
    for await (const h of searchEngine(client, engine, { dataset, kql, index: indexOf[dataset], ...extra })) ids.push(h.id);
    return ids;
  };

  test('both hold every line of the corpus', async () => {
    assert.equal(localIds('access', '*').length, 10_000);
    assert.equal(localIds('honeypot', '*').length, 707);
    const count = async (index: string) => (await client.request({ method: 'GET', path: `/${index}/_count` })).json() as { count: number };
    assert.equal((await count(accessIndices)).count, 10_000);
    assert.equal((await count(honeypotIndices)).count, 707);
  });

  for (const [dataset, battery] of [['access', ACCESS_KQL_BATTERY], ['honeypot', HONEYPOT_KQL_BATTERY]] as const) {
    const total = dataset === 'access' ? 10_000 : 707;
    for (const kql of battery) {
      test(`${dataset}: ${kql}`, async () => {
        const local = localIds(dataset, kql);
        const remote = await engineIds(dataset, kql);
        if (!MAY_BE_EMPTY.has(kql)) assert.ok(local.length > 0, `${kql}: no document matches in the store, so the comparison proves nothing`);
        if (kql !== '*') assert.ok(local.length < total, `${kql}: every document matches`);
        assert.equal(remote.length, local.length, `${kql}: ${local.length} documents in the store, ${remote.length} in ${label}`);
        assert.deepEqual(remote, local, `${kql}: same documents in the same order`);
      });
    }
  }

  test('paging: all 10,000 access documents in pages of 97 (many share a millisecond) come in the store order', async () => {
    const local = localIds('access', '*');
    assert.deepEqual(await engineIds('access', '*', { pageSize: 97 }), local);
    const honeypot = localIds('honeypot', 'not event.action: session.connect');
    assert.deepEqual(await engineIds('honeypot', 'not event.action: session.connect', { pageSize: 10 }), honeypot);
  });

  test('--from / --to: the same exact nanosecond bounds on both', async () => {
    const cases: [LogDataset, string, bigint, bigint][] = [
      ['access', 'http.response.status_code: 200', 1_431_900_000_000_000_000n, 1_431_950_000_000_000_000n],
      // Microsecond bounds inside one millisecond: ts_ms alone could not tell these apart.
      ['honeypot', '*', 1_525_628_645_866_769_000n, 1_525_628_701_146_780_001n],
      ['honeypot', '*', 1_525_628_645_866_769_001n, 1_525_628_701_146_780_000n],
    ];
    for (const [dataset, kql, fromNs, toNs] of cases) {
      const local = localIds(dataset, kql, { fromNs, toNs });
      assert.ok(local.length > 0, `${dataset} ${kql} ${fromNs}..${toNs}`);
      assert.deepEqual(await engineIds(dataset, kql, { fromNs, toNs }), local);
    }
    assert.equal(localIds('honeypot', '*', { fromNs: cases[1]![2], toNs: cases[1]![3] }).length - localIds('honeypot', '*', { fromNs: cases[2]![2], toNs: cases[2]![3] }).length, 2);
  });

  test('sluice search --dataset: the same NDJSON and the same counts from the store and from OpenSearch', async () => {
    const url = engineUrl();
    const es = loadConfig({ env: {}, cwd: dir, flags: { 'elasticsearch.urls': [url] } }).elasticsearch;
    const run = async (dataset: LogDataset, kql: string, engineSide: boolean, more: { count?: boolean; limit?: number } = {}) => {
      const c = captureIO();
      const code = await runSearch(
        { dataDir: localDir, kql, output: 'json', dataset, engine: engineSide, elasticsearch: engineSide ? es : undefined, accessIndexPattern: accessPattern, honeypotIndexPrefix: honeypotPrefix, ...more },
        c.io,
      );
      assert.equal(code, 0, c.err());
      return c.out();
    };
    for (const [dataset, kql] of [['access', 'event.kind: alert'], ['honeypot', 'process.command_line: *']] as const) {
      const local = (await run(dataset, kql, false)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const remote = (await run(dataset, kql, true)).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(local.length > 10, `${dataset}: ${local.length} lines`);
      assert.deepEqual(remote, local);
      assert.equal(typeof local[0]!._id, 'string');
      assert.equal(await run(dataset, kql, false, { count: true }), `${local.length}\n`);
      assert.equal(await run(dataset, kql, true, { count: true }), `${local.length}\n`);
      assert.equal((await run(dataset, kql, true, { limit: 3 })).trim().split('\n').length, 3);
    }
  });
});
}
