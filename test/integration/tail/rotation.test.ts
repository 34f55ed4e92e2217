/**
 * The tail source through real rotations: a writer process (or, where exact bytes matter, writes
 * from the test) appends numbered lines `seq=N`; the test rotates the files as logrotate does
 * (rename + create + SIGHUP, copytruncate, deletion); a consumer acknowledges batches with random
 * delays (so out of order) and records every line. For each scenario:
 *
 * - lost: lines present in the files (or in deleted files, recorded before deletion) never delivered;
 * - duplicated: lines delivered under two different ids (a sink with create semantics would store
 *   them twice);
 * - raw re-sends: deliveries of an id already delivered (harmless: the sink answers "already there");
 * - lost by copytruncate: lines the writer wrote that are in no file (written between the copy and
 *   the truncation: gone before any tool could read them).
 *
 * Lost and duplicated must be 0 everywhere. The table is printed at the end.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogTailer, TailStateStore, type TailBatch, type TailEvent, type TailOptions } from '../../../src/sources/tail/index.js';
import { tempDir } from '../../support/temp.js';

const WRITER = new URL('./log-writer.js', import.meta.url).pathname;

const temps: (() => void)[] = [];
const table: Record<string, string | number>[] = [];
after(() => {
  temps.forEach((c) => c());
  if (table.length > 0) {
    console.log('\ntail rotation suite: lines lost / duplicated (by id) per scenario');
    console.table(table);
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, timeoutMs = 20_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await sleep(20);
  }
  return pred();
}

/** A deterministic PRNG (mulberry32) so that ack orders are reproducible. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEQ = /seq=(\d+)/;

/** Every `seq=N` in the files of `dir` now. */
function seqsInFiles(dir: string): Set<number> {
  const out = new Set<number>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isFile()) continue;
    for (const m of readFileSync(p, 'latin1').matchAll(/seq=(\d+)/g)) out.add(Number(m[1]));
  }
  return out;
}

type AckMode = 'random' | 'drop-some';

/** A tailer on one scenario directory and a consumer that records and acknowledges. */
class Scenario {
  readonly root = tempDir('sluice-tail-');
  readonly dir = join(this.root.dir, 'logs');
  readonly dataDir = join(this.root.dir, 'data');
  /** id → content */
  readonly byId = new Map<string, string>();
  /** seq → ids it was delivered under */
  readonly idsBySeq = new Map<number, Set<string>>();
  /** Lines of files deleted by the scenario, recorded before deletion. */
  readonly deletedSeqs = new Set<number>();
  rawResends = 0;
  outstanding = 0;
  maxOutstanding = 0;
  outOfOrderAcks = 0;
  unackedOnPurpose = 0;
  events: TailEvent[] = [];
  tailer: LogTailer | null = null;
  private lastAckedSeq = -1;
  private readonly rand: () => number;
  private timers = new Set<NodeJS.Timeout>();

