/**
 * `sluice watch <dir>`: a directory as a drop box for captures, ingested into the embedded store.
 *
 * The directory is scanned recursively at start (captures that arrived while sluice was down are
 * found) and then polled with `fs.stat` every `pollIntervalMs`. A file is a candidate when its
 * first four bytes are a pcap/pcapng magic number, and it is taken once its size and mtime have
 * not changed for `stableMs` (a file still being written is never ingested early). Up to
 * `parallelFiles` files are ingested at once, all through one {@link openStoreIngest} (one store writer).
 *
 * After a file: `after` ('keep' | 'delete' | 'move' to `archiveDir`, keeping the relative path,
 * never overwriting). A file whose reading lost packets (see {@link QUARANTINE_CODES}) is moved
 * to `quarantineDir` with a `<name>.reason.txt`. A free-disk guard on the data directory pauses
 * intake below `minFreeMb`.
 *
 * Exactly once comes from the store: a capture is identified by its first 8 KiB, so a copy or a
 * renamed capture is 'already-ingested' (it gets the `after` action too), and an interrupted one
 * resumes from its checkpoint. The watcher's own state (sizes, mtimes, quarantined paths) is kept
 * in memory only.
 */
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, statfs, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { captureFingerprint } from '../../pipeline/capture-fingerprint.js';
import { startsWithMagic } from '../../pipeline/discover-captures.js';
import { openStoreIngest, type FileOutcome, type StoreIngest, type IngestOptions, type IngestSummary } from '../../pipeline/ingest.js';
import type { CaptureFile } from '../../pipeline/discover-captures.js';
import { openLocalStore, type LocalStoreOptions } from '../../sinks/local/local-store.js';
import type { CaptureProblem, CaptureProblemCode } from '../pcap/types.js';

/** What happens to a capture once it is in the store (ingested now, or already there). */
export type AfterAction = 'keep' | 'delete' | 'move';

/** Defaults of {@link WatchOptions}. */
export const WATCH_DEFAULTS = {
  stableMs: 5000,
  pollIntervalMs: 1000,
  parallelFiles: 1,
  after: 'keep' as AfterAction,
  minFreeMb: 1024,
} as const;

/**
 * Problems that mean packets were lost or the file could not be read as a capture: such a file is
 * quarantined (so is one with any other fatal problem). Other problems (an unsupported link type, a
 * packet on an unknown pcapng interface, a captured length above the snapshot length, decode
 * errors) keep every packet in the store, so the file counts as ingested. `CAPTURE_EMPTY` on a
 * capture with a valid header (a quiet rotation interval) is not a fault: see {@link lossyProblems}.
 */
export const QUARANTINE_CODES: ReadonlySet<CaptureProblemCode> = new Set<CaptureProblemCode>([
  'CAPTURE_EMPTY',
  'CAPTURE_UNKNOWN_FORMAT',
  'CAPTURE_TRUNCATED_HEADER',
  'CAPTURE_TRUNCATED_RECORD',
  'CAPTURE_BAD_BLOCK_LENGTH',
  'CAPTURE_BAD_SECTION',
]);

/** The problems of an outcome that send the file to quarantine (empty list: it is fine). */
export function lossyProblems(outcome: FileOutcome): CaptureProblem[] {
  return outcome.problems.filter((p) => {
    // A valid header and no packet is a non-fatal note: nothing was lost (and zero-byte files,
    // the fatal CAPTURE_EMPTY, never get here: they have no magic number).
    if (p.code === 'CAPTURE_EMPTY') return p.fatal;
    return QUARANTINE_CODES.has(p.code) || p.fatal;
  });
}

/** Options of {@link Watcher}. */
export interface WatchOptions {
  /** The directory watched (recursively). */
  readonly dir: string;
  /** The embedded store (its `dataDir` is also where the disk guard looks). */
  readonly store: LocalStoreOptions & { readonly dataDir: string };
  /** A file is taken once its size and mtime did not change for this long. Default 5000. */
  readonly stableMs?: number;
  /** Time between two scans. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Files ingested at once. Default 1. */
  readonly parallelFiles?: number;
  /** Default 'keep'. */
  readonly after?: AfterAction;
  /** Where `after: 'move'` puts files (required for 'move'). */
  readonly archiveDir?: string;
  /** Where damaged captures go, with a `<name>.reason.txt`. */
  readonly quarantineDir: string;
  /** Intake pauses while the data directory's file system has less free space. Default 1024. */
  readonly minFreeMb?: number;
  /** Scan once, ingest what is stable now, wait for it, and finish. */
  readonly once?: boolean;
  /** Passed to the ingest (batch size, read chunk). */
  readonly ingest?: Pick<IngestOptions, 'batchPackets' | 'readChunkBytes'>;
  /** Everything the watcher does, as it happens. */
  readonly onEvent?: (event: WatchEvent) => void;
  /**
   * How a file is ingested. Default: into the embedded store (`ingestFiles`). The engine path passes
   * `ingestFilesToEngine`, whose checkpoints (in the same data directory) give the same exactly-once.
   */
  readonly ingestWith?: (files: readonly CaptureFile[], options: IngestOptions) => Promise<IngestSummary>;
}

