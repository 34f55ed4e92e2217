/**
 * Live capture through an external tool. The child (dumpcap or tcpdump) captures into rolling
 * files in a packet folder; each file is ingested as soon as the tool has moved on to the next
 * one, and the last one when the tool exits. Ingesting finished files through the same path as
 * `sluice ingest` gives live capture exactly-once delivery, checkpoints and PCAP export for free,
 * and the packets stay on disk (Arkime-style) until the retention deletes them.
 *
 * Retention only ever deletes files that are already in the store (or engine): the oldest go first
 * when the folder's file system has less than `minFreeMb` free or the folder holds more than
 * `maxDirBytes`; with `keepFiles: false` each file goes as soon as it is in.
 *
 * Files left in the folder by an earlier run that was killed are ingested at start (those already
 * in are recognised by their fingerprint and cost one 8 KiB read).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, mkdir, readdir, stat, statfs, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SluiceError } from '../../errors.js';
import { hasCaptureMagic, type CaptureFile } from '../../pipeline/discover-captures.js';
import type { FileOutcome } from '../../pipeline/ingest.js';
import { lossyProblems } from '../watch/watcher.js';
import { captureCommand, findCaptureTool, type CaptureTool, type CaptureToolName } from './capture-tool.js';
import { SegmentTracker } from './segment-tracker.js';
import { toolFailureError } from './tool-failure.js';
import { emptyCounters, totalDrops, ToolOutputParser, type ToolCounters } from './tool-output-parser.js';

/** Defaults of {@link LiveCaptureOptions}. */
export const LIVE_CAPTURE_DEFAULTS = {
  /** A new file every 10 s, so documents appear continuously even on a quiet link. */
  rotateSecs: 10,
  /** …or every 64 MB on a busy one. */
  rotateBytes: 64_000_000,
  keepFiles: true,
  minFreeMb: 1024,
  maxDirBytes: 0,
  pollIntervalMs: 250,
  statsIntervalMs: 1000,
  readyTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
} as const;

/** Options of {@link LiveCapture}. */
export interface LiveCaptureOptions {
  /** Network interface (as `--list-interfaces` names it). */
  readonly interface: string;
  /** Capture filter (BPF). */
  readonly bpf?: string;
  /** Stop after this many packets (the tool's `-c`). */
  readonly count?: number;
  /** Stop after this many seconds. */
  readonly durationSecs?: number;
  /** Bytes kept of each packet. Default: the tool's (262144). */
  readonly snaplenBytes?: number;
  /** Which tool. Default 'auto': dumpcap, else tcpdump. */
  readonly tool?: CaptureToolName | 'auto';
  /** The packet folder (created when missing). */
  readonly dir: string;
  /** New file after this many bytes; 0: never. Default 64 MB. */
  readonly rotateBytes?: number;
  /** New file after this many seconds; 0: never (documents then appear only at the end). Default 10. */
  readonly rotateSecs?: number;
  /** Keep the files after ingesting them (subject to the limits below). Default true. */
  readonly keepFiles?: boolean;
  /** Delete the oldest ingested files while the folder's file system has less free space. Default 1024; 0: off. */
  readonly minFreeMb?: number;
  /** Delete the oldest ingested files while the folder holds more. Default 0: no limit. */
  readonly maxDirBytes?: number;
  /** Ingests one finished file exactly once (the embedded store or the engine). */
  readonly ingest: (file: CaptureFile) => Promise<FileOutcome>;
  /** Everything that happens, as it happens. */
  readonly onEvent?: (event: LiveCaptureEvent) => void;
  /** Called whenever a counter changes (metrics). Same object shape as {@link LiveCapture.stats}. */
  readonly onStats?: (stats: CaptureStats) => void;
  /** How often the folder is scanned for finished files. Default 250 ms. */
  readonly pollIntervalMs?: number;
  /** How often tcpdump is asked for its counters (SIGUSR1). Default 1000 ms; 0: only at exit. */
  readonly statsIntervalMs?: number;
  /** How long the tool may take to open the interface. Default 30 s. */
  readonly readyTimeoutMs?: number;
}

/** Counters of a live capture, for progress lines and metrics. Cumulative since the start. */
export interface CaptureStats {
  readonly tool: CaptureToolName;
  readonly interface: string;
  /** True while the tool runs. */
  readonly running: boolean;
  /** Packets the tool wrote (its live count; final at exit). */
  readonly captured: number;
  /** Packets the kernel handed to the capture (undefined until the tool reported it). */
  readonly received: number | undefined;
  readonly droppedByKernel: number;
  readonly droppedByInterface: number;
  readonly droppedByTool: number;
  /** All drops: kernel + interface + tool. dumpcap reports them at exit only; tcpdump every `statsIntervalMs`. */
  readonly captureDrops: number;
  /** True once the tool printed its final statistics. */
  readonly countersFinal: boolean;
  /** Files ingested (or found already ingested). */
  readonly files: number;
  /** Packets read from those files. */
  readonly packets: number;
  /** New documents stored. */
  readonly stored: number;
  readonly bytes: number;
  readonly filesWithProblems: number;
  /** Files deleted by the retention. */
  readonly filesDeleted: number;
}

