/**
 * The log tail source: follows files matching glob patterns through rotation and emits their lines
 * in batches whose acknowledgements move per-file checkpoints.
 *
 * Each scan (every `pollIntervalMs`, sooner on an fs.watch hint) lists the matching files, stats
 * them and sorts every inode into one of these cases:
 *
 * - **followed** (an open descriptor): renamed (`x.log` → `x.log.1`, path updated, marked rotated),
 *   gone from the patterns (renamed away or deleted: marked rotated, still read to its end through
 *   the open descriptor), **truncated** (size below the read position, or head / bytes before the
 *   read position changed): its record becomes an *orphan* and the inode restarts at 0 under a
 *   new id.
 * - **closed** (a rotated file closed after being idle): reopened if it grows, forgotten if its
 *   inode now holds other content (inode reuse).
 * - **checkpointed** (a row from the previous run): resumed at its acknowledged offset when its
 *   device + inode and head match (strong match) or, when its inode is gone, when a file's head
 *   starts with its head and is long enough (the file was moved or copied while sluice was down).
 * - **a copy of an orphan** (copytruncate): a new inode whose head starts with the truncated
 *   record's head and whose bytes just before the read position are the same continues that
 *   record where it was: the lines written before the copy that were not yet read come from the
 *   copy, and nothing already read is read again.
 * - **possibly a copy** of a followed file (same head, the truncation not seen yet): waits up to
 *   `copyGraceMs`, then is a file of its own. Two distinct files with the same first bytes (a
 *   shared header, equal tiny files) are therefore both tailed, the second after this delay, under
 *   different ids (ids include device, inode and first-seen time; see file-fingerprint.ts).
 * - otherwise **new**: from 0 (or from the end of its last complete line with `startAt: 'end'`
 *   for files present at start without a checkpoint).
 *
 * Lines are cut by {@link LineSplitter} (held partial lines, CR stripping, max length) into the
 * current batch; a batch is emitted at `batchLines`/`batchBytes`/`flushIntervalMs`. Per file, the
 * batches are numbered by an {@link AckTracker}: the checkpoint moves to the end of the longest
 * prefix of acknowledged batches, whatever order the acknowledgements come in, and is written to
 * `tail-state.sqlite` every `checkpointIntervalMs`. A restart resumes at the checkpoint: only
 * unacknowledged lines are sent again, with the same ids (harmless with `create` semantics).
 *
 * Loss that no tailer can avoid: with copytruncate, lines written between the copy and the
 * truncation are in neither file; with a copy outside the patterns, lines not yet read when the
 * file was truncated are lost too (they are only in the copy).
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { AckTracker } from '../../sinks/util/ack-tracker.js';
import { DEFAULT_FINGERPRINT_BYTES, headRelation, newFileId, readHead } from './file-fingerprint.js';
import { expandGlobs, globBase, segmentRegExp } from './glob.js';
import { LineSplitter, type LineReceiver } from './line-splitter.js';
import { TailStateStore, type TailFileRow } from './tail-state.js';
import type { TailBatch, TailEvent, TailLine, TailOptions, TailStartAt, TailStats } from './types.js';

/** Defaults of {@link TailOptions}. */
export const TAIL_DEFAULTS = {
  exclude: ['*.gz', '*.bz2', '*.xz', '*.zst', '*.zip', '*.lz4'] as readonly string[],
  startAt: 'beginning' as TailStartAt,
  pollIntervalMs: 1000,
  fingerprintBytes: DEFAULT_FINGERPRINT_BYTES,
  maxLineBytes: 1024 * 1024,
  batchLines: 1000,
  batchBytes: 1024 * 1024,
  flushIntervalMs: 1000,
  maxInFlightBatches: 8,
  readChunkBytes: 64 * 1024,
  rotateWaitMs: 5000,
  copyGraceMs: 5000,
  checkpointIntervalMs: 1000,
  stopTimeoutMs: 10_000,
} as const;

/** Bytes kept from before the end of each read, to recognise a copy and an in-place rewrite. */
const SAMPLE_BYTES = 64;
/** Samples kept per file (the most recent reads): a copy made a few reads ago is still recognised. */
const SAMPLES_KEPT = 64;

interface Seen {
  readonly path: string;
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: number;
  readonly mtimeMs: number;
}

