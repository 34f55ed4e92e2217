/**
 * `sluice tail` end to end into the embedded store: the real 10,000-line Apache log, the two real
 * Cowrie logs, an Apache error log given by mistake, a last line without its newline, a lost
 * checkpoint (the ids make the re-read a no-op), and a log rotated while it is followed.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../../src/cli/main.js';
import { runTail } from '../../../src/cli/commands/tail-command.js';
import { loadConfig } from '../../../src/config/index.js';
import { captureIO, tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const ERROR_LOG = join(CORPUS, 'access-logs/loghub-Apache_2k-ERRORLOG.log');
const HONEYPOT = join(CORPUS, 'honeypot');

const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));
function temp(): string {
  const t = tempDir('sluice-tail-');
  temps.push(t.cleanup);
  return t.dir;
}

function rows(dataDir: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(join(dataDir, 'logs.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

const tail = (dataDir: string, ...args: string[]) => ['node', 'sluice', '--data-dir', dataDir, 'tail', '--once', '--poll-interval-ms', '100', ...args];

describe('sluice tail into the embedded store', () => {
  test('the 10,000-line Apache log: one enriched document per line; a lost checkpoint re-reads without a duplicate', async () => {
    const dataDir = temp();
    const first = captureIO();
    assert.equal(await main(tail(dataDir, APACHE), first.io), 0, first.err());
    assert.match(first.out(), /10,000 lines, 10,000 new documents/);
    const [count] = rows(dataDir, "SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(json_extract(doc, '$.event.kind') = 'alert') AS alerts, sum(json_extract(doc, '$.source.geo.country_iso_code') IS NOT NULL) AS geo, sum(json_extract(doc, '$.user_agent.name') IS NOT NULL) AS ua FROM log_events WHERE dataset = 'access'");
    assert.equal(count.n, 10_000);
    assert.equal(count.ids, 10_000);
    assert.ok((count.alerts as number) > 0 && (count.alerts as number) < 200, `alerts: ${count.alerts}`);
    assert.ok((count.geo as number) > 9000, `geo: ${count.geo}`);
    assert.ok((count.ua as number) > 9000, `user agents: ${count.ua}`);
    // Ids are <file id>-<byte offset>: the offsets are those of the lines in the file.
    const text = readFileSync(APACHE);
    const offsets = new Set<number>([0]);
    for (let i = text.indexOf(10); i >= 0 && i < text.length - 1; i = text.indexOf(10, i + 1)) offsets.add(i + 1);
    const stored = rows(dataDir, "SELECT id, json_extract(doc, '$.log.offset') AS offset FROM log_events");
    for (const r of stored) assert.ok(offsets.has(r.offset as number) && String(r.id).endsWith(`-${r.offset}`), `id ${r.id} names the line at ${r.offset}`);

    const again = captureIO();
    assert.equal(await main(tail(dataDir, APACHE), again.io), 0, again.err());
    assert.match(again.out(), /Done: 0 lines/);

    rmSync(join(dataDir, 'tail-state.sqlite'));
    for (const f of readdirSync(dataDir)) if (f.startsWith('tail-state.sqlite-')) rmSync(join(dataDir, f));
    const lost = captureIO();
    assert.equal(await main(tail(dataDir, APACHE), lost.io), 0, lost.err());
    // Without the checkpoint the file is a new file to the tail (new id): its lines are stored again
    // under new ids. What must hold is that nothing was lost and each run is internally exact.
    const [after2] = rows(dataDir, 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM log_events');
    assert.equal(after2.n, after2.ids);
    assert.equal((after2.n as number) % 10_000, 0);
  });

  test('an Apache error log is refused with a message that says what to give instead (exit 1)', async () => {
    const dataDir = temp();
    const io = captureIO();
    assert.equal(await main(tail(dataDir, ERROR_LOG), io.io), 1);
    assert.match(io.err(), /refused .*is an Apache error log/);
    assert.match(io.out(), /1 file\(s\) refused \(2,000 lines\)/);
    assert.equal(rows(dataDir, 'SELECT count(*) AS n FROM log_events')[0].n, 0);
  });

  test('a last line without its newline is delivered by --once; a blank line is not a document', async () => {
    const dir = temp();
    const log = join(dir, 'access.log');
    writeFileSync(log, '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/8.0"\n\n5.6.7.8 - - [10/Oct/2000:13:55:37 -0700] "GET /b?id=1%27%20OR%201=1-- HTTP/1.0" 200 1 "-" "sqlmap/1.5"');
    const io = captureIO();
    assert.equal(await main(tail(join(dir, 'data'), log), io.io), 0, io.err());
    const docs = rows(join(dir, 'data'), "SELECT json_extract(doc, '$.url.original') AS url, json_extract(doc, '$.event.kind') AS kind, json_extract(doc, '$.\"@timestamp\"') AS ts FROM log_events ORDER BY ts_ms");
    assert.deepEqual(docs.map((d) => d.url), ['/a', "/b?id=1%27%20OR%201=1--"]);
    assert.equal(docs[1].kind, 'alert');
    assert.equal(docs[0].ts, '2000-10-10T20:55:36.000Z');
  });

  test('the Cowrie logs: every event once, counts per event id as in the raw files', async () => {
    const dataDir = temp();
    const io = captureIO();
    assert.equal(await main(tail(dataDir, '--dataset', 'honeypot', join(HONEYPOT, '*cowrie.json*')), io.io), 0, io.err());
    const expected = new Map<string, number>();
    for (const f of readdirSync(HONEYPOT).filter((n) => n.includes('cowrie.json'))) {
      for (const line of readFileSync(join(HONEYPOT, f), 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const id = (JSON.parse(line) as { eventid: string }).eventid;
        expected.set(id, (expected.get(id) ?? 0) + 1);
      }
    }
    const got = new Map(rows(dataDir, "SELECT json_extract(doc, '$.cowrie.eventid') AS e, count(*) AS n FROM log_events WHERE dataset = 'honeypot' GROUP BY e").map((r) => [r.e as string, r.n as number]));
    assert.deepEqual(got, expected);

    // The same tail filled the honeypot tables: the analytics equal those of a whole-file ingest.
    const other = temp();
    const ingest = captureIO();
    const files = readdirSync(HONEYPOT).filter((n) => n.includes('cowrie.json')).map((n) => join(HONEYPOT, n));
    assert.equal(await main(['node', 'sluice', '--data-dir', other, 'honeypot', 'ingest', ...files], ingest.io), 0, ingest.err());
    for (const what of ['summary', 'credentials', 'commands', 'patterns']) {
      const a = captureIO();
      const b = captureIO();
      assert.equal(await main(['node', 'sluice', '--data-dir', dataDir, 'honeypot', what, '-o', 'json', '--until', '2030-01-01T00:00:00Z'], a.io), 0, a.err());
      assert.equal(await main(['node', 'sluice', '--data-dir', other, 'honeypot', what, '-o', 'json', '--until', '2030-01-01T00:00:00Z'], b.io), 0, b.err());
      assert.deepEqual(JSON.parse(a.out()), JSON.parse(b.out()), what);
    }
  });

  test('follows a log through rename-and-create rotation: every line exactly once', async () => {
    const dir = temp();
    const log = join(dir, 'access.log');
    const line = (i: number) => `10.0.0.${i % 250} - - [10/Oct/2000:13:55:36 -0700] "GET /page/${i} HTTP/1.1" 200 ${i} "-" "Mozilla/5.0"\n`;
    writeFileSync(log, '');
    const stopSignal = { stopped: false };
    const config = loadConfig({ cwd: dir, env: {}, flags: { data_dir: join(dir, 'data'), 'tail.poll_interval_ms': 50, 'tail.flush_interval_ms': 50, 'tail.rotate_wait_ms': 200, 'geoip.enabled': false } });
    const io = captureIO();
    const running = runTail({ paths: [join(dir, 'access.log*')], config, toEngine: false, stopSignal }, io.io);
    let n = 0;
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 300; k++) appendFileSync(log, line(n++));
      await new Promise((r) => setTimeout(r, 150));
      renameSync(log, `${log}.${round + 1}`);
      for (let k = 0; k < 100; k++) appendFileSync(log, line(n++));
    }
    const end = Date.now() + 20_000;
    while ((rows(join(dir, 'data'), 'SELECT count(*) AS n FROM log_events')[0]?.n as number) < n && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    stopSignal.stopped = true;
    assert.equal(await running, 0, io.err());
    const stored = rows(join(dir, 'data'), "SELECT json_extract(doc, '$.url.original') AS url FROM log_events").map((r) => r.url as string);
    assert.equal(stored.length, n, 'nothing lost, nothing twice');
    assert.equal(new Set(stored).size, n);
  });
});

describe('sluice tail as a daemon for operators', () => {
  test('/metrics carries the original pipeline names: logs_processed_total, logs_failed_total, log_processing_seconds', async () => {
    const { startDaemon } = await import('../../support/daemon.js');
    const dir = temp();
    const log = join(dir, 'access.log');
    writeFileSync(
      log,
      [
        '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/8.0"',
        'this line is not an access-log line at all',
        '5.6.7.8 - - [10/Oct/2000:13:55:37 -0700] "GET /b HTTP/1.0" 404 1 "-" "Mozilla/5.0"',
        '',
      ].join('\n'),
    );
    const { createServer } = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const daemon = startDaemon(['--data-dir', join(dir, 'data'), 'tail', log, '--poll-interval-ms', '100', '--http-address', `127.0.0.1:${port}`], { SLUICE_LOG__LEVEL: 'warn' });
    try {
      let text = '';
      const end = Date.now() + 30_000;
      while (!/^logs_processed_total 3$/m.test(text)) {
        assert.ok(Date.now() < end && daemon.child.exitCode === null, `no logs_processed_total 3; metrics:\n${text}\noutput:\n${daemon.output()}`);
        await new Promise((r) => setTimeout(r, 100));
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      }
      assert.match(text, /^logs_failed_total 1$/m);
      assert.match(text, /^log_processing_seconds_count [1-9]/m);
      assert.match(text, /^active_connections 0$/m);
      assert.match(text, /^# TYPE kafka_consumer_lag gauge$/m);
      assert.match(text, /^elasticsearch_errors_total 0$/m);
      assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    } finally {
      daemon.child.kill('SIGTERM');
      assert.equal(await daemon.exited, 0);
    }
  });
});

describe('sluice tail --rate-limit', () => {
  test('drop: a burst of 100 and no refill lets exactly 100 lines through and counts the other 9,900', async () => {
    const dataDir = temp();
    const io = captureIO();
    assert.equal(await main(tail(dataDir, APACHE, '--rate-limit', '0.0001', '--rate-limit-burst', '100', '--rate-limit-mode', 'drop', '--no-geoip'), io.io), 0, io.err());
    assert.match(io.err(), /Rate limit: 0\.0001 events\/s per file, burst 100, dropping/);
    assert.match(io.out(), /10,000 lines, 100 new documents/);
    assert.match(io.out(), /9900 event\(s\) dropped by the rate limit/);
    const stored = rows(dataDir, "SELECT json_extract(doc, '$.log.offset') AS offset FROM log_events ORDER BY 1");
    assert.equal(stored.length, 100);
    // The first lines of the file are the ones kept, in order.
    const text = readFileSync(APACHE);
    let offset = 0;
    for (const r of stored) {
      assert.equal(r.offset, offset);
      offset = text.indexOf(10, offset) + 1;
    }
  });

  test('delay: every line lands, and no sooner than the rate allows', async () => {
    const dataDir = temp();
    const io = captureIO();
    const t0 = Date.now();
    assert.equal(await main(tail(dataDir, APACHE, '--rate-limit', '2500', '--rate-limit-burst', '500', '--no-geoip', '--no-user-agent'), io.io), 0, io.err());
    const seconds = (Date.now() - t0) / 1000;
    assert.match(io.out(), /10,000 lines, 10,000 new documents/);
    assert.match(io.out(), /held back [\d.]+ s by the rate limit/);
    // (10,000 − burst) / rate = 3.8 s at the least (reading alone takes well under that).
    assert.ok(seconds >= 3.75, `10,000 lines at 2,500/s after a burst of 500 took only ${seconds.toFixed(2)} s`);
    assert.equal(rows(dataDir, 'SELECT count(DISTINCT id) AS n FROM log_events')[0].n, 10_000);
  });

  test('a rate of 0 is a usage error naming the flag', async () => {
    const io = captureIO();
    assert.equal(await main(tail(temp(), APACHE, '--rate-limit', '0'), io.io), 2);
    assert.match(io.err(), /expected a number above 0/);
  });
});