/** What a live capture reports. */
export type LiveCaptureEvent =
  | { readonly type: 'ready'; readonly tool: CaptureToolName; readonly command: readonly string[]; readonly dir: string }
  | { readonly type: 'file'; readonly path: string; readonly outcome: FileOutcome; readonly backlog: boolean }
  | { readonly type: 'deleted'; readonly path: string; readonly bytes: number; readonly reason: 'ingested' | 'min-free' | 'max-dir' }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'tool-message'; readonly line: string };

/** Why the capture ended. */
export type StopReason = 'count' | 'duration' | 'signal' | 'tool-exit';

/** The result of {@link LiveCapture.run}. */
export interface LiveCaptureResult {
  readonly tool: CaptureToolName;
  readonly interface: string;
  readonly bpf: string | undefined;
  readonly dir: string;
  readonly stats: CaptureStats;
  readonly outcomes: readonly FileOutcome[];
  readonly stopReason: StopReason;
  /** The tool failed after it started capturing (files captured before were ingested). */
  readonly error?: SluiceError;
  readonly durationMs: number;
}

interface DoneFile {
  readonly path: string;
  readonly bytes: number;
}

/** One live capture run. */
export class LiveCapture {
  private readonly tool: CaptureTool;
  private readonly dir: string;
  private readonly prefix: string;
  private readonly parser: ToolOutputParser;
  private readonly tracker: SegmentTracker;
  private counters: ToolCounters = emptyCounters();
  private readonly totals = { files: 0, packets: 0, stored: 0, bytes: 0, filesWithProblems: 0, filesDeleted: 0 };
  private readonly outcomes: FileOutcome[] = [];
  /** Ingested files the retention may delete, oldest first. */
  private readonly deletable: DoneFile[] = [];
  private child: ChildProcess | undefined;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private stopReason: StopReason | undefined;
  private stopSent = false;
  private wake: (() => void) | undefined;
  private running: Promise<LiveCaptureResult> | undefined;
  private lowDiskWarned = false;

  constructor(private readonly options: LiveCaptureOptions) {
    this.tool = findCaptureTool(options.tool ?? 'auto');
    this.dir = resolve(options.dir);
    // Unique per run, so a restart never writes over (or mistakes for its own) an earlier run's files.
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.prefix = `${safeName(options.interface)}-${stamp}-${process.pid}`;
    this.parser = new ToolOutputParser(this.tool.name);
    this.tracker = new SegmentTracker(this.dir, this.prefix);
  }

  /** The counters now (a fresh snapshot each call). */
  get stats(): CaptureStats {
    const c = this.counters;
    return {
      tool: this.tool.name,
      interface: this.options.interface,
      running: this.child !== undefined && this.exited === undefined,
      captured: c.captured,
      received: c.received,
      droppedByKernel: c.droppedByKernel,
      droppedByInterface: c.droppedByInterface,
      droppedByTool: c.droppedByTool,
      captureDrops: totalDrops(c),
      countersFinal: c.final,
      ...this.totals,
    };
  }

  /** The tool that captures. */
  get toolName(): CaptureToolName {
    return this.tool.name;
  }

  /** Runs until the count, the duration, {@link stop} or the tool's exit. Call once. */
  run(): Promise<LiveCaptureResult> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops the tool cleanly (it writes its last file and its counters); what it captured is still ingested. */
  stop(reason: StopReason = 'signal'): void {
    this.stopReason ??= reason;
    if (this.child !== undefined && this.exited === undefined && !this.stopSent) {
      this.stopSent = true;
      this.child.kill('SIGINT');
      // A tool that does not stop (stuck on a dead device) is killed; its last file may then be cut short.
      setTimeout(() => {
        if (this.exited === undefined) this.child?.kill('SIGKILL');
      }, LIVE_CAPTURE_DEFAULTS.stopTimeoutMs).unref();
    }
    this.wake?.();
  }

  private emit(event: LiveCaptureEvent): void {
    this.options.onEvent?.(event);
  }

  private statsChanged(): void {
    this.options.onStats?.(this.stats);
  }