/** What the watcher reports. Paths are absolute. */
export type WatchEvent =
  | { readonly type: 'started'; readonly path: string; readonly size: number; readonly at: number }
  | { readonly type: 'ingested'; readonly path: string; readonly outcome: FileOutcome; readonly action: AfterAction; readonly destination?: string }
  | { readonly type: 'duplicate'; readonly path: string; readonly outcome: FileOutcome; readonly action: AfterAction; readonly destination?: string }
  | { readonly type: 'quarantined'; readonly path: string; readonly outcome: FileOutcome; readonly problems: readonly CaptureProblem[]; readonly destination: string; readonly reasonFile: string }
  | { readonly type: 'interrupted'; readonly path: string; readonly outcome: FileOutcome }
  | { readonly type: 'error'; readonly path?: string; readonly message: string }
  | { readonly type: 'paused'; readonly freeMb: number; readonly minFreeMb: number }
  | { readonly type: 'resumed'; readonly freeMb: number; readonly minFreeMb: number };

/** Totals of a watch run. */
export interface WatchStats {
  ingested: number;
  duplicates: number;
  quarantined: number;
  interrupted: number;
  errors: number;
  packets: number;
  stored: number;
  bytes: number;
}

type Phase = 'pending' | 'not-capture' | 'busy' | 'done' | 'quarantined' | 'failed';

interface Tracked {
  size: number;
  mtimeMs: number;
  /** When the file last changed (estimated from the mtime at first sight, then observed). */
  changedAt: number;
  phase: Phase;
}

/** Watches a directory and ingests the captures dropped into it. */
export class Watcher {
  private readonly dir: string;
  private readonly stableMs: number;
  private readonly pollIntervalMs: number;
  private readonly parallelFiles: number;
  private readonly after: AfterAction;
  private readonly archiveDir: string | undefined;
  private readonly quarantineDir: string;
  private readonly minFreeMb: number;
  private readonly skipDirs: string[];
  private readonly files = new Map<string, Tracked>();
  private readonly busyFingerprints = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private paused = false;
  private wake: (() => void) | undefined;
  private running: Promise<WatchStats> | undefined;
  private storeIngest: StoreIngest | undefined;
  readonly stats: WatchStats = { ingested: 0, duplicates: 0, quarantined: 0, interrupted: 0, errors: 0, packets: 0, stored: 0, bytes: 0 };

  constructor(private readonly options: WatchOptions) {
    this.dir = resolve(options.dir);
    this.stableMs = options.stableMs ?? WATCH_DEFAULTS.stableMs;
    this.pollIntervalMs = options.pollIntervalMs ?? WATCH_DEFAULTS.pollIntervalMs;
    this.parallelFiles = Math.max(1, options.parallelFiles ?? WATCH_DEFAULTS.parallelFiles);
    this.after = options.after ?? WATCH_DEFAULTS.after;
    this.archiveDir = options.archiveDir === undefined ? undefined : resolve(options.archiveDir);
    this.quarantineDir = resolve(options.quarantineDir);
    this.minFreeMb = options.minFreeMb ?? WATCH_DEFAULTS.minFreeMb;
    if (this.after === 'move' && this.archiveDir === undefined) throw new Error("after: 'move' needs an archive directory");
    // Never take files from our own output directories (or the store) when they sit inside the watched one.
    this.skipDirs = [this.quarantineDir, resolve(options.store.dataDir), ...(this.archiveDir ? [this.archiveDir] : [])];
  }

  /** Runs until {@link stop} (or, with `once`, until what was stable at start is done). Call once. */
  run(): Promise<WatchStats> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Asks the watcher to stop: files being ingested stop after their current batch commits. Resolves when it has. */
  async stop(): Promise<WatchStats> {
    this.stopped = true;
    this.wake?.();
    if (this.running) return this.running;
    return this.stats;
  }

  /** True while intake is paused by the disk guard. */
  get isPaused(): boolean {
    return this.paused;
  }

  private emit(event: WatchEvent): void {
    this.options.onEvent?.(event);
  }