interface OpenFile {
  readonly fh: FileHandle;
  readonly key: string;
  path: string;
  size: number;
  mtimeMs: number;
  /** Renamed, gone from the patterns, deleted or a copy: it will be closed when idle at its end. */
  rotated: boolean;
  deleted: boolean;
  /** Last time its size or mtime changed, or bytes were read. */
  lastActivity: number;
  /** A copy shorter than what its record already read (the rest was read from the original): not truncated while it grows. */
  behind: boolean;
}

/** A file identity being followed (or waiting to be found again), with its reading and ack state. */
class FileRecord {
  readonly row: TailFileRow;
  readonly splitter: LineSplitter;
  readonly tracker = new AckTracker();
  /** Batch segment number (per file) → offset after its last line. */
  readonly segmentEnds = new Map<number, number>();
  file: OpenFile | null = null;
  /** The last bytes before the end of each recent read (`end` increasing): content checks. */
  samples: { end: number; bytes: Buffer }[] = [];
  /** When it lost its file to a truncation. */
  orphanSince = 0;

  constructor(row: TailFileRow, maxLineBytes: number) {
    this.row = row;
    this.splitter = new LineSplitter(row.offset, maxLineBytes);
  }

  get key(): string {
    return `${this.row.dev}:${this.row.ino}`;
  }
}

interface PendingBatch {
  lines: TailLine[];
  bytes: number;
  /** Per file: offset after its last line in this batch. */
  ends: Map<FileRecord, number>;
}

/** Follows log files and emits their lines in acknowledged batches. */
export class LogTailer implements LineReceiver {
  private readonly o: Required<Omit<TailOptions, 'state' | 'dataDir' | 'onEvent'>> & Pick<TailOptions, 'onEvent'>;
  private readonly state: TailStateStore;
  private readonly ownsState: boolean;
  private readonly exclude: RegExp[];

  private readonly active = new Map<string, FileRecord>();
  private readonly closed = new Map<string, { rec: FileRecord; size: number; mtimeMs: number; lastListed: number }>();
  private orphans: FileRecord[] = [];
  private unlocated: FileRecord[] = [];
  private readonly pending = new Map<string, { since: number; initial: boolean }>();
  private readonly dirty = new Set<FileRecord>();

  private current: PendingBatch | null = null;
  private currentRec: FileRecord | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushWanted = false;
  private batchSeq = 0;
  private inFlight = 0;
  private ackWaiters: (() => void)[] = [];

  private started = false;
  private stopping = false;
  private firstScan = true;
  private startedAt = 0;
  private loop: Promise<void> | null = null;
  private wakeSleep: (() => void) | null = null;
  private wakeRequested = false;
  private watchers: FSWatcher[] = [];
  private persistTimer: NodeJS.Timeout | null = null;

  private readonly counters = {
    linesRead: 0,
    bytesRead: 0,
    linesTruncated: 0,
    partialLinesFlushed: 0,
    batchesEmitted: 0,
    batchesAcked: 0,
    rotations: 0,
    truncations: 0,
  };

  constructor(options: TailOptions) {
    if (options.paths.length === 0) throw new RangeError('LogTailer needs at least one path or pattern');
    this.o = {
      paths: options.paths,
      exclude: options.exclude ?? TAIL_DEFAULTS.exclude,
      startAt: options.startAt ?? TAIL_DEFAULTS.startAt,
      pollIntervalMs: options.pollIntervalMs ?? TAIL_DEFAULTS.pollIntervalMs,
      fingerprintBytes: options.fingerprintBytes ?? TAIL_DEFAULTS.fingerprintBytes,
      maxLineBytes: options.maxLineBytes ?? TAIL_DEFAULTS.maxLineBytes,
      batchLines: options.batchLines ?? TAIL_DEFAULTS.batchLines,
      batchBytes: options.batchBytes ?? TAIL_DEFAULTS.batchBytes,
      flushIntervalMs: options.flushIntervalMs ?? TAIL_DEFAULTS.flushIntervalMs,
      maxInFlightBatches: Math.max(1, options.maxInFlightBatches ?? TAIL_DEFAULTS.maxInFlightBatches),
      readChunkBytes: options.readChunkBytes ?? TAIL_DEFAULTS.readChunkBytes,
      rotateWaitMs: options.rotateWaitMs ?? TAIL_DEFAULTS.rotateWaitMs,
      copyGraceMs: options.copyGraceMs ?? TAIL_DEFAULTS.copyGraceMs,
      checkpointIntervalMs: options.checkpointIntervalMs ?? TAIL_DEFAULTS.checkpointIntervalMs,
      stopTimeoutMs: options.stopTimeoutMs ?? TAIL_DEFAULTS.stopTimeoutMs,
      watch: options.watch ?? true,
      onBatch: options.onBatch,
      onEvent: options.onEvent,
    };
    if (options.state) {
      this.state = options.state;
      this.ownsState = false;
    } else {
      if (options.dataDir === undefined) throw new RangeError('LogTailer needs dataDir or state');
      this.state = new TailStateStore(options.dataDir);
      this.ownsState = true;
    }
    this.exclude = this.o.exclude.map(segmentRegExp);
  }