  private async loop(): Promise<LiveCaptureResult> {
    const started = performance.now();
    await mkdir(this.dir, { recursive: true });
    const backlog = await this.findBacklog();
    await this.startTool();
    const timers: NodeJS.Timeout[] = [];
    if (this.options.durationSecs !== undefined) timers.push(setTimeout(() => this.stop('duration'), this.options.durationSecs * 1000));
    const statsMs = this.options.statsIntervalMs ?? LIVE_CAPTURE_DEFAULTS.statsIntervalMs;
    if (this.tool.name === 'tcpdump' && statsMs > 0) {
      // tcpdump prints its counters on SIGUSR1 (SIGINFO on BSD); dumpcap prints a running count by itself.
      timers.push(setInterval(() => {
        if (this.exited === undefined && !this.stopSent) this.child?.kill('SIGUSR1');
      }, statsMs));
    }
    if (this.stopReason !== undefined) this.stop(this.stopReason);
    try {
      const pollMs = this.options.pollIntervalMs ?? LIVE_CAPTURE_DEFAULTS.pollIntervalMs;
      while (this.exited === undefined) {
        const path = backlog.shift();
        if (path !== undefined) await this.ingestOne(path, true);
        await this.tracker.scan();
        for (const p of this.tracker.takeCompleted()) await this.ingestOne(p, false);
        if (backlog.length === 0 && this.exited === undefined) await this.nap(pollMs);
      }
    } finally {
      for (const t of timers) clearTimeout(t);
    }
    // The tool has exited: its last file is complete.
    for (const e of this.parser.end()) this.onToolEvent(e);
    await this.tracker.scan();
    for (const p of this.tracker.takeAll()) await this.ingestOne(p, false);
    for (const p of backlog) await this.ingestOne(p, true);
    this.statsChanged();

    const { code, signal } = this.exited;
    let error: SluiceError | undefined;
    // SIGINT from us (or the terminal) ends both tools with 0; anything else is a failure.
    if ((code !== 0 && code !== null) || (signal !== null && signal !== 'SIGINT' && signal !== 'SIGTERM')) {
      error = toolFailureError({ tool: this.tool.name, interface: this.options.interface, bpf: this.options.bpf, messages: this.parser.messages, exitCode: code, signal });
    }
    return {
      tool: this.tool.name,
      interface: this.options.interface,
      bpf: this.options.bpf,
      dir: this.dir,
      stats: this.stats,
      outcomes: this.outcomes,
      stopReason: this.stopReason ?? (this.options.count !== undefined && error === undefined ? 'count' : 'tool-exit'),
      error,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Spawns the tool and waits until it captures; throws the tool's failure when it exits first. */
  private async startTool(): Promise<void> {
    const o = this.options;
    const cmd = captureCommand(this.tool, {
      interface: o.interface,
      bpf: o.bpf,
      count: o.count,
      snaplenBytes: o.snaplenBytes,
      dir: this.dir,
      prefix: this.prefix,
      rotateBytes: o.rotateBytes ?? LIVE_CAPTURE_DEFAULTS.rotateBytes,
      rotateSecs: o.rotateSecs ?? LIVE_CAPTURE_DEFAULTS.rotateSecs,
    });
    const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let ready = false;
    let readyResolve!: () => void;
    let readyReject!: (err: Error) => void;
    const readyPromise = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const e of this.parser.push(chunk)) {
        if (e.type === 'ready' && !ready) {
          ready = true;
          readyResolve();
        }
        this.onToolEvent(e);
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Spawning failed (the executable vanished or may not be run).
      this.exited ??= { code: null, signal: null };
      readyReject(
        err.code === 'EACCES'
          ? new SluiceError('SLUICE_CAPTURE_PERMISSION', `${this.tool.path} may not be run (${err.message}); check its permissions`, { cause: err })
          : new SluiceError('SLUICE_CAPTURE_TOOL', `could not start ${this.tool.path}: ${err.message}`, { cause: err }),
      );
      this.wake?.();
    });
    child.on('close', (code, signal) => {
      this.exited ??= { code, signal };
      for (const e of this.parser.end()) this.onToolEvent(e);
      if (!ready) {
        readyReject(toolFailureError({ tool: this.tool.name, interface: o.interface, bpf: o.bpf, messages: this.parser.messages, exitCode: code, signal }));
      }
      this.statsChanged();
      this.wake?.();
    });
    const timeoutMs = o.readyTimeoutMs ?? LIVE_CAPTURE_DEFAULTS.readyTimeoutMs;
    const timer = setTimeout(() => {
      if (ready) return;
      child.kill('SIGKILL');
      readyReject(new SluiceError('SLUICE_CAPTURE_FAILED', `${this.tool.name} did not start capturing on '${o.interface}' within ${timeoutMs / 1000} s${this.parser.messages.length ? `: ${this.parser.messages.join(' ')}` : ''}`));
    }, timeoutMs);
    try {
      await readyPromise;
    } finally {
      clearTimeout(timer);
    }
    this.emit({ type: 'ready', tool: this.tool.name, command: [cmd.file, ...cmd.args], dir: this.dir });
  }

