/**
 * Reads whole Cowrie/HP_TI JSON log files into a {@link HoneypotStore}: the simple entry for tests,
 * benchmarks and one-off imports (the daemon follows the logs with the tail source instead and
 * calls {@link HoneypotStore.writeBatch} itself). Ids are `<fileId>-<offset>` with the file id a
 * hash of the file's first 1024 bytes, so reading the same file again writes nothing new.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { cowriePositionId, parseCowrieLine, type CowrieParseOptions, type CowrieRejectReason } from '../../decoders/honeypot/index.js';
import { SluiceError } from '../../errors.js';
import type { HoneypotStore, HoneypotStoreItem } from './honeypot-store.js';

/** Options of {@link ingestCowrieFiles}. */
export interface IngestCowrieFilesOptions extends CowrieParseOptions {
  /** Events per {@link HoneypotStore.writeBatch}. Default 1000. */
  readonly batchEvents?: number;
}

/** What {@link ingestCowrieFiles} did. */
export interface IngestCowrieFilesResult {
  readonly files: number;
  readonly lines: number;
  readonly events: number;
  /** Events stored for the first time. */
  readonly inserted: number;
  /** Events already in the store. */
  readonly duplicates: number;
  /** Lines that were not events, by reason (empty lines are not counted). */
  readonly rejected: Partial<Record<CowrieRejectReason, number>>;
}

/** The file id of a log: base64url SHA-256 of its first 1024 bytes, 16 characters. */
export function cowrieFileId(head: Buffer): string {
  return createHash('sha256').update(head.subarray(0, 1024)).digest('base64url').slice(0, 16);
}

/** Reads, parses and writes each file in batches. Throws SLUICE_INPUT_NOT_FOUND or SLUICE_HONEYPOT_DB. */
export async function ingestCowrieFiles(files: readonly string[], store: HoneypotStore, options: IngestCowrieFilesOptions = {}): Promise<IngestCowrieFilesResult> {
  const batchEvents = Math.max(1, options.batchEvents ?? 1000);
  let lines = 0;
  let events = 0;
  let inserted = 0;
  let duplicates = 0;
  const rejected: Partial<Record<CowrieRejectReason, number>> = {};
  for (const file of files) {
    let buf: Buffer;
    try {
      buf = await readFile(file);
    } catch (err) {
      throw new SluiceError('SLUICE_INPUT_NOT_FOUND', `The honeypot log ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { cause: err });
    }
    const fileId = cowrieFileId(buf);
    let batch: HoneypotStoreItem[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const r = await store.writeBatch(batch);
      inserted += r.inserted;
      duplicates += r.duplicates;
      batch = [];
    };
    let start = 0;
    let lineNo = 0;
    while (start < buf.length) {
      let end = buf.indexOf(0x0a, start);
      const terminated = end >= 0;
      if (!terminated) end = buf.length;
      lineNo++;
      lines++;
      // A whole file read at rest: its last line is complete even without a newline.
      const r = parseCowrieLine(buf.subarray(start, end), { offset: start, line: lineNo, terminated: true }, options);
      if (r.ok) {
        events++;
        batch.push({ event: r.event, id: cowriePositionId(fileId, start) });
        if (batch.length >= batchEvents) await flush();
      } else if (r.reason !== 'empty') {
        rejected[r.reason] = (rejected[r.reason] ?? 0) + 1;
      }
      start = end + 1;
    }
    await flush();
  }
  return { files: files.length, lines, events, inserted, duplicates, rejected };
}
