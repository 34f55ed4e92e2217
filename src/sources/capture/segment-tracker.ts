/**
 * Which of the capture tool's rolling files are finished. Both tools close a file before they
 * create the next one, so every file but the newest is complete; at exit the newest is too.
 *
 * Files are ordered by when they were first seen (from dumpcap's `File:` lines and from scans of
 * the folder), and files first seen in the same scan by natural name order. Names alone do not
 * order tcpdump's files (`x.pcap`, `x.pcap1`, …, `x.pcap10`), first sight does.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

/** Tracks the files one capture run writes into a folder. */
export class SegmentTracker {
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();
  private taken = 0;
  private readonly dir: string;

  /** Files of this run are those in `dir` whose name starts with `prefix`. */
  constructor(dir: string, private readonly prefix: string) {
    this.dir = resolve(dir);
  }

  /** Records a file the tool announced (dumpcap prints `File: <path>` when it opens one). */
  note(path: string): void {
    const abs = resolve(path);
    if (!basename(abs).startsWith(this.prefix) || this.seen.has(abs)) return;
    this.seen.add(abs);
    this.order.push(abs);
  }

  /** Looks for files of this run that were not seen yet. */
  async scan(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const fresh = names.filter((n) => n.startsWith(this.prefix) && !this.seen.has(join(this.dir, n)));
    fresh.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const n of fresh) this.note(join(this.dir, n));
  }

  /** The files closed since the last call (every file but the newest), oldest first. */
  takeCompleted(): string[] {
    const end = Math.max(this.taken, this.order.length - 1);
    const done = this.order.slice(this.taken, end);
    this.taken = end;
    return done;
  }

  /** Every file not taken yet, the newest included (the tool has exited). */
  takeAll(): string[] {
    const done = this.order.slice(this.taken);
    this.taken = this.order.length;
    return done;
  }

  /** Number of files seen so far. */
  get files(): number {
    return this.order.length;
  }
}
