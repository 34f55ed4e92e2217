/**
 * Content identity of a capture file.
 *
 * The identity is a hash of the file's first bytes (its header and first packets, which carry
 * timestamps), not of its path or inode: a capture that is renamed, moved or copied keeps its
 * identity, so its documents keep their ids and a re-ingest adds nothing. A capture that grows
 * (still being written) keeps its identity too, and the new packets get new frame numbers.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** Bytes hashed from the start of the file. */
export const FINGERPRINT_BYTES = 8192;

/** Returns the capture identity: 20 hex digits of SHA-256 over the first {@link FINGERPRINT_BYTES} bytes. */
export async function captureFingerprint(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
    return fingerprintBytes(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** The identity of a capture whose first bytes are `head` (at most {@link FINGERPRINT_BYTES} are used). */
export function fingerprintBytes(head: Buffer): string {
  return createHash('sha256').update(head.subarray(0, FINGERPRINT_BYTES)).digest('hex').slice(0, 20);
}
