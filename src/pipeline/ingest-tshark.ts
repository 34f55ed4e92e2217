/**
 * `sluice ingest --dissector tshark`: every capture file through Wireshark's dissectors
 * (`tshark -r FILE -T ek`, streamed) → typed documents shaped like espcap's (see
 * EkDocumentWriter) → the shared sink driver → `_bulk` on Elasticsearch / OpenSearch, into daily
 * indices named by the packet's UTC date (`packets-%Y-%m-%d` by default), exactly once.
 *
 * Same contract and machinery as {@link ingestFilesToEngine}: ids `<capture id>-<frame>` with
 * `create`, checkpoints in the data directory's `sink_progress` that move only over the prefix of
 * frames the engine acknowledged (under their own sink name, so the native and tshark ingests of
 * one capture are tracked apart), dead letters, backpressure (tshark blocks on its pipe while the
 * driver is full). An interrupted file resumes: tshark dissects it again from the start (dissection
 * is stateful: TCP reassembly, DNS response times), and the frames already delivered are skipped
 * before they are parsed.
 */
import { basename } from 'node:path';
import type Database from 'better-sqlite3';
import { EkDocumentWriter } from '../decoders/tshark-ek/ek-document-writer.js';
import { FieldBudget } from '../decoders/tshark-ek/field-budget.js';
import { loadFieldRegistry, tsharkVersion, type FieldRegistry } from '../decoders/tshark-ek/field-registry.js';
import { EkSyntaxError, parseEkLine, peekFrameNumber } from '../decoders/tshark-ek/parse-ek-line.js';
import { TsharkEkProcess } from '../decoders/tshark-ek/tshark-ek-process.js';
import { dailyIndex } from '../sinks/elasticsearch/bulk-encoder.js';
import { detectEngine } from '../sinks/elasticsearch/http/detect-engine.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import type { EngineInfo } from '../sinks/elasticsearch/http/engine-info.js';
import {
  catchAllFieldsOf,
  ensureTsharkTemplate,
  TSHARK_FIELD_LIMIT,
  TSHARK_INDEX_PATTERN,
  type CatchAllKind,
} from '../sinks/elasticsearch/tshark-template.js';
import type { BatchDriver } from '../sinks/util/batch-driver.js';
import { openEngineCaptureDelivery, type CapturePosition } from './engine-capture-delivery.js';
import type { SinkItem } from '../sinks/util/sink-item.js';
import type { CaptureProblem } from '../sources/pcap/types.js';
import { captureFingerprint } from './capture-fingerprint.js';
import type { CaptureFile } from './discover-captures.js';
import type { EngineDelivery, EngineIngestOptions } from './ingest-engine.js';
import { previousCheckpoint, startCaptureCheckpoint, type CheckpointTrackers } from './capture-checkpoint.js';
import { eachFile, summarize, type FileOutcome, type IngestSummary } from './ingest.js';
import { JsonBytes } from './json-bytes.js';

type Position = CapturePosition;

/** Options of {@link ingestFilesWithTshark}. */
export interface TsharkIngestOptions extends Omit<EngineIngestOptions, 'indexPattern' | 'dataStream'> {
  /** Daily index pattern. Default `packets-%Y-%m-%d` (config `tshark.index_pattern`). */
  readonly indexPattern?: string;
  /** The tshark executable. Default `tshark` (config `tshark.path`). */
  readonly tsharkPath?: string;
  /** Catch-all fields per index when the engine has no flat_object/flattened. Default 2000 (config `tshark.field_limit_count`). */
  readonly fieldLimitCount?: number;
  /** Force a catch-all kind instead of the engine's best (tests; `bounded` works everywhere). */
  readonly catchAll?: CatchAllKind;
  /** Install the `packets-*` template when missing. Default true. */
  readonly installTemplate?: boolean;
  /** Add `network.community_id` (Wireshark's Community ID dissector). Default true. */
  readonly communityId?: boolean;
  /** The engine, when already detected. */
  readonly engine?: EngineInfo;
  /** The field registry, when already loaded (it is loaded once per run otherwise). */
  readonly registry?: FieldRegistry;
}

