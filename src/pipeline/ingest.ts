/**
 * `sluice ingest`: capture files → decoded ECS documents → the embedded store.
 *
 * One file at a time, one batch at a time: the reader yields a batch of packets, every packet is
 * decoded and serialized synchronously, and the batch is committed in one transaction together
 * with the capture's progress. Memory holds one read chunk and one batch, whatever the file size.
 */
import { basename } from 'node:path';
import { DEFAULT_BATCH_PACKETS, openCapture } from '../sources/pcap/capture-reader.js';
import type { CaptureProblem } from '../sources/pcap/types.js';
import type { LocalStoreOptions } from '../sinks/local/local-store.js';
import { PacketBatchBuilder } from './packet-batch.js';
import { StoreWriter } from '../sinks/local/store-writer.js';
import { captureFingerprint } from './capture-fingerprint.js';
import type { CaptureFile } from './discover-captures.js';
import { PacketProcessor } from './packet-processor.js';
import { CommunityIdCache } from '../enrichers/community-id/community-id.js';

/** Options of {@link ingestFiles}. */
export interface IngestOptions {
  /** Packets per transaction. Default 4096. */
  readonly batchPackets?: number;
  /** Bytes per file read. Default 4 MiB. */
  readonly readChunkBytes?: number;
  /** Called after each committed batch with the bytes and packets it covered. */
  readonly onProgress?: (bytes: number, packets: number) => void;
  /** Called when a file starts. */
  readonly onFile?: (file: CaptureFile) => void;
  /** Checked between batches: when it returns true the ingest stops after the current commit. */
  readonly shouldStop?: () => boolean;
}

/** What happened to one file. */
export interface FileOutcome {
  readonly path: string;
  readonly captureId: string;
  readonly format: string | undefined;
  /** 'ingested' (read to the end), 'already-ingested' (nothing to do), 'partial' (problem or stopped). */
  readonly status: 'ingested' | 'already-ingested' | 'partial';
  readonly bytes: number;
  /** Packets read from the file in this run. */
  readonly packets: number;
  /** New documents stored by this run (0 on a re-ingest). */
  readonly stored: number;
  /** Packets whose decoding met a malformed layer (stored with error.message). */
  readonly decodeErrors: number;
  readonly problems: readonly CaptureProblem[];
  readonly durationMs: number;
}

/** Totals over all files. */
export interface IngestSummary {
  readonly files: FileOutcome[];
  readonly totalFiles: number;
  readonly filesWithProblems: number;
  readonly packets: number;
  readonly stored: number;
  readonly bytes: number;
  readonly problems: number;
  readonly durationMs: number;
  readonly packetsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** True when the ingest was interrupted (signal) before every file was done. */
  readonly interrupted: boolean;
}

/** Ingests the files in order into the store. Never throws for bad capture content: see the outcomes. */
export async function ingestFiles(store: LocalStoreOptions, files: readonly CaptureFile[], options: IngestOptions = {}): Promise<IngestSummary> {
  const shared = await openStoreIngest(store);
  try {
    return await shared.ingest(files, options);
  } finally {
    await shared.close();
  }
}

/** Several ingests over one open store: see {@link openStoreIngest}. */
export interface StoreIngest {
  /** As {@link ingestFiles}; may be called concurrently (the watcher's parallel files). */
  ingest(files: readonly CaptureFile[], options?: IngestOptions): Promise<IngestSummary>;
  close(): Promise<void>;
}

/**
 * Opens the store once for many ingests: one store worker (one SQLite connection, which is the only
 * writer SQLite allows anyway) and one Community ID cache shared by every file, instead of a worker,
 * a connection and a cache per file. A long-running watcher uses it to keep its memory flat.
 */
export async function openStoreIngest(store: LocalStoreOptions): Promise<StoreIngest> {
  const writer = await StoreWriter.open(store);
  // One Community ID cache for the whole run: flows span files, and the table is large.
  const communityIds = new CommunityIdCache();
  return {
    async ingest(files, options = {}) {
      const started = performance.now();
      const { outcomes, interrupted } = await eachFile(files, options, (file) => ingestFile(writer, file, options, communityIds));
      return summarize(outcomes, files.length, started, interrupted);
    },
    close: () => writer.close(),
  };
}

/**
 * Ingests files one after the other until done or stopped (`options.shouldStop`), telling
 * `options.onFile` about each; shared by the store and engine ingests.
 */
