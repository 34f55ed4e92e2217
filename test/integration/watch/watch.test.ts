/**
 * `sluice watch` on real files and a real embedded store: stability rule (a file still being
 * written is not taken), files present before the start, exactly once across copies, quarantine,
 * the after actions, the disk guard and stop().
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Watcher, type WatchEvent } from '../../../src/sources/watch/index.js';
import { runWatch } from '../../../src/cli/commands/watch-command.js';
import { countStoredDocuments } from '../../../src/query/search-local.js';
import { openLocalStore } from '../../../src/sinks/local/local-store.js';
import { captureIO, tempDir } from '../../support/temp.js';
import { CORPUS_DIR } from '../../support/tshark.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SAMPLE = join(ROOT, 'examples/sample.pcap');
const SAMPLE_BYTES = readFileSync(SAMPLE);

const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));
function temp() {
  const t = tempDir('sluice-watch-');
  temps.push(t.cleanup);
  return t.dir;
}

function setup() {
  const root = temp();
  const dir = join(root, 'in');
  mkdirSync(dir);
  return { root, dir, dataDir: join(root, 'data'), quarantineDir: join(root, 'quarantine'), archiveDir: join(root, 'archive') };
}

function count(dataDir: string): number {
  if (!existsSync(join(dataDir, 'sluice.db'))) return 0;
  const store = openLocalStore({ dataDir, readonly: true });
  try {
    return countStoredDocuments(store);
  } finally {
    store.close();
  }
}

/** Makes a file look old (stable at first sight). */
function age(path: string): void {
  const t = new Date(Date.now() - 60_000);
  utimesSync(path, t, t);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(20);
  }
}