  private onToolEvent(e: ReturnType<ToolOutputParser['push']>[number]): void {
    switch (e.type) {
      case 'file':
        this.tracker.note(e.path);
        this.wake?.();
        break;
      case 'counters':
        this.counters = { ...e.counters };
        this.statsChanged();
        break;
      case 'message':
        this.emit({ type: 'tool-message', line: e.line });
        break;
      case 'ready':
        break;
    }
  }

  private nap(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        res();
      }
      this.wake = done;
    });
  }

  /** Capture files in the folder from earlier runs (not this run's), oldest name first. */
  private async findBacklog(): Promise<string[]> {
    const out: string[] = [];
    for (const name of (await readdir(this.dir)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
      if (name.startsWith(this.prefix)) continue;
      const p = join(this.dir, name);
      const fh = await open(p, 'r').catch(() => undefined);
      if (fh === undefined) continue;
      try {
        const st = await fh.stat();
        if (!st.isFile()) continue;
        const head = Buffer.alloc(4);
        const { bytesRead } = await fh.read(head, 0, 4, 0);
        if (bytesRead === 4 && hasCaptureMagic(head)) out.push(p);
      } finally {
        await fh.close();
      }
    }
    return out;
  }

  private async ingestOne(path: string, backlog: boolean): Promise<void> {
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      return; // deleted meanwhile (by the user)
    }
    const outcome = await this.options.ingest({ path, size });
    this.outcomes.push(outcome);
    const t = this.totals;
    t.files++;
    t.packets += outcome.packets;
    t.stored += outcome.stored;
    t.bytes += outcome.bytes;
    const lossy = lossyProblems(outcome);
    if (lossy.length > 0) t.filesWithProblems++;
    this.emit({ type: 'file', path, outcome, backlog });
    // Only files that are wholly in the store may go; a damaged one stays for a look. (The ingest
    // is never asked to stop early here, and an empty file from a quiet rotation interval, which
    // the ingest marks 'partial' for its non-fatal CAPTURE_EMPTY, has lost nothing.)
    if (lossy.length === 0) {
      if (this.options.keepFiles ?? LIVE_CAPTURE_DEFAULTS.keepFiles) this.deletable.push({ path, bytes: size });
      else await this.remove({ path, bytes: size }, 'ingested');
    }
    await this.retention();
    this.statsChanged();
  }

  private async remove(f: DoneFile, reason: 'ingested' | 'min-free' | 'max-dir'): Promise<void> {
    try {
      await unlink(f.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.emit({ type: 'warning', message: `could not delete ${f.path}: ${(err as Error).message}` });
        return;
      }
    }
    this.totals.filesDeleted++;
    this.emit({ type: 'deleted', path: f.path, bytes: f.bytes, reason });
  }

  /** Deletes the oldest ingested files while the disk is short or the folder too large. */
  private async retention(): Promise<void> {
    const minFreeMb = this.options.minFreeMb ?? LIVE_CAPTURE_DEFAULTS.minFreeMb;
    if (minFreeMb > 0) {
      const fs = await statfs(this.dir);
      let freeMb = (fs.bavail * fs.bsize) / 1e6;
      while (freeMb < minFreeMb && this.deletable.length > 0) {
        const f = this.deletable.shift()!;
        await this.remove(f, 'min-free');
        freeMb += f.bytes / 1e6;
      }
      if (freeMb < minFreeMb && !this.lowDiskWarned) {
        this.lowDiskWarned = true;
        this.emit({ type: 'warning', message: `only ${Math.round(freeMb)} MB free in ${this.dir} (below ${minFreeMb} MB) and no ingested capture file left to delete; the capture continues` });
      } else if (freeMb >= minFreeMb) {
        this.lowDiskWarned = false;
      }
    }
    const maxDirBytes = this.options.maxDirBytes ?? LIVE_CAPTURE_DEFAULTS.maxDirBytes;
    if (maxDirBytes > 0) {
      let total = 0;
      for (const name of await readdir(this.dir)) {
        const st = await stat(join(this.dir, name)).catch(() => undefined);
        if (st?.isFile()) total += st.size;
      }
      while (total > maxDirBytes && this.deletable.length > 0) {
        const f = this.deletable.shift()!;
        await this.remove(f, 'max-dir');
        total -= f.bytes;
      }
    }
  }
}

/** An interface name as a file name part (`\Device\NPF_{…}`, `any`, `eth0.100`). */
export function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^\.+/, '_') || 'interface';
}
