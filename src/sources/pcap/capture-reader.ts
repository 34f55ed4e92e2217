/**
 * Streaming capture file reader: reads a pcap or pcapng file chunk by chunk and yields batches of
 * {@link RawPacket}s, with memory bounded by one chunk plus one batch whatever the file size.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { SluiceError } from '../../errors.js';
import { CaptureParser } from './capture-parser.js';
import type { CaptureFormat, CaptureInterface, CaptureProblem, RawPacket } from './types.js';

/** Options of {@link openCapture}. */
export interface OpenCaptureOptions {
  /** Bytes read from the file at a time (default 4 MiB). Each chunk is a fresh buffer. */
  chunkBytes?: number;
  /** Largest number of packets per yielded batch (default 4096). */
  batchPackets?: number;
  /** Sanity cap on one packet's captured length (default 256 MiB), see {@link CaptureParser}. */
  maxPacketBytes?: number;
}

/** One batch of packets, in file order. */
export interface CaptureBatch {
  /** Packets of the batch; their `data` views stay valid after the next batch is read. */
  packets: RawPacket[];
  /**
   * File bytes consumed so far: every byte before this offset has been turned into packets of
   * this or earlier batches (or skipped). Suitable as a progress and resume mark.
   */
  bytesRead: number;
}

/**
 * Default chunk size: 256 KiB (as `ingest.read_chunk_bytes`). Reads as fast as 1 MiB; larger fresh
 * blocks per read fragmented the allocator's heap and cost a long-running watcher ~30 MB.
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** Default batch size: 1024 packets (as `ingest.batch_packets`). */
export const DEFAULT_BATCH_PACKETS = 1024;

/**
 * A capture file being read. Iterate it (once) with `for await`; the getters reflect what has
 * been read so far and are complete after the iteration ends.
 */
export class CaptureReader implements AsyncIterable<CaptureBatch> {
  /** Path of the file. */
  readonly path: string;
  private readonly chunkBytes: number;
  private readonly batchPackets: number;
  private readonly parser: CaptureParser;
  private size = -1;
  private started = false;

  /** Use {@link openCapture}. */
  constructor(path: string, options?: OpenCaptureOptions) {
    this.path = path;
    this.chunkBytes = positiveInt(options?.chunkBytes, DEFAULT_CHUNK_BYTES);
    this.batchPackets = positiveInt(options?.batchPackets, DEFAULT_BATCH_PACKETS);
    this.parser = new CaptureParser({ file: path, maxPacketBytes: options?.maxPacketBytes });
  }

  /** Container format, known once the first bytes have been read (undefined for unknown files). */
  get format(): CaptureFormat | undefined {
    return this.parser.format;
  }

  /** Interfaces described so far (see {@link CaptureInterface}). */
  get interfaces(): CaptureInterface[] {
    return this.parser.interfaces;
  }

  /** Problems found so far. */
  get problems(): CaptureProblem[] {
    return this.parser.problems;
  }

  /** File size in bytes at open time (-1 before the iteration started). */
  get fileSize(): number {
    return this.size;
  }

  /** Number of packets read so far. */
  get packets(): number {
    return this.parser.packets;
  }

  /**
   * Read the file. Throws `SluiceError('SLUICE_INPUT_NOT_FOUND')` when the file cannot be opened
   * or read; never throws for bad capture content (see {@link CaptureReader.problems}).
   */
  async *[Symbol.asyncIterator](): AsyncIterator<CaptureBatch> {
    if (this.started) throw new SluiceError('SLUICE_USAGE', `capture ${this.path} is already being read; open it again to read it twice`);
    this.started = true;
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'EISDIR' });
      }
      this.size = st.size;
    } catch (err) {
      throw new SluiceError('SLUICE_INPUT_NOT_FOUND', `cannot open capture file ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    const parser = this.parser;
    const max = this.batchPackets;
    let batch: RawPacket[] = [];
    const collect = (p: RawPacket): void => {
      batch.push(p);
    };
    try {
      let position = 0;
      let lastYield = -1;
      for (;;) {
        // A fresh buffer per chunk: yielded packet views must never be overwritten.
        const buf = Buffer.allocUnsafeSlow(this.chunkBytes);
        let n: number;
        try {
          n = (await fh.read(buf, 0, buf.length, position)).bytesRead;
        } catch (err) {
          throw new SluiceError('SLUICE_INPUT_NOT_FOUND', `cannot read capture file ${this.path} at byte ${position}: ${(err as Error).message}`, { cause: err });
        }
        if (n === 0) break;
        position += n;
        parser.push(n === buf.length ? buf : buf.subarray(0, n), collect);
        // Yield in slices of at most `max` packets. Intermediate slices end where the next packet
        // starts, so bytesRead never claims bytes whose packets have not been yielded yet.
        let i = 0;
        while (batch.length - i > max) {
          const slice = batch.slice(i, i + max);
          i += max;
          lastYield = batch[i].offset;
          yield { packets: slice, bytesRead: lastYield };
        }
        if (i > 0) batch = batch.slice(i);
        if (batch.length === max) {
          const full = batch;
          batch = [];
          lastYield = parser.bytesConsumed;
          yield { packets: full, bytesRead: lastYield };
        }
        if (parser.stopped) break;
      }
      parser.end();
      // Final batch: the remaining packets, or just the final byte count (also for empty files).
      if (batch.length > 0 || lastYield < 0 || parser.bytesConsumed !== lastYield) {
        const last = batch;
        batch = [];
        yield { packets: last, bytesRead: parser.bytesConsumed };
      }
    } finally {
      await fh.close();
    }
  }
}

/**
 * Open a pcap or pcapng capture for streaming. Nothing is read until iteration starts; a missing or
 * unreadable file then throws `SluiceError('SLUICE_INPUT_NOT_FOUND')`.
 */
export function openCapture(path: string, options?: OpenCaptureOptions): CaptureReader {
  return new CaptureReader(path, options);
}

/** Result of {@link parseCaptureBuffer}. */
export interface ParsedCapture {
  /** Every packet, in file order; `data` are views into the parsed buffer. */
  packets: RawPacket[];
  /** Problems found, in file order. */
  problems: CaptureProblem[];
  /** Interfaces (one for pcap, one per IDB for pcapng). */
  interfaces: CaptureInterface[];
  /** Detected format, undefined when the magic number was not recognised (or the input empty). */
  format: CaptureFormat | undefined;
}

/**
 * Parse a whole capture held in memory (tests, fuzzers, small inputs). Packet `data` are views
 * into `buf`.
 */
export function parseCaptureBuffer(buf: Buffer, file?: string): ParsedCapture {
  const parser = new CaptureParser({ file: file ?? '' });
  const packets: RawPacket[] = [];
  parser.push(buf, (p) => {
    packets.push(p);
  });
  parser.end();
  return { packets, problems: parser.problems, interfaces: parser.interfaces, format: parser.format };
}

function positiveInt(v: number | undefined, dflt: number): number {
  return v !== undefined && Number.isFinite(v) && v >= 1 ? Math.floor(v) : dflt;
}