describe('sluice watch', () => {
  test('a capture written slowly is ingested once, only after it stopped growing', async () => {
    const p = setup();
    const events: WatchEvent[] = [];
    const w = new Watcher({ dir: p.dir, store: { dataDir: p.dataDir }, stableMs: 500, pollIntervalMs: 50, quarantineDir: p.quarantineDir, minFreeMb: 0, onEvent: (e) => events.push(e) });
    const run = w.run();
    const file = join(p.dir, 'slow.pcap');
    const cuts = [0, 600, 1200, SAMPLE_BYTES.length];
    let lastWrite = 0;
    for (let i = 0; i < 3; i++) {
      appendFileSync(file, SAMPLE_BYTES.subarray(cuts[i], cuts[i + 1]));
      lastWrite = Date.now();
      if (i < 2) {
        await sleep(300);
        assert.equal(count(p.dataDir), 0, 'nothing stored while the file grows');
      }
    }
    await until(() => events.some((e) => e.type === 'ingested'));
    await sleep(300);
    await w.stop();
    await run;
    const started = events.filter((e) => e.type === 'started');
    assert.equal(started.length, 1);
    assert.ok(started[0].type === 'started' && started[0].at >= lastWrite + 500, 'taken only after stable_ms without change');
    assert.ok(started[0].type === 'started' && started[0].size === SAMPLE_BYTES.length);
    const ingested = events.filter((e) => e.type === 'ingested');
    assert.equal(ingested.length, 1);
    assert.ok(ingested[0].type === 'ingested' && ingested[0].outcome.packets === 16 && ingested[0].outcome.problems.length === 0);
    assert.equal(count(p.dataDir), 16);
    assert.ok(existsSync(file), "after: 'keep' keeps the file");
    assert.equal(events.filter((e) => e.type === 'quarantined' || e.type === 'error').length, 0);
  });

  test('files present before the start are found; a copy under a new name is a duplicate and gets the after action (move keeps the relative path)', async () => {
    const p = setup();
    mkdirSync(join(p.dir, 'sensor-a', 'day1'), { recursive: true });
    const a = join(p.dir, 'sensor-a', 'day1', 'one.pcap');
    const b = join(p.dir, 'renamed-copy.bin');
    copyFileSync(SAMPLE, a);
    copyFileSync(SAMPLE, b);
    writeFileSync(join(p.dir, 'notes.txt'), 'not a capture\n');
    age(a);
    age(b);
    // An archived file of the same name already exists: never overwritten.
    mkdirSync(join(p.archiveDir, 'sensor-a', 'day1'), { recursive: true });
    writeFileSync(join(p.archiveDir, 'sensor-a', 'day1', 'one.pcap'), 'occupied');
    const { io, out } = captureIO();
    const code = await runWatch(
      { dir: p.dir, dataDir: p.dataDir, stableMs: 200, pollIntervalMs: 50, parallelFiles: 2, after: 'move', archiveDir: p.archiveDir, quarantineDir: p.quarantineDir, minFreeMb: 0, once: true },
      io,
    );
    assert.equal(code, 0, out());
    assert.equal(count(p.dataDir), 16, 'the copy adds nothing');
    assert.match(out(), /✓ .*: 16 packets, 16 new documents, moved to /);
    assert.match(out(), /= .*: already ingested \(duplicate\), moved to /);
    assert.match(out(), /Done: 1 ingested, 1 duplicate\(s\), 0 quarantined/);
    assert.ok(!existsSync(a) && !existsSync(b));
    assert.equal(readFileSync(join(p.archiveDir, 'sensor-a', 'day1', 'one.pcap'), 'utf8'), 'occupied');
    assert.ok(readFileSync(join(p.archiveDir, 'sensor-a', 'day1', 'one-1.pcap')).equals(SAMPLE_BYTES));
    assert.ok(readFileSync(join(p.archiveDir, 'renamed-copy.bin')).equals(SAMPLE_BYTES));
    assert.ok(existsSync(join(p.dir, 'notes.txt')), 'non-captures are left alone');

    // A restart with the same capture dropped again (another name): still 16, deleted this time.
    const again = join(p.dir, 'again.pcap');
    copyFileSync(SAMPLE, again);
    age(again);
    const second = captureIO();
    assert.equal(
      await runWatch({ dir: p.dir, dataDir: p.dataDir, stableMs: 200, pollIntervalMs: 50, parallelFiles: 2, after: 'delete', quarantineDir: p.quarantineDir, minFreeMb: 0, once: true }, second.io),
      0,
    );
    assert.match(second.out(), /= .*again\.pcap: already ingested \(duplicate\), deleted/);
    assert.ok(!existsSync(again));
    assert.equal(count(p.dataDir), 16);
  });

  test('a corrupt capture is quarantined with a reason file while a good one proceeds; after: delete deletes', async () => {
    const p = setup();
    const bad = join(p.dir, 'sub', 'bad.pcap');
    mkdirSync(join(p.dir, 'sub'));
    // Cut in the middle of a record: the global header is 24 bytes, the first record header 16.
    writeFileSync(bad, SAMPLE_BYTES.subarray(0, 24 + 16 + 20 + 200));
    const good = join(p.dir, 'good.pcap');
    copyFileSync(SAMPLE, good);
    // A valid header and no packet (a quiet rotation interval) is not damaged.
    const empty = join(p.dir, 'empty.pcap');
    copyFileSync(join(CORPUS_DIR, 'pcap/tcpdump__empty.pcap'), empty);
    age(bad);
    age(good);
    age(empty);
    const events: WatchEvent[] = [];
    const { io, out } = captureIO();
    const code = await runWatch(
      { dir: p.dir, dataDir: p.dataDir, stableMs: 200, pollIntervalMs: 50, parallelFiles: 2, after: 'delete', quarantineDir: p.quarantineDir, minFreeMb: 0, once: true, onEvent: (e) => events.push(e) },
      io,
    );
    assert.equal(code, 1, 'a --once run with a quarantined file exits 1');
    assert.ok(!existsSync(good), 'the good file is deleted after its ingest');
    assert.ok(!existsSync(bad));
    const q = join(p.quarantineDir, 'sub', 'bad.pcap');
    assert.ok(existsSync(q), 'quarantine keeps the relative path');
    const reason = readFileSync(q + '.reason.txt', 'utf8');
    assert.match(reason, /CAPTURE_TRUNCATED_RECORD at byte \d+, packet \d+/);
    assert.match(out(), /! quarantined .*bad\.pcap: CAPTURE_TRUNCATED_RECORD/);
    assert.match(out(), /✓ .*good\.pcap: 16 packets, 16 new documents, deleted/);
    assert.match(out(), /✓ .*empty\.pcap: 0 packets \(empty capture\), deleted/);
    assert.ok(!existsSync(empty) && !existsSync(join(p.quarantineDir, 'empty.pcap')));
    assert.equal(events.filter((e) => e.type === 'ingested').length, 2);
    assert.equal(events.filter((e) => e.type === 'quarantined').length, 1);
  });

  test('the disk guard pauses intake (reported once) and nothing is ingested', async () => {
    const p = setup();
    const f = join(p.dir, 'x.pcap');
    copyFileSync(SAMPLE, f);
    age(f);
    const events: WatchEvent[] = [];
    const { io, err } = captureIO();
    const stopSignal = { stopped: false };
    const done = runWatch(
      { dir: p.dir, dataDir: p.dataDir, stableMs: 200, pollIntervalMs: 50, parallelFiles: 2, after: 'keep', quarantineDir: p.quarantineDir, minFreeMb: 1e9, stopSignal, onEvent: (e) => events.push(e) },
      io,
    );
    await sleep(600);
    stopSignal.stopped = true;
    assert.equal(await done, 0);
    assert.equal(events.filter((e) => e.type === 'paused').length, 1, 'paused is logged once');
    assert.equal(events.filter((e) => e.type === 'started').length, 0);
    assert.match(err(), /paused: .* MB free in the data directory, below --min-free-mb/);
    assert.equal(count(p.dataDir), 0);
  });

  test('stop() mid-run returns cleanly; the next start finishes the work exactly once', async () => {
    const p = setup();
    for (let i = 0; i < 4; i++) {
      // Distinct captures: the file is smaller than the 8 KiB fingerprint, so one changed payload byte makes a new capture.
      const bytes = Buffer.from(SAMPLE_BYTES);
      bytes[bytes.length - 1] ^= i + 1;
      writeFileSync(join(p.dir, `c${i}.pcap`), bytes);
      age(join(p.dir, `c${i}.pcap`));
    }
    const events: WatchEvent[] = [];
    const w = new Watcher({ dir: p.dir, store: { dataDir: p.dataDir }, stableMs: 200, pollIntervalMs: 50, parallelFiles: 1, quarantineDir: p.quarantineDir, minFreeMb: 0, ingest: { batchPackets: 2 }, onEvent: (e) => events.push(e) });
    const run = w.run();
    await until(() => events.some((e) => e.type === 'started'));
    const stats = await w.stop();
    assert.equal(await run, stats);
    const handled = stats.ingested + stats.interrupted;
    assert.ok(handled < 4, `stopped early (${JSON.stringify(stats)})`);
    // Restart: the rest is ingested, nothing twice.
    const w2 = new Watcher({ dir: p.dir, store: { dataDir: p.dataDir }, stableMs: 200, pollIntervalMs: 50, quarantineDir: p.quarantineDir, minFreeMb: 0, once: true });
    await w2.run();
    assert.equal(count(p.dataDir), 64);
    assert.deepEqual(readdirSync(p.dir).sort(), ['c0.pcap', 'c1.pcap', 'c2.pcap', 'c3.pcap']);
  });
});