/** What the tshark side of the run did. */
export interface TsharkRunInfo {
  /** `tshark --version`'s first line. */
  readonly version: string;
  readonly catchAll: CatchAllKind;
  readonly template: 'exists' | 'installed' | 'not-allowed' | 'skipped';
  /** Lines tshark wrote on stderr (warnings and errors), all files. */
  readonly errors: number;
  /** Document lines that were not valid EK JSON (skipped). */
  readonly badLines: number;
  /** Fields kept unindexed in layers_overflow (over the budget or too long), all documents. */
  readonly overflowFields: number;
}

interface RunState {
  readonly registry: FieldRegistry;
  readonly budget: FieldBudget | undefined;
  readonly indexPattern: string;
  readonly communityId: boolean;
  errors: number;
  badLines: number;
  overflowFields: number;
}

type Trackers = CheckpointTrackers;

/** Ingests the files through tshark into the engine. Bad capture content never throws: see the outcomes. */
export async function ingestFilesWithTshark(
  files: readonly CaptureFile[],
  options: TsharkIngestOptions,
): Promise<IngestSummary & { delivery: EngineDelivery; tshark: TsharkRunInfo }> {
  const started = performance.now();
  const tsharkPath = options.tsharkPath ?? 'tshark';
  const version = tsharkVersion(tsharkPath);
  const registry = options.registry ?? loadFieldRegistry(tsharkPath);
  const indexPattern = options.indexPattern ?? TSHARK_INDEX_PATTERN;
  const fieldLimitCount = options.fieldLimitCount ?? TSHARK_FIELD_LIMIT;
  let catchAll: CatchAllKind = options.catchAll ?? 'bounded';
  let template: TsharkRunInfo['template'] = 'skipped';
  if (options.installTemplate !== false) {
    const engine = options.engine ?? (await detectEngine(options.client));
    const state = await ensureTsharkTemplate(options.client, engine, { indexPattern, fieldLimitCount, ...(options.catchAll ? { catchAll: options.catchAll } : {}) });
    catchAll = state.catchAll;
    template = state.status;
  }
  const run: RunState = {
    registry,
    budget: catchAll === 'bounded' ? new FieldBudget(fieldLimitCount) : undefined,
    indexPattern,
    // Wireshark 3.6+ has the Community ID post-dissector (off unless enabled).
    communityId: (options.communityId ?? true) && registry.field('communityid') !== undefined,
    errors: 0,
    badLines: 0,
    overflowFields: 0,
  };

  const sinkName = options.sinkName ?? 'elasticsearch-tshark';
  const delivery = openEngineCaptureDelivery({ ...options, sinkName });
  const { driver, trackers } = delivery;
  let outcomes: FileOutcome[] = [];
  let interrupted = false;
  try {
    ({ outcomes, interrupted } = await eachFile(files, options, (file) => ingestOne(file, delivery.db, driver, trackers, sinkName, run, options)));
    await driver.close();
  } finally {
    delivery.stop();
  }
  return {
    ...summarize(outcomes, files.length, started, interrupted),
    delivery: delivery.delivery(),
    tshark: { version, catchAll, template, errors: run.errors, badLines: run.badLines, overflowFields: run.overflowFields },
  };
}