  private async loop(): Promise<WatchStats> {
    // Create and migrate the store once, before parallel writers open it.
    await mkdir(this.options.store.dataDir, { recursive: true });
    openLocalStore(this.options.store).close();
    // One store writer for every file of the run (parallel files share it): one worker and one
    // SQLite connection instead of one per file, which kept a long run's memory growing per file.
    if (this.options.ingestWith === undefined) this.storeIngest = await openStoreIngest(this.options.store);
    try {
      while (!this.stopped) {
        await this.poll();
        if (this.options.once) {
          // Ingest everything that is stable now; files that are not stay for the next run.
          if (this.inFlight.size === 0 && !this.hasReady()) break;
          if (this.paused) break;
        }
        await this.sleep(this.options.once && this.inFlight.size > 0 ? 5 : this.pollIntervalMs);
      }
    } finally {
      await Promise.allSettled([...this.inFlight]);
      await this.storeIngest?.close();
      this.storeIngest = undefined;
    }
    return this.stats;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((res) => {
      const timer = setTimeout(done, ms);
      const inflight = [...this.inFlight];
      function done() {
        clearTimeout(timer);
        res();
      }
      this.wake = done;
      // A finished file frees a slot: look again at once rather than after a whole interval.
      for (const p of inflight) void p.then(done, done);
    }).then(() => {
      this.wake = undefined;
    });
  }

  private hasReady(): boolean {
    const now = Date.now();
    for (const t of this.files.values()) if (t.phase === 'pending' && now - t.changedAt >= this.stableMs) return true;
    return false;
  }

  /** One scan: update sizes/mtimes, then start the stable files while there are free slots. */
  private async poll(): Promise<void> {
    const present = new Set<string>();
    await this.scan(this.dir, present);
    for (const path of this.files.keys()) {
      if (!present.has(path) && this.files.get(path)!.phase !== 'busy') this.files.delete(path);
    }
    if (this.stopped) return;
    if (!(await this.diskOk())) return;
    const now = Date.now();
    const ready = [...this.files.entries()]
      .filter(([, t]) => t.phase === 'pending' && now - t.changedAt >= this.stableMs)
      .sort((a, b) => a[1].changedAt - b[1].changedAt || (a[0] < b[0] ? -1 : 1));
    for (const [path, t] of ready) {
      if (this.inFlight.size >= this.parallelFiles || this.stopped) break;
      let fingerprint: string;
      try {
        fingerprint = await captureFingerprint(path);
      } catch {
        continue; // vanished: the next scan forgets it
      }
      // Two copies of one capture are never ingested at once: the second waits and is then a duplicate.
      if (this.busyFingerprints.has(fingerprint)) continue;
      this.busyFingerprints.add(fingerprint);
      t.phase = 'busy';
      const job = this.process(path, t).finally(() => {
        this.busyFingerprints.delete(fingerprint);
        this.inFlight.delete(job);
      });
      this.inFlight.add(job);
    }
  }

