/**
 * `sluice watch` as a daemon process: SIGKILL in the middle of a capture, restart, exact counts
 * (nothing lost, nothing twice); a copy under a new name added while it was down is a duplicate;
 * the watched directory and options can come from the configuration file alone.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { countStoredDocuments } from '../../../src/query/search-local.js';
import { openLocalStore } from '../../../src/sinks/local/local-store.js';
import { captureIO, tempDir } from '../../support/temp.js';
import { SHARED_BENCH_DIR } from '../../support/tshark.js';
import { startDaemon } from '../../support/daemon.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const BIG = join(SHARED_BENCH_DIR, 'mixed-200k.pcap');
const BIG_PACKETS = 200_004;

const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));

function count(dataDir: string): number {
  if (!existsSync(join(dataDir, 'sluice.db'))) return 0;
  try {
    const store = openLocalStore({ dataDir, readonly: true });
    try {
      return countStoredDocuments(store);
    } finally {
      store.close();
    }
  } catch {
    return 0; // the schema is being created right now
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('sluice watch as a daemon process', () => {
  test('SIGKILL mid-file, restart: every packet exactly once; a copy made meanwhile is a duplicate', async () => {
    const t = tempDir('sluice-watch-kill-');
    temps.push(t.cleanup);
    const inbox = join(t.dir, 'inbox');
    const dataDir = join(t.dir, 'data');
    mkdirSync(inbox);
    copyFileSync(BIG, join(inbox, 'big.pcap'));
    // Small batches make the file take many transactions, so the kill lands in the middle.
    const env = { SLUICE_INGEST__BATCH_PACKETS: '512' };
    const daemon = startDaemon(['--data-dir', dataDir, 'watch', inbox, '--stable-ms', '100', '--min-free-mb', '0'], env);
    await until(() => count(dataDir) > 0, 'the first committed batch');
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    const atKill = count(dataDir);
    assert.ok(atKill > 0 && atKill < BIG_PACKETS, `killed mid-file (had ${atKill} of ${BIG_PACKETS}); output:\n${daemon.output()}`);

    copyFileSync(BIG, join(inbox, 'copy-of-big.pcap'));
    const io = captureIO();
    const code = await main(['node', 'sluice', '--data-dir', dataDir, 'watch', inbox, '--once', '--stable-ms', '0', '--min-free-mb', '0', '--parallel-files', '1'], io.io);
    assert.equal(code, 0, io.err());
    assert.match(io.out(), /1 ingested, 1 duplicate/);
    assert.equal(count(dataDir), BIG_PACKETS);
  });

  test('a daemon configured only by its YAML file (watch.dir, watch.after: move) moves what it ingested', async () => {
    const t = tempDir('sluice-watch-config-');
    temps.push(t.cleanup);
    const inbox = join(t.dir, 'inbox');
    mkdirSync(inbox);
    copyFileSync(join(ROOT, 'examples/sample.pcap'), join(inbox, 'a.pcap'));
    const configFile = join(t.dir, 'sluice.yaml');
    writeFileSync(
      configFile,
      [`data_dir: ${join(t.dir, 'data')}`, 'watch:', `  dir: ${inbox}`, '  stable_ms: 0', '  min_free_mb: 0', '  after: move', `  archive_dir: ${join(t.dir, 'archive')}`, ''].join('\n'),
    );
    const io = captureIO();
    assert.equal(await main(['node', 'sluice', '-c', configFile, 'watch', '--once'], io.io), 0, io.err());
    assert.match(io.out(), /1 ingested/);
    assert.ok(existsSync(join(t.dir, 'archive', 'a.pcap')));
    assert.ok(!existsSync(join(inbox, 'a.pcap')));
    assert.equal(count(join(t.dir, 'data')), 16);

    // move without an archive directory is refused before anything happens.
    writeFileSync(configFile, [`data_dir: ${join(t.dir, 'data')}`, 'watch:', `  dir: ${inbox}`, '  after: move', ''].join('\n'));
    const bad = captureIO();
    assert.equal(await main(['node', 'sluice', '-c', configFile, 'watch', '--once'], bad.io), 2);
    assert.match(bad.err(), /watch\.archive_dir/);
  });

  test('no directory anywhere is a usage error that says where to put one', async () => {
    const t = tempDir('sluice-watch-nodir-');
    temps.push(t.cleanup);
    const io = captureIO();
    assert.equal(await main(['node', 'sluice', '--data-dir', join(t.dir, 'd'), 'watch', '--once'], io.io), 2);
    assert.match(io.err(), /watch\.dir/);
  });
});

describe('the watch daemon for operators', () => {
  test('serves /metrics, /healthz and /readyz, and logs JSON lines (one per file) when not on a terminal', async () => {
    const t = tempDir('sluice-watch-ops-');
    temps.push(t.cleanup);
    const inbox = join(t.dir, 'inbox');
    mkdirSync(inbox);
    copyFileSync(join(ROOT, 'examples/sample.pcap'), join(inbox, 'a.pcap'));
    const port = await freePort();
    const daemon = startDaemon(['--data-dir', join(t.dir, 'data'), 'watch', inbox, '--stable-ms', '0', '--min-free-mb', '0', '--http-address', `127.0.0.1:${port}`, '--health-log-interval-secs', '1'], {
      SLUICE_LOG__FORMAT: 'json',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      let metrics = '';
      await until(async () => {
        const r = await fetch(`${base}/metrics`).catch(() => undefined);
        metrics = r?.ok ? await r.text() : '';
        return /sluice_files_total\{[^}]*outcome="ingested"[^}]*\} 1\b/.test(metrics);
      }, 'the file to be counted in /metrics');
      assert.match(metrics, /sluice_component_received_events_total\{[^}]*component_type="watch"[^}]*\} 16\b/);
      assert.match(metrics, /sluice_component_sent_events_total\{[^}]*component_type="local"[^}]*\} 16\b/);
      assert.match(metrics, /sluice_disk_free_bytes\{[^}]*\} [1-9]/);
      assert.match(metrics, /sluice_process_resident_memory_bytes [1-9]/);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
      await until(() => /"msg":"health/i.test(daemon.output()) || /"rss/.test(daemon.output()), 'a health log line', 10_000);
      const lines = daemon.output().split('\n').filter((l) => l.startsWith('{'));
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const ingested = events.find((e) => e.event === 'ingested');
      assert.ok(ingested, `a JSON log line for the ingested file; output:\n${daemon.output()}`);
      assert.equal(ingested.packets, 16);
      assert.equal(ingested.level, 'info');
    } finally {
      daemon.child.kill('SIGTERM');
      assert.equal(await daemon.exited, 0);
    }
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