  /**
   * Loads the checkpoints, scans the paths once (so every file present now has its start position)
   * and starts following. Reading happens in the background; batches go to `onBatch`.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('LogTailer already started');
    this.started = true;
    this.startedAt = Date.now();
    for (const row of this.state.load()) this.unlocated.push(new FileRecord(row, this.o.maxLineBytes));
    await this.scan();
    this.firstScan = false;
    if (this.o.watch) this.startWatching();
    this.persistTimer = setInterval(() => this.persist(), this.o.checkpointIntervalMs);
    this.persistTimer.unref();
    this.loop = this.run();
  }

  /**
   * Stops reading, emits the batch being filled, waits up to `stopTimeoutMs` for the batches in
   * flight to be acknowledged, writes the checkpoints and closes the files. Lines not acknowledged
   * by then are read again by the next run.
   */
  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.wake();
    this.releaseAckWaiters();
    await this.loop;
    if (this.current !== null) this.emitBatch();
    const deadline = Date.now() + this.o.stopTimeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now())));
        this.ackWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    if (this.persistTimer) clearInterval(this.persistTimer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.persist();
    for (const rec of this.active.values()) await rec.file?.fh.close().catch(() => {});
    this.active.clear();
    if (this.ownsState) this.state.close();
  }

  /** Counters for metrics. */
  stats(): TailStats {
    let bytesBehind = 0;
    for (const rec of this.active.values()) bytesBehind += Math.max(0, (rec.file?.size ?? 0) - rec.row.offset);
    return { ...this.counters, filesOpen: this.active.size, batchesInFlight: this.inFlight, bytesBehind };
  }

  /**
   * Treats every open file as finished: a last line still waiting for its newline is emitted now
   * (at its end of file). For batch use (`sluice tail --once`), where nothing will append to the
   * files; a daemon never calls it, since a writer may be in the middle of a line.
   */
  flushPartialLines(): number {
    let n = 0;
    for (const rec of this.active.values()) {
      const f = rec.file;
      if (f === null || rec.splitter.pendingBytes === 0 || rec.splitter.fedEnd < f.size) continue;
      this.currentRec = rec;
      rec.splitter.flushPartial(this);
      this.counters.partialLinesFlushed++;
      n++;
    }
    if (n > 0 && this.current !== null) this.emitBatch();
    return n;
  }

  /** Asks for a scan now (e.g. after the caller wrote or rotated a file). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleep?.();
  }

  // ---- the loop ------------------------------------------------------------------------------

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.readAll();
        if (this.stopping) break;
        this.closeIdle();
        await this.sleep(this.o.pollIntervalMs);
        if (this.stopping) break;
        await this.scan();
      } catch (err) {
        this.event({ type: 'error', message: `Tail loop: ${(err as Error).message}` });
        await this.sleep(this.o.pollIntervalMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        self.wakeSleep = null;
        self.wakeRequested = false;
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  private startWatching(): void {
    const dirs = new Set(this.o.paths.map(globBase));
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => this.wake());
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // Missing directory or no inotify: polling alone finds the files.
      }
    }
  }

  // ---- scanning ------------------------------------------------------------------------------

  private async list(): Promise<Map<string, Seen>> {
    const seen = new Map<string, Seen>();
    for (const path of await expandGlobs(this.o.paths)) {
      const name = basename(path);
      if (this.exclude.some((re) => re.test(name))) continue;
      let st;
      try {
        st = await stat(path, { bigint: true });
      } catch {
        continue; // vanished between the listing and the stat
      }
      if (!st.isFile()) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue; // a hard link of a file already listed
      seen.set(key, { path, dev: st.dev, ino: st.ino, size: Number(st.size), mtimeMs: Number(st.mtimeMs) });
    }
    return seen;
  }

  private async scan(): Promise<void> {
    const now = Date.now();
    const seen = await this.list();
    const listed = new Set(seen.keys());

    // 1. Followed files: renames, disappearances, truncations, head upgrades.
    for (const rec of [...this.active.values()]) {
      const f = rec.file!;
      // A file renamed while the directory was being listed can be missing from one listing:
      // confirm on its last path before calling it gone.
      const s = seen.get(f.key) ?? (await this.statKey(f.path, f.key));
      seen.delete(f.key);
      if (s && s.path !== f.path) {
        this.counters.rotations++;
        this.event({ type: 'rotated', path: f.path, to: s.path, fileId: rec.row.id });
        f.path = s.path;
        rec.row.path = s.path;
        f.rotated = true;
        this.dirty.add(rec);
      } else if (!s && !f.rotated) {
        this.counters.rotations++;
        this.event({ type: 'rotated', path: f.path, to: null, fileId: rec.row.id });
        f.rotated = true;
      }
      try {
        await this.checkFollowed(rec, now);
      } catch (err) {
        this.event({ type: 'error', path: f.path, message: `Cannot check ${f.path}: ${(err as Error).message}` });
      }
    }

    // 2. Closed files and checkpoints found again by device + inode (before any head-only match,
    //    so that a file never takes the identity of another file that is present too).
    for (const [key, s] of [...seen]) {
      if (s.size === 0) {
        seen.delete(key);
        continue;
      }
      try {
        if (await this.matchByInode(key, s, now)) seen.delete(key);
      } catch (err) {
        this.event({ type: 'error', path: s.path, message: `Cannot open ${s.path}: ${(err as Error).message}` });
        seen.delete(key);
      }
    }

    // 3. The other new inodes: copies, checkpoints of moved files, possible copies, new files.
    for (const [key, s] of seen) {
      try {
        await this.classifyNew(key, s, now);
      } catch (err) {
        this.event({ type: 'error', path: s.path, message: `Cannot open ${s.path}: ${(err as Error).message}` });
      }
    }
    for (const key of [...this.pending.keys()]) if (!listed.has(key)) this.pending.delete(key);
    // Closed files are kept in memory while listed (x.log.1 may still grow, or be renamed to
    // x.log.2, possibly during a listing); their rows stay in the store.
    const keepMs = Math.max(this.o.copyGraceMs, 10 * this.o.pollIntervalMs);
    for (const [key, c] of [...this.closed]) {
      if (listed.has(key)) c.lastListed = now;
      else if (now - c.lastListed > keepMs) this.closed.delete(key);
    }

    // 4. Orphans whose copy did not appear, and checkpoints whose file was not found.
    this.orphans = this.orphans.filter((rec) => {
      if (now - rec.orphanSince < this.o.copyGraceMs) return true;
      this.forget(rec, 'gone');
      return false;
    });
    if (now - this.startedAt >= this.o.copyGraceMs && this.unlocated.length > 0) {
      for (const rec of this.unlocated) {
        rec.row.status = rec.row.offset >= rec.row.size ? 'closed' : rec.row.status;
        this.dirty.add(rec);
        this.event({ type: 'forgotten', path: rec.row.path, fileId: rec.row.id, readOffset: rec.splitter.fedEnd });
      }
      this.unlocated = [];
    }
  }

  /** The listing entry for `path` when it is still the inode `key`. */
  private async statKey(path: string, key: string): Promise<Seen | undefined> {
    try {
      const st = await stat(path, { bigint: true });
      if (`${st.dev}:${st.ino}` !== key) return undefined;
      return { path, dev: st.dev, ino: st.ino, size: Number(st.size), mtimeMs: Number(st.mtimeMs) };
    } catch {
      return undefined;
    }
  }

  /** Size/mtime/content checks of a followed file. */
  private async checkFollowed(rec: FileRecord, now: number): Promise<void> {
    const f = rec.file!;
    const st = await f.fh.stat({ bigint: true });
    const size = Number(st.size);
    const mtimeMs = Number(st.mtimeMs);
    f.deleted = st.nlink === 0n;
    if (f.deleted && !f.rotated) {
      f.rotated = true;
      this.counters.rotations++;
    }
    if (size === f.size && mtimeMs === f.mtimeMs) return;
    f.size = size;
    f.mtimeMs = mtimeMs;
    f.lastActivity = now;
    const pos = rec.splitter.fedEnd;
    if (f.behind && size >= pos) f.behind = false;
    let replaced = size < pos && !f.behind;
    let head: Buffer | null = null;
    if (!replaced) {
      head = await readHead(f.fh, size, this.o.fingerprintBytes);
      const rel = headRelation(rec.row.head, head);
      if (rel === 'different' || rel === 'extends') replaced = true;
      else if ((await this.sampleMatches(rec, f.fh, size)) === false) replaced = true;
      else if (rel === 'prefix') {
        rec.row.head = head; // the file grew past its first-seen head: identify it by more bytes
        this.dirty.add(rec);
      }
    }
    if (!replaced) return;
    // Truncated (copytruncate) or rewritten in place: the old identity becomes an orphan that a
    // copy may continue; the inode restarts at 0 with a new identity.
    head ??= await readHead(f.fh, size, this.o.fingerprintBytes);
    this.counters.truncations++;
    this.active.delete(f.key);
    rec.file = null;
    rec.orphanSince = now;
    this.orphans.push(rec);
    const fresh = this.createRecord(f, head, 0, now);
    f.rotated = false;
    this.attach(fresh, f);
    this.event({ type: 'truncated', path: f.path, fileId: rec.row.id, newFileId: fresh.row.id, readOffset: pos, size });
    this.event({ type: 'opened', path: f.path, fileId: fresh.row.id, offset: 0, reason: 'new' });
  }

  /**
   * Compares the file with the latest sample of what was read that ends within `size`: true when
   * the bytes are the same, false when not, null when no sample applies.
   */
  private async sampleMatches(rec: FileRecord, fh: FileHandle, size: number): Promise<boolean | null> {
    let sample: { end: number; bytes: Buffer } | undefined;
    for (let i = rec.samples.length - 1; i >= 0; i--) {
      if (rec.samples[i].end <= size) {
        sample = rec.samples[i];
        break;
      }
    }
    if (sample === undefined) return null;
    const n = sample.bytes.length;
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, sample.end - n);
    return bytesRead === n && buf.equals(sample.bytes);
  }

  /** A closed file or a checkpoint found again on its device + inode. */
  private async matchByInode(key: string, s: Seen, now: number): Promise<boolean> {
    const c = this.closed.get(key);
    if (c) {
      if (c.size === s.size && c.mtimeMs === s.mtimeMs) return true; // unchanged since closed
      const fh = await openInode(s.path, key);
      if (fh === null) return true; // renamed since the listing: the next scan sees it
      const head = await readHead(fh, s.size, this.o.fingerprintBytes);
      const rec = c.rec;
      if (headRelation(rec.row.head, head) !== 'different' && s.size >= rec.splitter.fedEnd && (await this.sampleMatches(rec, fh, s.size)) !== false) {
        this.closed.delete(key);
        if (s.size === rec.splitter.fedEnd) {
          c.size = s.size;
          c.mtimeMs = s.mtimeMs;
          c.lastListed = now;
          this.closed.set(key, c);
          await fh.close();
          return true;
        }
        await this.open(rec, fh, s, head, true, now, 'reopened');
        return true;
      }
      // The inode now holds other content (reused after a delete): the closed file is gone.
      this.closed.delete(key);
      rec.row.status = 'gone';
      this.dirty.add(rec);
      await fh.close();
      return false;
    }
    const idx = this.unlocated.findIndex((r) => r.key === key);
    if (idx === -1) return false;
    const rec = this.unlocated[idx];
    const fh = await openInode(s.path, key);
    if (fh === null) return true;
    const head = await readHead(fh, s.size, this.o.fingerprintBytes);
    const rel = headRelation(rec.row.head, head);
    if ((rel === 'equal' || rel === 'prefix') && s.size >= rec.row.offset) {
      this.unlocated.splice(idx, 1);
      await this.open(rec, fh, s, head, s.path !== rec.row.path, now, 'resumed');
      return true;
    }
    await fh.close();
    return false;
  }

  private async classifyNew(key: string, s: Seen, now: number): Promise<void> {
    const fh = await openInode(s.path, key);
    if (fh === null) return;
    let keep = false;
    try {
      const head = await readHead(fh, s.size, this.o.fingerprintBytes);
      // A copy of a truncated file (copytruncate) continues it where it was read. The copy may be
      // shorter than what was read from the original (copied before the last reads): its bytes
      // then all went out already.
      for (const rec of this.orphans) {
        const rel = headRelation(rec.row.head, head);
        const copyOf = rec.row.head.length > 0 && (rel === 'equal' || rel === 'prefix' || (rel === 'extends' && s.size === head.length));
        if (copyOf && (await this.sampleMatches(rec, fh, s.size)) !== false) {
          this.orphans = this.orphans.filter((r) => r !== rec);
          this.pending.delete(key);
          keep = true;
          await this.open(rec, fh, s, head, true, now, 'copy');
          return;
        }
      }
      // A checkpointed file moved or copied while sluice was down (its inode is not listed).
      for (const rec of this.unlocated) {
        const rel = headRelation(rec.row.head, head);
        if (rec.row.head.length > 0 && (rel === 'equal' || rel === 'prefix') && s.size >= rec.row.offset) {
          this.unlocated = this.unlocated.filter((r) => r !== rec);
          this.pending.delete(key);
          keep = true;
          await this.open(rec, fh, s, head, s.path !== rec.row.path, now, 'resumed');
          return;
        }
      }
      // Possibly a copytruncate copy whose truncation is not visible yet: wait a little.
      const initial = this.firstScan || (this.pending.get(key)?.initial ?? false);
      if (this.looksLikeCopy(head)) {
        const p = this.pending.get(key) ?? { since: now, initial };
        this.pending.set(key, p);
        if (now - p.since < this.o.copyGraceMs) return;
      }
      this.pending.delete(key);
      const startOffset = initial && this.o.startAt === 'end' ? await lineAlignedEnd(fh, s.size) : 0;
      const f = this.newOpenFile(fh, key, s, now, false);
      const rec = this.createRecord(f, head, startOffset, now);
      keep = true;
      this.attach(rec, f);
      if (startOffset > 0) await this.loadSample(rec, fh, startOffset);
      this.event({ type: 'opened', path: s.path, fileId: rec.row.id, offset: startOffset, reason: 'new' });
    } finally {
      if (!keep) await fh.close();
    }
  }

  /** The head is compatible with that of a followed file (a copy of it, or a file sharing its start). */
  private looksLikeCopy(head: Buffer): boolean {
    for (const rec of this.active.values()) {
      if (rec.row.head.length > 0 && headRelation(rec.row.head, head) !== 'different') return true;
    }
    return false;
  }

  private newOpenFile(fh: FileHandle, key: string, s: Seen, now: number, rotated: boolean): OpenFile {
    return { fh, key, path: s.path, size: s.size, mtimeMs: s.mtimeMs, rotated, deleted: false, lastActivity: now, behind: false };
  }

  /** Attaches an existing record to a newly opened inode and starts reading it. */
  private async open(rec: FileRecord, fh: FileHandle, s: Seen, head: Buffer, rotated: boolean, now: number, reason: 'resumed' | 'copy' | 'reopened'): Promise<void> {
    // A checkpoint resumes with a fresh splitter: remember the bytes before it to recognise rewrites.
    if (reason === 'resumed' && rec.splitter.fedEnd > 0) await this.loadSample(rec, fh, rec.splitter.fedEnd);
    const f = this.newOpenFile(fh, `${s.dev}:${s.ino}`, s, now, rotated);
    rec.row.path = s.path;
    rec.row.dev = s.dev;
    rec.row.ino = s.ino;
    rec.row.status = 'active';
    if (headRelation(rec.row.head, head) === 'prefix') rec.row.head = head;
    this.dirty.add(rec);
    f.behind = s.size < rec.splitter.fedEnd;
    this.attach(rec, f);
    this.event({ type: 'opened', path: s.path, fileId: rec.row.id, offset: rec.splitter.fedEnd, reason });
  }

  private attach(rec: FileRecord, f: OpenFile): void {
    rec.file = f;
    this.active.set(f.key, rec);
  }

  /** A new identity, written to the store at once: its id must never change once a line went out. */
  private createRecord(f: OpenFile, head: Buffer, startOffset: number, now: number): FileRecord {
    const [dev, ino] = f.key.split(':').map(BigInt);
    const firstSeenNs = BigInt(now) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    const row: TailFileRow = {
      id: newFileId(head, dev, ino, firstSeenNs),
      path: f.path,
      dev,
      ino,
      head,
      offset: startOffset,
      size: f.size,
      status: 'active',
      firstSeenMs: now,
      updatedMs: now,
    };
    this.state.save([row]);
    return new FileRecord(row, this.o.maxLineBytes);
  }

  private async loadSample(rec: FileRecord, fh: FileHandle, end: number): Promise<void> {
    const n = Math.min(SAMPLE_BYTES, end);
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, end - n);
    rec.samples = [{ end: end - n + bytesRead, bytes: buf.subarray(0, bytesRead) }];
  }

  /** Stops following a record that has no file any more (emitting its held partial line). */
  private forget(rec: FileRecord, status: 'gone' | 'closed'): void {
    if (rec.splitter.pendingBytes > 0) {
      this.currentRec = rec;
      rec.splitter.flushPartial(this);
      this.counters.partialLinesFlushed++;
    }
    rec.row.status = status;
    this.dirty.add(rec);
    this.event({ type: 'forgotten', path: rec.row.path, fileId: rec.row.id, readOffset: rec.splitter.fedEnd });
  }

  /** Closes rotated/deleted files read to their end and idle for `rotateWaitMs`. */
  private closeIdle(): void {
    const now = Date.now();
    for (const [key, rec] of [...this.active]) {
      const f = rec.file!;
      if (!f.rotated || now - f.lastActivity < this.o.rotateWaitMs || rec.splitter.fedEnd < f.size) continue;
      if (rec.splitter.pendingBytes > 0) {
        // The final line of a rotated file may lack its newline: it will not get one now.
        this.currentRec = rec;
        rec.splitter.flushPartial(this);
        this.counters.partialLinesFlushed++;
      }
      this.active.delete(key);
      rec.file = null;
      void f.fh.close().catch(() => {});
      rec.row.status = f.deleted ? 'gone' : 'closed';
      rec.row.size = f.size;
      this.dirty.add(rec);
      if (!f.deleted) this.closed.set(key, { rec, size: f.size, mtimeMs: f.mtimeMs, lastListed: now });
      this.event({ type: 'closed', path: f.path, fileId: rec.row.id, offset: rec.splitter.fedEnd, deleted: f.deleted });
    }
  }

  // ---- reading -------------------------------------------------------------------------------

  private async readAll(): Promise<void> {
    // Rotated files first: their lines are older than those of the file now at their path.
    const recs = [...this.active.values()].sort((a, b) => Number(b.file!.rotated) - Number(a.file!.rotated));
    for (const rec of recs) {
      if (this.stopping) return;
      try {
        await this.readFile(rec);
      } catch (err) {
        this.event({ type: 'error', path: rec.row.path, message: `Cannot read ${rec.row.path}: ${(err as Error).message}` });
      }
    }
  }

  private async readFile(rec: FileRecord): Promise<void> {
    const f = rec.file;
    if (f === null) return;
    while (!this.stopping && rec.file === f) {
      if (this.inFlight >= this.o.maxInFlightBatches) {
        await new Promise<void>((resolve) => this.ackWaiters.push(resolve));
        continue;
      }
      const pos = rec.splitter.fedEnd;
      const buf = Buffer.allocUnsafe(this.o.readChunkBytes);
      const { bytesRead } = await f.fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0 || rec.file !== f || rec.splitter.fedEnd !== pos) break;
      const chunk = buf.subarray(0, bytesRead);
      this.currentRec = rec;
      const used = rec.splitter.push(chunk, this);
      this.counters.bytesRead += used;
      this.updateSample(rec, chunk.subarray(0, used), pos);
      f.lastActivity = Date.now();
      if (pos + used > f.size) f.size = pos + used;
    }
  }

  private updateSample(rec: FileRecord, consumed: Buffer, pos: number): void {
    if (consumed.length === 0) return;
    const end = pos + consumed.length;
    const last = rec.samples[rec.samples.length - 1];
    let bytes: Buffer;
    if (consumed.length >= SAMPLE_BYTES || last === undefined || last.end !== pos) {
      bytes = Buffer.from(consumed.subarray(Math.max(0, consumed.length - SAMPLE_BYTES)));
    } else {
      const joined = Buffer.concat([last.bytes, consumed]);
      bytes = Buffer.from(joined.subarray(Math.max(0, joined.length - SAMPLE_BYTES)));
    }
    rec.samples.push({ end, bytes });
    if (rec.samples.length > SAMPLES_KEPT) rec.samples.shift();
  }

  /** @internal LineReceiver: adds one line to the batch being filled. */
  line(data: Buffer, offset: number, next: number, truncated: boolean): boolean {
    const rec = this.currentRec!;
    let b = this.current;
    if (b === null) {
      b = this.current = { lines: [], bytes: 0, ends: new Map() };
      this.flushTimer = setTimeout(() => this.flushDue(), this.o.flushIntervalMs);
    }
    b.lines.push({ fileId: rec.row.id, path: rec.file?.path ?? rec.row.path, offset, next, data, truncated });
    b.bytes += data.length;
    b.ends.set(rec, next);
    this.counters.linesRead++;
    if (truncated) this.counters.linesTruncated++;
    if (b.lines.length >= this.o.batchLines || b.bytes >= this.o.batchBytes) {
      this.emitBatch();
      return this.inFlight < this.o.maxInFlightBatches;
    }
    return true;
  }

  private flushDue(): void {
    this.flushTimer = null;
    if (this.current === null) return;
    if (this.inFlight >= this.o.maxInFlightBatches) this.flushWanted = true;
    else this.emitBatch();
  }

  private emitBatch(): void {
    const b = this.current;
    if (b === null) return;
    this.current = null;
    this.flushWanted = false;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    const segments: [FileRecord, number][] = [];
    for (const [rec, end] of b.ends) {
      const seg = rec.tracker.issue();
      rec.segmentEnds.set(seg, end);
      segments.push([rec, seg]);
    }
    this.inFlight++;
    this.counters.batchesEmitted++;
    let acked = false;
    const batch: TailBatch = {
      seq: this.batchSeq++,
      lines: b.lines,
      bytes: b.bytes,
      ack: () => {
        if (acked) return;
        acked = true;
        this.acknowledge(segments);
      },
    };
    try {
      this.o.onBatch(batch);
    } catch (err) {
      this.event({ type: 'error', message: `The batch consumer failed: ${(err as Error).message}` });
    }
  }

  private acknowledge(segments: readonly [FileRecord, number][]): void {
    this.inFlight--;
    this.counters.batchesAcked++;
    for (const [rec, seg] of segments) {
      if (!rec.tracker.ack(seg)) continue;
      const end = rec.segmentEnds.get(rec.tracker.watermark - 1)!;
      for (const k of rec.segmentEnds.keys()) if (k < rec.tracker.watermark) rec.segmentEnds.delete(k);
      rec.row.offset = end;
      this.dirty.add(rec);
    }
    if (this.flushWanted && this.inFlight < this.o.maxInFlightBatches) this.emitBatch();
    this.releaseAckWaiters();
  }

  private releaseAckWaiters(): void {
    const waiters = this.ackWaiters;
    this.ackWaiters = [];
    for (const w of waiters) w();
  }

  /** Writes the changed checkpoints in one transaction. */
  private persist(): void {
    if (this.dirty.size === 0) return;
    const now = Date.now();
    const recs = [...this.dirty];
    this.dirty.clear();
    for (const rec of recs) {
      if (rec.file) rec.row.size = rec.file.size;
      rec.row.updatedMs = now;
    }
    try {
      this.state.save(recs.map((r) => r.row));
    } catch (err) {
      for (const rec of recs) this.dirty.add(rec); // written again at the next interval
      this.event({ type: 'error', message: (err as Error).message });
    }
  }

  private event(e: TailEvent): void {
    this.o.onEvent?.(e);
  }
}

/**
 * Opens `path` when it still is the inode `key` (dev:ino) seen in the listing. A rotation between
 * the listing and the open would otherwise pair one file's descriptor with another file's
 * identity. Null when the path is gone or now names another file.
 */
async function openInode(path: string, key: string): Promise<FileHandle | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  const st = await fh.stat({ bigint: true });
  if (`${st.dev}:${st.ino}` === key) return fh;
  await fh.close();
  return null;
}

/** Where `startAt: 'end'` begins: after the last newline (a line being written is read whole). */
async function lineAlignedEnd(fh: FileHandle, size: number): Promise<number> {
  const n = Math.min(size, 64 * 1024);
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, size - n);
  const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
  if (nl !== -1) return size - n + nl + 1;
  return size > n ? size : 0;
}
