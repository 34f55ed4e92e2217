/**
 * `sluice tail --es-url` against a real OpenSearch: the real Apache log enriched and searchable with
 * typed mappings (IPs as `ip`), the same alerts as in the embedded store, Cowrie events in their
 * daily indices, and a SIGKILL of the tail daemon mid-file followed by a restart: exactly 10,000.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { captureIO, tempDir } from '../../support/temp.js';
import { startDaemon } from '../../support/daemon.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const skip = skipWithoutOpenSearch(2);

describe('sluice tail into OpenSearch 2.x', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-tail-os-');
  const url = skip ? '' : openSearchUrl(2)!;
  const run = `t${process.pid}`;
  const env = (name: string) => ({ SLUICE_ACCESS_LOG__INDEX_PATTERN: `sluice-acc-${run}-${name}-%Y.%m.%d`, SLUICE_HONEYPOT__INDEX_PREFIX: `sluice-hp-${run}` });
  after(async () => {
    if (!skip) {
      for (const p of [`sluice-acc-${run}-*`, `sluice-hp-${run}-*`]) await fetch(`${url}/${p}`, { method: 'DELETE' }).catch(() => undefined);
      for (const t of ['a', 'k']) await fetch(`${url}/_index_template/sluice-acc-${run}-${t}`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}/_index_template/sluice-hp-${run}`, { method: 'DELETE' }).catch(() => undefined);
    }
    cleanup();
  });
  const count = async (pattern: string, q?: string) => {
    await fetch(`${url}/${pattern}/_refresh`, { method: 'POST' });
    const r = await fetch(`${url}/${pattern}/_count${q ? `?q=${encodeURIComponent(q)}` : ''}`);
    return r.ok ? ((await r.json()) as { count: number }).count : 0;
  };

  test('the Apache log: 10,000 documents, typed, with the alerts the embedded store finds', async () => {
    const withEnv = async (args: string[], vars: Record<string, string>) => {
      const saved = { ...process.env };
      Object.assign(process.env, vars);
      try {
        const io = captureIO();
        const code = await main(args, io.io);
        return { code, io };
      } finally {
        process.env = saved;
      }
    };
    const r = await withEnv(['node', 'sluice', '--data-dir', join(dir, 'a'), 'tail', APACHE, '--once', '--poll-interval-ms', '100', '--es-url', url], env('a'));
    assert.equal(r.code, 0, r.io.err());
    assert.equal(await count(`sluice-acc-${run}-a-*`), 10_000);
    const local = await withEnv(['node', 'sluice', '--data-dir', join(dir, 'local'), 'tail', APACHE, '--once', '--poll-interval-ms', '100'], {});
    assert.equal(local.code, 0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'local', 'logs.db'), { readonly: true });
    const alerts = (db.prepare("SELECT count(*) AS n FROM log_events WHERE json_extract(doc, '$.event.kind') = 'alert'").get() as { n: number }).n;
    db.close();
    assert.ok(alerts > 0);
    assert.equal(await count(`sluice-acc-${run}-a-*`, 'event.kind:alert'), alerts);
    // Typed mappings: a CIDR query on source.ip, a range on the status code.
    assert.ok((await count(`sluice-acc-${run}-a-*`, 'source.ip:"66.249.0.0/16"')) > 0);
    assert.ok((await count(`sluice-acc-${run}-a-*`, 'http.response.status_code:>=500')) > 0);
    const mapping = (await (await fetch(`${url}/sluice-acc-${run}-a-*/_mapping/field/source.ip`)).json()) as Record<string, { mappings: Record<string, { mapping: Record<string, { type: string }> }> }>;
    assert.equal(Object.values(mapping)[0].mappings['source.ip'].mapping.ip.type, 'ip');
  });

  test('the Cowrie logs land in daily honeypot indices', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env('h'));
    try {
      const io = captureIO();
      assert.equal(await main(['node', 'sluice', '--data-dir', join(dir, 'h'), 'tail', join(CORPUS, 'honeypot/*cowrie.json*'), '--dataset', 'honeypot', '--once', '--poll-interval-ms', '100', '--es-url', url], io.io), 0, io.err());
    } finally {
      process.env = saved;
    }
    // Searchable when the command returns (it refreshes what it wrote): no refresh here.
    const direct = (await (await fetch(`${url}/sluice-hp-${run}-*/_count`)).json()) as { count: number };
    assert.equal(direct.count, 707);
    assert.equal(await count(`sluice-hp-${run}-*`, 'cowrie.eventid:"cowrie.login.success"'), 35);
    // Retention of the daily honeypot indices: the 2018 day goes, the 2026 day stays.
    const io = captureIO();
    const days = Math.ceil((Date.now() - Date.parse('2020-01-01')) / 86_400_000);
    assert.equal(await main(['node', 'sluice', 'retention', '--older-than', `${days}d`, '--apply', '--es-url', url, '--es-index', `sluice-hp-${run}-%Y.%m.%d`], io.io), 0, io.err());
    assert.match(io.out(), new RegExp(`sluice-hp-${run}-2018\\.05\\.06`));
    assert.equal(await count(`sluice-hp-${run}-*`), 496);
  });

  test('SIGKILL of the tail daemon mid-file, restart: exactly 10,000 documents', async () => {
    const dataDir = join(dir, 'k');
    const pattern = `sluice-acc-${run}-k-*`;
    const daemon = startDaemon(['--data-dir', dataDir, 'tail', APACHE, '--es-url', url], { ...env('k'), SLUICE_TAIL__BATCH_LINES_COUNT: '100', SLUICE_ELASTICSEARCH__FLUSH_INTERVAL_MS: '50' });
    const end = Date.now() + 60_000;
    while ((await count(pattern)) === 0) {
      assert.ok(Date.now() < end && daemon.child.exitCode === null, `nothing arrived; output:\n${daemon.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const atKill = await count(pattern);
    assert.ok(atKill < 10_000, `killed mid-file (had ${atKill})`);
    const saved = { ...process.env };
    Object.assign(process.env, env('k'));
    try {
      const io = captureIO();
      assert.equal(await main(['node', 'sluice', '--data-dir', dataDir, 'tail', APACHE, '--once', '--poll-interval-ms', '100', '--es-url', url], io.io), 0, io.err());
    } finally {
      process.env = saved;
    }
    assert.equal(await count(pattern), 10_000);
  });
});
