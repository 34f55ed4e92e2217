/** Public types of the tail source. */
import type { TailStateStore } from './tail-state.js';

/** Where a file seen for the first time (no checkpoint) starts. */
export type TailStartAt = 'beginning' | 'end';

/** One line of a tailed file. */
export interface TailLine {
  /** Identity of the file (stable across renames, copies and restarts); document id = `<fileId>-<offset>`. */
  readonly fileId: string;
  /** Path of the file when the line was read. */
  readonly path: string;
  /** Byte offset of the line's first byte in the file. */
  readonly offset: number;
  /** Byte offset just after the line (after its `\n`). */
  readonly next: number;
  /**
   * The line's bytes without `\n` (and without a trailing `\r`). Not necessarily UTF-8: decode with
   * `data.toString('utf8')` (invalid sequences become U+FFFD) or keep the bytes.
   */
  readonly data: Buffer;
  /** The line was longer than `maxLineBytes` and `data` holds only its start. */
  readonly truncated: boolean;
}

/** A batch of lines. Call {@link TailBatch.ack} once the sink has stored every line of it. */
export interface TailBatch {
  /** Emission order, from 0. */
  readonly seq: number;
  readonly lines: readonly TailLine[];
  /** Sum of the lines' byte lengths. */
  readonly bytes: number;
  /**
   * The sink has every line: the checkpoints of the files in this batch may move past them (once
   * every earlier batch of the same file is acknowledged too). Idempotent; batches may be
   * acknowledged in any order.
   */
  ack(): void;
}

/** What the tailer reports, as it happens. */
export type TailEvent =
  /** A file is being read: `new` (first seen), `resumed` (from a checkpoint), `copy` (a copy of a truncated file continues it), `reopened` (a closed rotated file grew). */
  | { readonly type: 'opened'; readonly path: string; readonly fileId: string; readonly offset: number; readonly reason: 'new' | 'resumed' | 'copy' | 'reopened' }
  /** A followed file was renamed (`to`: its new path) or left the watched paths (`to`: null; renamed away or deleted). */
  | { readonly type: 'rotated'; readonly path: string; readonly to: string | null; readonly fileId: string }
  /** A followed file shrank below the read position or its content was replaced: it restarts at 0 under a new id. */
  | { readonly type: 'truncated'; readonly path: string; readonly fileId: string; readonly newFileId: string; readonly readOffset: number; readonly size: number }
  /** A rotated or deleted file was read to its end and stayed idle: closed. */
  | { readonly type: 'closed'; readonly path: string; readonly fileId: string; readonly offset: number; readonly deleted: boolean }
  /** A truncated file whose content did not reappear as a copy, or a checkpoint whose file was not found: forgotten. */
  | { readonly type: 'forgotten'; readonly path: string; readonly fileId: string; readonly readOffset: number }
  | { readonly type: 'error'; readonly path?: string; readonly message: string };

/** Counters of a tailer (cumulative unless stated). */
export interface TailStats {
  /** Files open now. */
  filesOpen: number;
  linesRead: number;
  /** Bytes consumed into lines. */
  bytesRead: number;
  /** Lines cut at `maxLineBytes`. */
  linesTruncated: number;
  /** Final lines without a newline emitted when their rotated/deleted file was closed. */
  partialLinesFlushed: number;
  batchesEmitted: number;
  batchesAcked: number;
  /** Batches emitted and not yet acknowledged (now). */
  batchesInFlight: number;
  /** Renames and disappearances of followed files. */
  rotations: number;
  truncations: number;
  /** Bytes in open files beyond their acknowledged checkpoints (now): the lag. */
  bytesBehind: number;
}

/** Options of {@link LogTailer}. */
export interface TailOptions {
  /** Glob patterns (see glob.ts) or file paths. */
  readonly paths: readonly string[];
  /** Base-name patterns never tailed. Default: compressed rotations (`*.gz`, `*.bz2`, `*.xz`, `*.zst`, `*.zip`, `*.lz4`). */
  readonly exclude?: readonly string[];
  /** Directory of `tail-state.sqlite` (the checkpoints). Required unless `state` is given. */
  readonly dataDir?: string;
  /** A checkpoint store owned by the caller (not closed by stop()). */
  readonly state?: TailStateStore;
  /** Where files without a checkpoint found at start begin; files appearing later always begin at 0. Default 'beginning'. */
  readonly startAt?: TailStartAt;
  /** Time between two scans of the paths. Default 1000. A file-system watch on the pattern's directories wakes the scan sooner. */
  readonly pollIntervalMs?: number;
  /** Bytes of a file's head that identify it. Default 1024. */
  readonly fingerprintBytes?: number;
  /** Longest line kept whole; longer lines are cut and flagged. Default 1 MiB. */
  readonly maxLineBytes?: number;
  /** A batch is emitted at this many lines. Default 1000. */
  readonly batchLines?: number;
  /** … or at this many bytes of line data. Default 1 MiB. */
  readonly batchBytes?: number;
  /** … or this long after its first line. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Reading pauses while this many batches are unacknowledged. Default 8. */
  readonly maxInFlightBatches?: number;
  /** Bytes read at a time. Default 64 KiB. */
  readonly readChunkBytes?: number;
  /**
   * A rotated or deleted file is closed once read to its end and idle this long; its last line
   * without a newline is then emitted. Default 5000.
   */
  readonly rotateWaitMs?: number;
  /**
   * A new file whose head equals that of a followed file may be a copytruncate copy made just
   * before the truncation: it waits this long for the truncation before being tailed as a file of
   * its own. Also how long checkpoints of files not found at start stay candidates. Default 5000.
   */
  readonly copyGraceMs?: number;
  /** Acknowledged offsets are written at this interval (and at stop). Default 1000. */
  readonly checkpointIntervalMs?: number;
  /** stop() waits this long for acknowledgements of batches in flight. Default 10000. */
  readonly stopTimeoutMs?: number;
  /** Use fs.watch on the patterns' directories as a hint to scan sooner. Default true. */
  readonly watch?: boolean;
  /** Receives each batch; the consumer calls `batch.ack()` once the sink stored it. */
  readonly onBatch: (batch: TailBatch) => void;
  readonly onEvent?: (event: TailEvent) => void;
}