  private async scan(dir: string, present: Set<string>): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === this.dir) this.emit({ type: 'error', path: dir, message: `cannot read the watched directory: ${(err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (!this.skipDirs.some((s) => path === s || path.startsWith(s + sep))) await this.scan(path, present);
        continue;
      }
      if (!e.isFile()) continue; // symbolic links, sockets, …: never taken
      let st;
      try {
        st = await lstat(path);
      } catch {
        continue;
      }
      present.add(path);
      const now = Date.now();
      const known = this.files.get(path);
      if (known === undefined) {
        // First sight: the mtime tells how long the file has been unchanged (capped at now).
        const t: Tracked = { size: st.size, mtimeMs: st.mtimeMs, changedAt: Math.min(st.mtimeMs, now), phase: 'pending' };
        this.files.set(path, t);
        if (!(await this.isCapture(path, st.size))) t.phase = 'not-capture';
        continue;
      }
      if (known.phase === 'busy') continue;
      if (known.size !== st.size || known.mtimeMs !== st.mtimeMs) {
        known.size = st.size;
        known.mtimeMs = st.mtimeMs;
        known.changedAt = now;
        // A changed file is looked at again (a failed or still-growing one may now be good).
        if (known.phase !== 'quarantined') known.phase = (await this.isCapture(path, st.size)) ? 'pending' : 'not-capture';
      }
    }
  }

  /** True when the file starts with a capture magic (files under 4 bytes: not yet; they may grow). */
  private async isCapture(path: string, size: number): Promise<boolean> {
    return size >= 4 && startsWithMagic(path);
  }

  private async diskOk(): Promise<boolean> {
    let freeMb: number;
    try {
      const s = await statfs(this.options.store.dataDir);
      freeMb = (Number(s.bavail) * Number(s.bsize)) / (1024 * 1024);
    } catch (err) {
      this.emit({ type: 'error', path: this.options.store.dataDir, message: `cannot check the free space: ${(err as Error).message}` });
      return true;
    }
    const ok = freeMb >= this.minFreeMb;
    if (!ok && !this.paused) {
      this.paused = true;
      this.emit({ type: 'paused', freeMb: Math.floor(freeMb), minFreeMb: this.minFreeMb });
    } else if (ok && this.paused) {
      this.paused = false;
      this.emit({ type: 'resumed', freeMb: Math.floor(freeMb), minFreeMb: this.minFreeMb });
    }
    return ok;
  }

  private async process(path: string, t: Tracked): Promise<void> {
    this.emit({ type: 'started', path, size: t.size, at: Date.now() });
    let outcome: FileOutcome | undefined;
    try {
      const ingest = this.options.ingestWith ?? ((files, o) => this.storeIngest!.ingest(files, o));
      const summary = await ingest([{ path, size: t.size }], {
        ...this.options.ingest,
        shouldStop: () => this.stopped,
      });
      outcome = summary.files[0];
      if (outcome === undefined) {
        // Stopped before it began: look at it again next time.
        t.phase = 'pending';
        return;
      }
      this.stats.packets += outcome.packets;
      this.stats.stored += outcome.stored;
      this.stats.bytes += outcome.bytes;
      const lossy = lossyProblems(outcome);
      if (lossy.length > 0) {
        const { destination, reasonFile } = await this.quarantine(path, outcome, lossy);
        t.phase = 'quarantined';
        this.stats.quarantined++;
        this.emit({ type: 'quarantined', path, outcome, problems: lossy, destination, reasonFile });
        return;
      }
      if (outcome.status === 'partial' && this.stopped) {
        // Stopped mid-file: the store's checkpoint resumes it on the next start.
        t.phase = 'pending';
        this.stats.interrupted++;
        this.emit({ type: 'interrupted', path, outcome });
        return;
      }
      const destination = await this.applyAfter(path);
      t.phase = 'done';
      if (outcome.status === 'already-ingested') {
        this.stats.duplicates++;
        this.emit({ type: 'duplicate', path, outcome, action: this.after, destination });
      } else {
        this.stats.ingested++;
        this.emit({ type: 'ingested', path, outcome, action: this.after, destination });
      }
    } catch (err) {
      t.phase = 'failed'; // retried when the file changes
      this.stats.errors++;
      this.emit({ type: 'error', path, message: (err as Error).message });
    }
  }

  private async applyAfter(path: string): Promise<string | undefined> {
    if (this.after === 'keep') return undefined;
    if (this.after === 'delete') {
      await unlink(path);
      return undefined;
    }
    return moveNoClobber(path, join(this.archiveDir!, this.relativeOf(path)));
  }

  private relativeOf(path: string): string {
    return relative(this.dir, path);
  }

  private async quarantine(path: string, outcome: FileOutcome, problems: readonly CaptureProblem[]) {
    const destination = await moveNoClobber(path, join(this.quarantineDir, this.relativeOf(path)));
    const lines = [
      `file: ${path}`,
      `quarantined: ${new Date().toISOString()}`,
      `capture id: ${outcome.captureId}`,
      `format: ${outcome.format ?? 'unknown'}`,
      `packets read: ${outcome.packets}, stored: ${outcome.stored}`,
      'problems:',
      ...outcome.problems.map((p) => `  ${p.code} at byte ${p.offset}, packet ${p.frame}${p.fatal ? ' (fatal)' : ''}: ${p.message}`),
    ];
    lines.push(`quarantined for: ${problems.map((p) => p.code).join(', ')}`);
    const reasonFile = await writeNoClobber(destination + '.reason.txt', lines.join('\n') + '\n');
    return { destination, reasonFile };
  }
}

/** `name.pcap` → `name-1.pcap`, `name-2.pcap`, … */
function suffixed(path: string, n: number): string {
  if (n === 0) return path;
  const ext = extname(path);
  const base = basename(path, ext);
  return join(dirname(path), `${base}-${n}${ext}`);
}

/**
 * Moves `from` to `to` (creating directories), adding a suffix when the name is taken; never
 * overwrites (a hard link fails atomically when the name exists; across file systems an exclusive
 * copy does). Returns where the file went.
 */
export async function moveNoClobber(from: string, to: string): Promise<string> {
  await mkdir(dirname(to), { recursive: true });
  for (let n = 0; ; n++) {
    const target = suffixed(to, n);
    try {
      await link(from, target);
      await unlink(from);
      return target;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
    }
    try {
      await copyFile(from, target, fsConstants.COPYFILE_EXCL);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    await unlink(from);
    return target;
  }
}

async function writeNoClobber(path: string, text: string): Promise<string> {
  for (let n = 0; ; n++) {
    const target = n === 0 ? path : path.replace(/\.reason\.txt$/, `-${n}.reason.txt`);
    try {
      await writeFile(target, text, { flag: 'wx' });
      return target;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Creates and starts a {@link Watcher}; `run()` on the result resolves when it stops. */
export function watchDirectory(options: WatchOptions): Watcher {
  const w = new Watcher(options);
  w.run().catch(() => undefined); // the caller sees the error through run()
  return w;
}