export async function eachFile(
  files: readonly CaptureFile[],
  options: IngestOptions,
  ingest: (file: CaptureFile) => Promise<FileOutcome>,
): Promise<{ outcomes: FileOutcome[]; interrupted: boolean }> {
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    if (options.shouldStop?.()) return { outcomes, interrupted: true };
    options.onFile?.(file);
    const outcome = await ingest(file);
    outcomes.push(outcome);
    if (outcome.status === 'partial' && options.shouldStop?.()) return { outcomes, interrupted: true };
  }
  return { outcomes, interrupted: false };
}

/** Totals of an ingest from its per-file outcomes (`started` is a performance.now() value). */
export function summarize(outcomes: FileOutcome[], totalFiles: number, started: number, interrupted: boolean): IngestSummary {
  const durationMs = performance.now() - started;
  let packets = 0, stored = 0, bytes = 0, problems = 0, withProblems = 0;
  for (const o of outcomes) {
    packets += o.packets;
    stored += o.stored;
    bytes += o.bytes;
    problems += o.problems.length;
    if (o.problems.length > 0) withProblems++;
  }
  const secs = durationMs / 1000;
  return {
    files: outcomes,
    totalFiles,
    filesWithProblems: withProblems,
    packets,
    stored,
    bytes,
    problems,
    durationMs: Math.round(durationMs),
    packetsPerSecond: secs > 0 ? Math.round(packets / secs) : 0,
    megabytesPerSecond: secs > 0 ? Math.round((bytes / 1e6 / secs) * 10) / 10 : 0,
    interrupted,
  };
}

/** Ingests one capture file through an open store writer. */
export async function ingestFile(
  writer: StoreWriter,
  file: CaptureFile,
  options: IngestOptions = {},
  communityIds = new CommunityIdCache(),
): Promise<FileOutcome> {
  const started = performance.now();
  const captureId = await captureFingerprint(file.path);
  const name = basename(file.path);
  const capture = { captureId, path: file.path, name };
  // The processor sees every packet in file order (link types, source date) and decodes the new ones.
  const processor = new PacketProcessor(capture, communityIds);
  const state = await writer.register({ captureId, path: file.path, name, size: file.size, docTail: processor.tail });
  if (state.status === 'complete') {
    options.onProgress?.(file.size, 0);
    return {
      path: file.path, captureId, format: undefined, status: 'already-ingested', bytes: file.size, packets: 0, stored: 0,
      decodeErrors: 0, problems: [], durationMs: Math.round(performance.now() - started),
    };
  }

  const batchPackets = options.batchPackets ?? DEFAULT_BATCH_PACKETS;
  const reader = openCapture(file.path, { chunkBytes: options.readChunkBytes, batchPackets });
  const builder = new PacketBatchBuilder(batchPackets, writer.buffers);
  const counter = { inserted: 0 };
  // Frames committed by an earlier, interrupted run are read again but not decoded again.
  const committed = state.packets;
  let packets = 0;
  let lastFrame = 0;
  let lastBytes = 0;
  let stopped = false;
  const flush = async (bytesRead: number) => {
    const progress = { bytesRead, lastFrame, format: reader.format, interfacesJson: JSON.stringify(reader.interfaces) };
    await writer.write(state.id, builder.take(), progress, counter);
  };
  for await (const batch of reader) {
    const list = batch.packets;
    for (let i = 0; i < list.length; i++) {
      const p = list[i];
      lastFrame = p.frame;
      processor.see(p);
      if (p.frame <= committed) continue;
      processor.process(p, builder.docs);
      builder.add(p);
      if (builder.full) await flush(batch.bytesRead);
    }
    packets += list.length;
    options.onProgress?.(batch.bytesRead - lastBytes, list.length);
    lastBytes = batch.bytesRead;
    if (options.shouldStop?.()) {
      stopped = true;
      break;
    }
  }
  // The last batch also carries the final progress (even when it holds no packet).
  await flush(lastBytes);
  await writer.drain();
  if (!stopped && lastBytes < file.size) options.onProgress?.(file.size - lastBytes, 0);

  const problems = [...reader.problems, ...processor.problems];
  const damaged = reader.problems.length > 0;
  await writer.finish(state.id, { status: stopped || damaged ? 'partial' : 'complete', problems });
  return {
    path: file.path,
    captureId,
    format: reader.format,
    status: stopped || damaged ? 'partial' : 'ingested',
    bytes: stopped ? lastBytes : file.size,
    packets,
    stored: counter.inserted,
    decodeErrors: processor.decodeErrors,
    problems,
    durationMs: Math.round(performance.now() - started),
  };
}
