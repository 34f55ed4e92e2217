/**
 * `sluice ingest --to elasticsearch`: capture files → complete ECS documents (with the raw bytes)
 * → the shared sink driver → `_bulk` on Elasticsearch / OpenSearch, exactly once.
 *
 * Exactly once = deterministic ids (`<capture id>-<frame>`) + `create` (a replay answers 409, which
 * counts as delivered) + a checkpoint (`sink_progress` in the embedded store) that moves only over
 * the prefix of frames the engine acknowledged. A crash or Ctrl-C resumes after the checkpoint; the
 * frames in flight at that moment are sent again and come back as 409s.
 */
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { CommunityIdCache } from '../enrichers/community-id/community-id.js';
import { dailyIndex } from '../sinks/elasticsearch/bulk-encoder.js';
import { dataStreamName } from '../sinks/elasticsearch/index-template.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import type { BatchDriver, BatchDriverObserver } from '../sinks/util/batch-driver.js';
import { openEngineCaptureDelivery, type CapturePosition } from './engine-capture-delivery.js';
import type { SinkItem } from '../sinks/util/sink-item.js';
import { openCapture } from '../sources/pcap/capture-reader.js';
import { captureFingerprint } from './capture-fingerprint.js';
import type { CaptureFile } from './discover-captures.js';
import { previousCheckpoint, startCaptureCheckpoint, type CheckpointTrackers } from './capture-checkpoint.js';
import { eachFile, summarize, type FileOutcome, type IngestOptions, type IngestSummary } from './ingest.js';
import { JsonBytes } from './json-bytes.js';
import { PacketProcessor } from './packet-processor.js';

/** Where a document came from: echoed in acknowledgements and dead letters. */
type Position = CapturePosition;

/** Options of {@link ingestFilesToEngine}. */
export interface EngineIngestOptions extends IngestOptions {
  /** Data directory: checkpoints and dead letters live there. */
  readonly dataDir: string;
  readonly client: EngineClient;
  /** Daily index pattern (`sluice-packets-%Y.%m.%d`). */
  readonly indexPattern: string;
  /** Write to the data stream named after the pattern instead of daily indices. */
  readonly dataStream?: boolean;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
  readonly concurrency?: number;
  /** Name of the sink in checkpoints and dead-letter files. Default `elasticsearch`. */
  readonly sinkName?: string;
  /** Instrumentation of the sink driver (metrics: request latency, queue depth, sent/dropped counts). */
  readonly observer?: BatchDriverObserver;
}

export type { EngineDelivery } from './engine-capture-delivery.js';
import type { EngineDelivery } from './engine-capture-delivery.js';

/** Ingests the files into the engine. Bad capture content never throws: see the outcomes. */
export async function ingestFilesToEngine(files: readonly CaptureFile[], options: EngineIngestOptions): Promise<IngestSummary & { delivery: EngineDelivery }> {
  const started = performance.now();
  const sinkName = options.sinkName ?? 'elasticsearch';
  const run = openEngineCaptureDelivery({ ...options, sinkName });
  const { driver, trackers } = run;
  const communityIds = new CommunityIdCache();
  let outcomes: FileOutcome[] = [];
  let interrupted = false;
  try {
    ({ outcomes, interrupted } = await eachFile(files, options, (file) => ingestOne(file, run.db, driver, trackers, communityIds, sinkName, options)));
    await driver.close();
  } finally {
    run.stop();
  }
  return { ...summarize(outcomes, files.length, started, interrupted), delivery: run.delivery() };
}

async function ingestOne(
  file: CaptureFile,
  db: Database.Database,
  driver: BatchDriver<SinkItem<Position>>,
  trackers: CheckpointTrackers,
  communityIds: CommunityIdCache,
  sinkName: string,
  options: EngineIngestOptions,
): Promise<FileOutcome> {
  const started = performance.now();
  const captureId = await captureFingerprint(file.path);
  const prev = previousCheckpoint(db, sinkName, captureId);
  const createdBefore = driver.stats.created;
  if (prev?.status === 'complete') {
    options.onProgress?.(file.size, 0);
    return { path: file.path, captureId, format: undefined, status: 'already-ingested', bytes: file.size, packets: 0, stored: 0, decodeErrors: 0, problems: [], durationMs: 0 };
  }
  const committed = prev?.done ?? 0;
  const checkpoint = startCaptureCheckpoint(db, trackers, sinkName, captureId, file.path, committed);
  const tracker = checkpoint.tracker;

  const processor = new PacketProcessor({ captureId, path: file.path, name: basename(file.path) }, communityIds, true, { raw: true });
  const reader = openCapture(file.path, { chunkBytes: options.readChunkBytes, batchPackets: options.batchPackets });
  const out = new JsonBytes(1 << 16);
  const dataStream = options.dataStream ? dataStreamName(options.indexPattern) : undefined;
  let packets = 0;
  let lastBytes = 0;
  let stopped = false;
  for await (const batch of reader) {
    for (const p of batch.packets) {
      processor.see(p);
      if (p.frame <= committed) continue;
      out.reset();
      processor.process(p, out);
      processor.completeLast(out);
      await driver.push({
        id: captureId + '-' + p.frame,
        target: dataStream ?? dailyIndex(options.indexPattern, p.tsSec),
        body: Buffer.from(out.view()),
        position: { file: file.path, frame: p.frame, seq: tracker.issue() },
      });
    }
    packets += batch.packets.length;
    options.onProgress?.(batch.bytesRead - lastBytes, batch.packets.length);
    lastBytes = batch.bytesRead;
    if (options.shouldStop?.()) {
      stopped = true;
      break;
    }
  }
  await driver.drain();
  const problems = [...reader.problems, ...processor.problems];
  const damaged = reader.problems.length > 0;
  checkpoint.finish(stopped || damaged ? 'partial' : 'complete');
  if (!stopped && lastBytes < file.size) options.onProgress?.(file.size - lastBytes, 0);
  return {
    path: file.path,
    captureId,
    format: reader.format,
    status: stopped || damaged ? 'partial' : 'ingested',
    bytes: stopped ? lastBytes : file.size,
    packets,
    stored: driver.stats.created - createdBefore,
    decodeErrors: processor.decodeErrors,
    problems,
    durationMs: Math.round(performance.now() - started),
  };
}
