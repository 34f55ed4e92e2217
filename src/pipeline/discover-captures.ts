/**
 * Expands the paths given to `sluice ingest` into capture files.
 *
 * Files named explicitly are always taken (a file that is not a capture is then reported, not
 * skipped silently). Directories are walked recursively in name order and contribute the files
 * whose first four bytes are a pcap or pcapng magic number: the format is known by its magic,
 * never by its file name.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SluiceError } from '../errors.js';

/** A capture file to ingest. */
export interface CaptureFile {
  readonly path: string;
  readonly size: number;
}

/** Options of {@link discoverCaptures}. */
export interface DiscoverOptions {
  /** Walk directories recursively. Default true. */
  readonly recursive?: boolean;
  /** Follow symbolic links to directories. Default false (avoids loops). */
  readonly followSymlinks?: boolean;
}

const MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** True when the 4 bytes start a pcap (µs or ns, either byte order) or pcapng file. */
export function hasCaptureMagic(head: Buffer): boolean {
  return head.length >= 4 && MAGICS.has(head.readUInt32BE(0));
}

/** Lists capture files for the given paths, in a stable order, without duplicates. */
export async function discoverCaptures(paths: readonly string[], options: DiscoverOptions = {}): Promise<CaptureFile[]> {
  const out: CaptureFile[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    const abs = resolve(p);
    let st;
    try {
      st = await stat(abs);
    } catch (err) {
      throw new SluiceError('SLUICE_INPUT_NOT_FOUND', `${p}: no such file or directory (or not readable)`, { cause: err });
    }
    if (st.isDirectory()) await walk(abs, options, out, seen);
    else if (!seen.has(abs)) {
      seen.add(abs);
      out.push({ path: p, size: st.size });
    }
  }
  return out;
}

async function walk(dir: string, options: DiscoverOptions, out: CaptureFile[], seen: Set<string>): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isSymbolicLink() && !options.followSymlinks) continue;
    let st;
    try {
      st = await stat(path);
    } catch {
      continue; // vanished or dangling link: nothing to ingest
    }
    if (st.isDirectory()) {
      if (options.recursive !== false) await walk(path, options, out, seen);
    } else if (st.isFile() && !seen.has(path) && (await startsWithMagic(path))) {
      seen.add(path);
      out.push({ path, size: st.size });
    }
  }
}

/** True when the file at `path` starts with a pcap or pcapng magic number (false when unreadable). */
export async function startsWithMagic(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      const { bytesRead } = await fh.read(head, 0, 4, 0);
      return hasCaptureMagic(head.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}