  constructor(seed: number) {
    temps.push(this.root.cleanup);
    mkdirSync(this.dir);
    this.rand = prng(seed);
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  async start(options: Partial<TailOptions> = {}, ack: AckMode = 'random'): Promise<LogTailer> {
    const t = new LogTailer({
      paths: [join(this.dir, '*.log*')],
      dataDir: this.dataDir,
      pollIntervalMs: 40,
      rotateWaitMs: 300,
      copyGraceMs: 400,
      flushIntervalMs: 30,
      batchLines: 37,
      maxInFlightBatches: 4,
      checkpointIntervalMs: 50,
      stopTimeoutMs: 200,
      ...options,
      onBatch: (b) => this.consume(b, ack, options.maxInFlightBatches ?? 4),
      onEvent: (e) => {
        this.events.push(e);
        if (e.type === 'error') console.error('tail error event:', e);
      },
    });
    this.tailer = t;
    await t.start();
    return t;
  }

  private consume(batch: TailBatch, ack: AckMode, limit: number): void {
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    assert.ok(this.outstanding <= limit, `at most ${limit} batches in flight, got ${this.outstanding}`);
    for (const line of batch.lines) {
      const id = `${line.fileId}-${line.offset}`;
      const text = line.data.toString('latin1');
      const before = this.byId.get(id);
      if (before !== undefined) {
        this.rawResends++;
        assert.equal(text, before, `id ${id} must always name the same line`);
        continue;
      }
      this.byId.set(id, text);
      const m = SEQ.exec(text);
      if (m) {
        const seq = Number(m[1]);
        let ids = this.idsBySeq.get(seq);
        if (!ids) this.idsBySeq.set(seq, (ids = new Set()));
        ids.add(id);
      }
    }
    if (ack === 'drop-some' && batch.seq % 3 === 1) {
      this.unackedOnPurpose++;
      return; // never acknowledged: the next run must send these lines again
    }
    const doAck = () => {
      if (batch.seq < this.lastAckedSeq) this.outOfOrderAcks++;
      this.lastAckedSeq = Math.max(this.lastAckedSeq, batch.seq);
      this.outstanding--;
      batch.ack();
    };
    const r = this.rand();
    if (r < 0.3) doAck();
    else {
      const t = setTimeout(() => {
        this.timers.delete(t);
        doAck();
      }, 1 + Math.floor(this.rand() * 40));
      this.timers.add(t);
    }
  }

  /** Forget the consumer's in-flight view (after a stop without acknowledgements). */
  resetOutstanding(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.outstanding = 0;
    this.lastAckedSeq = -1;
  }

  expected(): Set<number> {
    const s = seqsInFiles(this.dir);
    for (const n of this.deletedSeqs) s.add(n);
    return s;
  }

  /** Waits until every expected line was delivered and acknowledged (or the time runs out). */
  async settle(timeoutMs = 20_000): Promise<void> {
    await waitFor(() => {
      const exp = this.expected();
      for (const n of exp) if (!this.idsBySeq.has(n)) return false;
      return this.outstanding === 0 && (this.tailer?.stats().batchesInFlight ?? 0) === 0;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
    for (const t of this.timers) clearTimeout(t);
  }

  /** Counts and records the table row; returns lost and duplicated for the assertions. */
  report(name: string, written: number, notes = ''): { lost: number[]; duplicated: number[] } {
    const exp = this.expected();
    const lost = [...exp].filter((n) => !this.idsBySeq.has(n)).sort((a, b) => a - b);
    const duplicated = [...this.idsBySeq].filter(([, ids]) => ids.size > 1).map(([n]) => n);
    const stats = this.tailer?.stats();
    if (duplicated.length > 0 || lost.length > 0) {
      // Enough to diagnose a failure: which ids a duplicated line had, and what the tailer saw.
      for (const n of duplicated.slice(0, 3)) console.error(`seq=${n} delivered as`, [...this.idsBySeq.get(n)!]);
      console.error(`lost (first 10): ${lost.slice(0, 10).join(', ')}`);
      for (const e of this.events.slice(0, 200)) console.error(JSON.stringify(e));
    }
    table.push({
      scenario: name,
      written,
      'in files': exp.size,
      delivered: this.idsBySeq.size,
      lost: lost.length,
      duplicated: duplicated.length,
      'raw re-sends': this.rawResends,
      'lost by copytruncate': written - exp.size,
      rotations: stats?.rotations ?? 0,
      truncations: stats?.truncations ?? 0,
      'out-of-order acks': this.outOfOrderAcks,
      notes,
    });
    return { lost, duplicated };
  }
}

function startWriter(path: string, first: number, count: number, burst: number, intervalMs: number, tag = 'w'): { child: ChildProcess; done: Promise<void>; ready: Promise<void> } {
  const child = spawn(process.execPath, [WRITER, path, String(first), String(count), String(burst), String(intervalMs), tag], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited with ${code}`))));
  });
  // The writer says `ready` once its SIGHUP handler is installed (before that a SIGHUP would kill it).
  const ready = new Promise<void>((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
  });
  return { child, done, ready };
}

/** logrotate `rotate N` + `create`: shift x.log.(i) → x.log.(i+1), x.log → x.log.1, create x.log, signal the writer. */
function rotateCreate(s: Scenario, base: string, keep: number, writer?: ChildProcess): void {
  for (let i = keep - 1; i >= 1; i--) if (existsSync(s.path(`${base}.${i}`))) renameSync(s.path(`${base}.${i}`), s.path(`${base}.${i + 1}`));
  renameSync(s.path(base), s.path(`${base}.1`));
  writeFileSync(s.path(base), '');
  writer?.kill('SIGHUP');
}

/** logrotate `copytruncate`: shift the copies, copy x.log → x.log.1, (wait,) truncate x.log. */
async function rotateCopyTruncate(s: Scenario, base: string, keep: number, gapMs = 0): Promise<void> {
  for (let i = keep - 1; i >= 1; i--) if (existsSync(s.path(`${base}.${i}`))) renameSync(s.path(`${base}.${i}`), s.path(`${base}.${i + 1}`));
  copyFileSync(s.path(base), s.path(`${base}.1`));
  if (gapMs > 0) await sleep(gapMs);
  truncateSync(s.path(base), 0);
}

function assertClean(r: { lost: number[]; duplicated: number[] }): void {
  assert.deepEqual(r.lost.slice(0, 20), [], `lines lost (first 20): ${r.lost.slice(0, 20).join(', ')}; total ${r.lost.length}`);
  assert.deepEqual(r.duplicated.slice(0, 20), [], `lines duplicated under two ids: ${r.duplicated.length}`);
}

describe('tail rotation suite', { concurrency: false }, () => {
  test('rename-and-create (logrotate create + SIGHUP), rotated files in the pattern', async () => {
    const s = new Scenario(1);
    writeFileSync(s.path('x.log'), '');
    await s.start();
    const total = 6000;
    const w = startWriter(s.path('x.log'), 1, total, 20, 2);
    await w.ready;
    for (let i = 0; i < 5; i++) {
      await sleep(60 + i * 17);
      rotateCreate(s, 'x.log', 10, w.child);
    }
    await w.done;
    await s.settle();
    await s.stop();
    const r = s.report('rename-and-create', total);
    assertClean(r);
    assert.ok(s.events.some((e) => e.type === 'rotated' && e.to !== null), 'renames were seen');
    assert.equal(s.rawResends, 0);
  });

  test('rename-and-create, rotated files outside the pattern (read to their end through the open descriptor)', async () => {
    const s = new Scenario(2);
    writeFileSync(s.path('x.log'), '');
    await s.start({ paths: [join(s.dir, 'x.log')] });
    const total = 4000;
    const w = startWriter(s.path('x.log'), 1, total, 25, 2);
    await w.ready;
    for (let i = 0; i < 4; i++) {
      await sleep(70);
      rotateCreate(s, 'x.log', 10, w.child);
    }
    await w.done;
    await s.settle();
    await waitFor(() => s.events.filter((e) => e.type === 'closed').length >= 4, 5000);
    await s.stop();
    assertClean(s.report('rename-and-create (x.log only)', total));
    assert.ok(s.events.filter((e) => e.type === 'closed').length >= 4, 'rotated files were closed after rotate_wait');
  });

  test('copytruncate (copy then truncate at once, like logrotate)', async () => {
    const s = new Scenario(3);
    writeFileSync(s.path('x.log'), '');
    await s.start();
    const total = 5000;
    const w = startWriter(s.path('x.log'), 1, total, 10, 2);
    await w.ready;
    for (let i = 0; i < 4; i++) {
      await sleep(80);
      await rotateCopyTruncate(s, 'x.log', 10);
    }
    await w.done;
    await s.settle();
    await s.stop();
    const r = s.report('copytruncate', total);
    assertClean(r);
    assert.ok(s.tailer!.stats().truncations >= 4, 'every truncation was seen');
    // The copies continue the truncated files; they are not read again from the start.
    assert.equal(s.rawResends, 0);
  });

  test('copytruncate with the copy visible before the truncation (slow copy)', async () => {
    const s = new Scenario(4);
    writeFileSync(s.path('x.log'), '');
    await s.start();
    const total = 3000;
    const w = startWriter(s.path('x.log'), 1, total, 10, 3);
    await w.ready;
    for (let i = 0; i < 3; i++) {
      await sleep(80);
      await rotateCopyTruncate(s, 'x.log', 10, 150); // several polls see the copy before the truncation
    }
    await w.done;
    await s.settle();
    await s.stop();
    assertClean(s.report('copytruncate (copy seen first)', total));
    assert.ok(s.events.some((e) => e.type === 'opened' && e.reason === 'copy'), 'a copy continued its truncated file');
  });

  test('inode reuse: a deleted file, then a new file on the same inode with the same header', async () => {
    const s = new Scenario(5);
    await s.start();
    const header = '#Software: sluice rotation suite\n#Fields: seq\n';
    let seq = 0;
    let reused = 0;
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      let body = header;
      for (let i = 0; i < 30; i++) body += `r${round} seq=${++seq}\n`;
      writeFileSync(s.path('a.log'), body);
      const ino = statSync(s.path('a.log')).ino;
      await s.settle();
      for (const m of body.matchAll(/seq=(\d+)/g)) s.deletedSeqs.add(Number(m[1]));
      const closes = s.events.filter((e) => e.type === 'closed').length;
      unlinkSync(s.path('a.log'));
      // The inode is only free once the tailer closed the deleted file.
      assert.ok(await waitFor(() => s.events.filter((e) => e.type === 'closed').length > closes, 5000), 'deleted file closed');
      writeFileSync(s.path('a.log'), header); // a new file, same first bytes
      if (statSync(s.path('a.log')).ino === ino) reused++;
      unlinkSync(s.path('a.log'));
    }
    // Final file on (likely) a reused inode, starting like all the others.
    let body = header;
    for (let i = 0; i < 30; i++) body += `final seq=${++seq}\n`;
    writeFileSync(s.path('a.log'), body);
    await s.settle();
    await s.stop();
    assertClean(s.report('inode reuse', seq, `inode reused ${reused}/${rounds} times (checked by stat)`));
    const ids = new Set([...s.idsBySeq.values()].flatMap((x) => [...x].map((id) => id.split('-')[0])));
    assert.ok(ids.size >= rounds + 1, 'each file has its own id');
  });

  test('tiny files (below the fingerprint size) rotating quickly, oldest deleted', async () => {
    const s = new Scenario(6);
    writeFileSync(s.path('t.log'), '');
    await s.start({ fingerprintBytes: 1024 });
    let seq = 0;
    for (let round = 0; round < 25; round++) {
      const n = 1 + (round % 3);
      for (let i = 0; i < n; i++) appendFileSync(s.path('t.log'), `seq=${++seq}\n`);
      await sleep(round % 2 === 0 ? 5 : 60);
      const oldest = s.path('t.log.3');
      if (existsSync(oldest)) {
        for (const m of readFileSync(oldest, 'latin1').matchAll(/seq=(\d+)/g)) s.deletedSeqs.add(Number(m[1]));
        await waitFor(() => [...s.deletedSeqs].every((x) => s.idsBySeq.has(x)), 5000);
        unlinkSync(oldest);
      }
      rotateCreate(s, 't.log', 3);
    }
    await s.settle();
    await s.stop();
    assertClean(s.report('tiny files', seq));
  });

  test('no trailing newline at rotation: the last line of the rotated file is emitted once it is idle', async () => {
    const s = new Scenario(7);
    await s.start();
    let seq = 0;
    // rename-and-create
    writeFileSync(s.path('n.log'), `seq=${++seq}\nseq=${++seq}\nseq=${++seq}`);
    await sleep(100);
    rotateCreate(s, 'n.log', 5);
    appendFileSync(s.path('n.log'), `seq=${++seq}\nseq=${++seq}`);
    await sleep(100);
    // copytruncate of a file whose last line has no newline
    await rotateCopyTruncate(s, 'n.log', 5);
    appendFileSync(s.path('n.log'), `seq=${++seq}\n`);
    // a live file's unfinished line is held (Cowrie writing an event)
    appendFileSync(s.path('n.log'), '{"eventid":"cowrie.session.conn');
    await s.settle();
    await sleep(500);
    assert.ok(![...s.byId.values()].some((t) => t.startsWith('{"eventid"')), 'a partial line of a live file is never emitted');
    appendFileSync(s.path('n.log'), 'ect"}\n');
    await waitFor(() => [...s.byId.values()].some((t) => t === '{"eventid":"cowrie.session.connect"}'), 3000);
    await s.stop();
    assertClean(s.report('no trailing newline', seq));
    assert.ok([...s.byId.values()].includes('{"eventid":"cowrie.session.connect"}'), 'the completed line arrives whole');
    assert.ok(s.tailer!.stats().partialLinesFlushed >= 2);
  });

  test('write bursts during rotation', async () => {
    const s = new Scenario(8);
    writeFileSync(s.path('b.log'), '');
    await s.start({ batchLines: 500 });
    const total = 20_000;
    const w = startWriter(s.path('b.log'), 1, total, 500, 10);
    await w.ready;
    for (let i = 0; i < 8; i++) {
      await sleep(40);
      if (i % 2 === 0) rotateCreate(s, 'b.log', 20, w.child);
      else await rotateCopyTruncate(s, 'b.log', 20);
    }
    await w.done;
    await s.settle();
    await s.stop();
    assertClean(s.report('write bursts during rotation', total, 'rename and copytruncate alternating'));
    assert.ok(s.tailer!.stats().truncations > 0, 'truncations happened during the bursts');
  });

  test('two files with identical first lines, and two with identical first N bytes (same header)', async () => {
    const s = new Scenario(9);
    await s.start({ fingerprintBytes: 64 });
    const sameLine = 'GET / HTTP/1.1 same first line\n';
    const longHeader = `#${'h'.repeat(100)}\n`; // longer than the 64-byte fingerprint
    writeFileSync(s.path('a.log'), `${sameLine}a seq=1\na seq=2\n`);
    writeFileSync(s.path('b.log'), `${sameLine}b seq=3\nb seq=4\n`);
    writeFileSync(s.path('c.log'), `${longHeader}c seq=5\n`);
    writeFileSync(s.path('d.log'), `${longHeader}d seq=6\n`);
    // Equal tiny files: the same bytes, two files.
    writeFileSync(s.path('e.log'), 'tiny\n');
    writeFileSync(s.path('f.log'), 'tiny\n');
    await sleep(100);
    appendFileSync(s.path('c.log'), 'c seq=7\n');
    appendFileSync(s.path('d.log'), 'd seq=8\n');
    await s.settle();
    await waitFor(() => [...s.byId.values()].filter((t) => t === 'tiny').length === 2, 3000);
    await s.stop();
    assertClean(s.report('identical first lines / first N bytes', 8, 'fingerprint 64 bytes, header 102 bytes'));
    const fileIdOf = (seq: number) => [...s.idsBySeq.get(seq)!][0].split('-')[0];
    assert.notEqual(fileIdOf(1), fileIdOf(3));
    assert.notEqual(fileIdOf(5), fileIdOf(6));
    assert.equal(fileIdOf(5), fileIdOf(7));
    assert.equal([...s.byId.values()].filter((t) => t === 'tiny').length, 2, 'both equal tiny files delivered');
    assert.equal([...s.byId.values()].filter((t) => t === sameLine.trimEnd()).length, 2);
  });

  test('restart mid-stream: stop with unacknowledged batches, rotate while down, resume from the checkpoints', async () => {
    const s = new Scenario(10);
    writeFileSync(s.path('r.log'), '');
    await s.start({}, 'drop-some');
    const total = 6000;
    const w = startWriter(s.path('r.log'), 1, total, 20, 2);
    await w.ready;
    await sleep(250);
    await s.stop(); // some batches never acknowledged
    const before = s.idsBySeq.size;
    s.resetOutstanding();
    rotateCreate(s, 'r.log', 5, w.child); // rotated while sluice is down
    await sleep(100);
    await s.start({}, 'random');
    await sleep(150);
    await s.stop(); // a second restart, this time with every batch acknowledged or in flight
    s.resetOutstanding();
    await s.start({}, 'random');
    await w.done;
    await s.settle();
    await s.stop();
    const r = s.report('restart mid-stream', total, `${s.unackedOnPurpose} batches never acked; ${before} lines before the first stop`);
    assertClean(r);
    assert.ok(s.unackedOnPurpose > 0 && s.rawResends > 0, 'unacknowledged lines were sent again (same ids)');
    const rows = new TailStateStore(s.dataDir);
    try {
      for (const row of rows.all()) assert.ok(row.offset <= row.size || row.status !== 'active');
    } finally {
      rows.close();
    }
  });
});