async function ingestOne(
  file: CaptureFile,
  db: Database.Database,
  driver: BatchDriver<SinkItem<Position>>,
  trackers: Trackers,
  sinkName: string,
  run: RunState,
  options: TsharkIngestOptions,
): Promise<FileOutcome> {
  const started = performance.now();
  const captureId = await captureFingerprint(file.path);
  const prev = previousCheckpoint(db, sinkName, captureId);
  if (prev?.status === 'complete') {
    options.onProgress?.(file.size, 0);
    return { path: file.path, captureId, format: undefined, status: 'already-ingested', bytes: file.size, packets: 0, stored: 0, decodeErrors: 0, problems: [], durationMs: 0 };
  }
  const createdBefore = driver.stats.created;
  const committed = prev?.done ?? 0;
  const checkpoint = startCaptureCheckpoint(db, trackers, sinkName, captureId, file.path, committed);
  const tracker = checkpoint.tracker;

  const writer = new EkDocumentWriter(run.registry, { fileName: basename(file.path), captureId }, run.budget);
  const tshark = new TsharkEkProcess(file.path, { tsharkPath: options.tsharkPath, communityId: run.communityId });
  const out = new JsonBytes(1 << 16);
  let packets = 0;
  let lastFrame = 0;
  let badLines = 0;
  let bytesSeen = 0;
  let bytesReported = 0;
  let stopped = false;
  try {
    for await (const lines of tshark.batches()) {
      let batchPackets = 0;
      for (const line of lines) {
        batchPackets++;
        if (committed > 0) {
          const frame = peekFrameNumber(line);
          if (frame > 0 && frame <= committed) {
            lastFrame = frame;
            continue; // delivered by an earlier run
          }
        }
        let packet;
        try {
          packet = parseEkLine(line);
        } catch (err) {
          if (!(err instanceof EkSyntaxError)) throw err;
          badLines++;
          continue;
        }
        const meta = writer.meta(packet);
        lastFrame = meta.frame;
        bytesSeen += meta.capturedBytes + 16; // record header: a progress estimate, exact at the end
        const index = dailyIndex(run.indexPattern, meta.epochSec);
        if (run.budget !== undefined && !run.budget.has(index)) run.budget.seed(index, await catchAllFieldsOf(options.client, index));
        out.reset();
        writer.write(packet, meta, index, out);
        await driver.push({
          id: captureId + '-' + meta.frame,
          target: index,
          body: Buffer.from(out.view()),
          position: { file: file.path, frame: meta.frame, seq: tracker.issue() },
        });
      }
      packets += batchPackets;
      const bytes = Math.min(bytesSeen, file.size - 1);
      if (bytes > bytesReported || batchPackets > 0) {
        options.onProgress?.(Math.max(0, bytes - bytesReported), batchPackets);
        bytesReported = Math.max(bytes, bytesReported);
      }
      if (options.shouldStop?.()) {
        stopped = true;
        break;
      }
    }
  } finally {
    if (stopped) tshark.kill();
  }
  const exit = await tshark.exited();
  await driver.drain();
  run.errors += exit.errorLines;
  run.badLines += badLines;
  run.overflowFields += writer.overflowFields;

  const problems: CaptureProblem[] = [];
  const failed = !stopped && exit.code !== 0;
  if (failed || (!stopped && exit.errorLines > 0)) {
    problems.push(tsharkProblem(file.path, lastFrame + 1, exit.messages, exit.code, failed));
  }
  const partial = stopped || failed;
  checkpoint.finish(partial ? 'partial' : 'complete');
  if (!stopped && bytesReported < file.size) options.onProgress?.(file.size - bytesReported, 0);
  return {
    path: file.path,
    captureId,
    format: 'tshark',
    status: partial ? 'partial' : 'ingested',
    bytes: stopped ? bytesReported : file.size,
    packets,
    stored: driver.stats.created - createdBefore,
    decodeErrors: badLines,
    problems,
    durationMs: Math.round(performance.now() - started),
  };
}

/** tshark's complaint about a file as a capture problem (file, frame; tshark gives no byte offset). */
function tsharkProblem(file: string, frame: number, messages: readonly string[], code: number | null, fatal: boolean): CaptureProblem {
  const text = messages.join(' ').replace(/^tshark:\s*/, '');
  const said = text === '' ? `tshark exited with code ${code}` : `tshark: ${text.slice(0, 500)}`;
  const cut = /cut short|truncated/i.test(text);
  const unknown = /isn't a capture file|unknown format|not a capture file/i.test(text);
  return {
    code: cut ? 'CAPTURE_TRUNCATED_RECORD' : unknown ? 'CAPTURE_UNKNOWN_FORMAT' : 'CAPTURE_BAD_BLOCK_LENGTH',
    message: fatal
      ? `${said}. The ${frame - 1} frames before the fault were ingested; check the file (capinfos, or sluice ingest with the native dissector, names the byte offset).`
      : `${said} (warnings; every frame tshark printed was ingested).`,
    file,
    offset: 0,
    frame,
    fatal,
  };
}
