/**
 * Content identity of tailed files.
 *
 * A tailed file is recognised by its **head**: its first `fingerprintBytes` bytes (default 1024),
 * or all of its bytes while it is shorter. The head is what survives a rename (same inode), a move
 * to another file system and a copy (copytruncate), and it is what changes when an inode is reused
 * for another file. Heads are compared as prefixes: a file that had 40 bytes when first seen and
 * has 900 now is the same file when its first 40 bytes did not change; its stored head then grows
 * up to `fingerprintBytes` ("upgrade"), so small files are tailed at once instead of waiting until
 * they reach the fingerprint size (Filebeat's fingerprint mode makes them wait).
 *
 * The **file id** used in document ids (`<fileId>-<offset>`) is not the head itself: two distinct
 * files may share their first bytes (the same header, the same first line written by the same
 * service every day, two tiny files with equal contents), and equal ids would make the sink
 * answer "already there" for the second file's lines, losing them. The id is a hash of the head at
 * first sight together with the device, the inode and the first-seen time, drawn once and kept in
 * the checkpoint store: stable for the life of the file (renames, copies, restarts), unique across
 * files.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Default number of bytes of the head. */
export const DEFAULT_FINGERPRINT_BYTES = 1024;

/** How two heads relate. */
export type HeadRelation =
  /** Same bytes, same length. */
  | 'equal'
  /** The first is a strict prefix of the second (the file grew, or the second is a longer copy). */
  | 'prefix'
  /** The second is a strict prefix of the first. */
  | 'extends'
  /** They differ within their common length: different contents. */
  | 'different';

/** Compares two heads over their common length. */
export function headRelation(a: Buffer, b: Buffer): HeadRelation {
  const n = Math.min(a.length, b.length);
  if (a.compare(b, 0, n, 0, n) !== 0) return 'different';
  if (a.length === b.length) return 'equal';
  return a.length < b.length ? 'prefix' : 'extends';
}

/** True when neither head contradicts the other (one is a prefix of the other). */
export function headsCompatible(a: Buffer, b: Buffer): boolean {
  return headRelation(a, b) !== 'different';
}

/** Reads the head of an open file: its first min(size, `fingerprintBytes`) bytes. */
export async function readHead(fh: FileHandle, size: number, fingerprintBytes: number): Promise<Buffer> {
  const want = Math.max(0, Math.min(size, fingerprintBytes));
  const buf = Buffer.alloc(want);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(buf, got, want - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === want ? buf : buf.subarray(0, got);
}

/** A short hex digest of a head (for logs and events; never an identity on its own). */
export function headDigest(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex').slice(0, 16);
}

/**
 * Draws the id of a newly seen file: 20 hex digits of SHA-256 over the head at first sight, the
 * device and inode and the first-seen time in nanoseconds. Never recomputed: the checkpoint store
 * keeps it.
 */
export function newFileId(head: Buffer, dev: bigint, ino: bigint, firstSeenNs: bigint): string {
  return createHash('sha256')
    .update('sluice-tail-v1\0')
    .update(`${dev}:${ino}:${firstSeenNs}\0`)
    .update(head)
    .digest('hex')
    .slice(0, 20);
}
