/**
 * `sluice ingest <files|dirs…>`: captures into the embedded store, with a progress bar on a
 * TTY, a summary at the end, `--output json` for scripts, and exit code 1 when any file had a
 * problem.
 */
import cliProgress from 'cli-progress';
import { discoverCaptures } from '../../pipeline/discover-captures.js';
import { ingestFiles, type IngestOptions, type IngestSummary } from '../../pipeline/ingest.js';
import type { EngineDelivery } from '../../pipeline/ingest-engine.js';
import type { SluiceConfig } from '../../config/index.js';
import type { CaptureFile } from '../../pipeline/discover-captures.js';
import { SluiceError } from '../../errors.js';
import { formatBytes, formatCount, formatDuration, processIO, type CommandIO } from '../output.js';

/** Options of {@link runIngest} (already merged from flags, environment, file and defaults). */
export interface IngestCommandOptions {
  readonly paths: readonly string[];
  readonly dataDir: string;
  readonly output: 'table' | 'json';
  readonly progress: 'auto' | 'always' | 'never';
  readonly batchPackets: number;
  readonly readChunkBytes: number;
  readonly recursive: boolean;
  readonly followSymlinks: boolean;
  readonly synchronous: 'off' | 'normal' | 'full';
  readonly cacheMb: number;
  /** Where documents go. Default 'local'. */
  readonly to?: 'local' | 'elasticsearch';
  /** The `elasticsearch` section of the configuration (for `to: 'elasticsearch'`). */
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
  /** Set to true (e.g. by a signal handler) to stop after the current batch. */
  readonly stopSignal?: { stopped: boolean };
  /** Dissect with Wireshark's tshark instead of the native decoders (engine only). */
  readonly tshark?: SluiceConfig['tshark'];
}

/** Exit codes of `sluice ingest`. */
export const INGEST_EXIT = { ok: 0, problems: 1, interrupted: 130 } as const;

/** Runs the ingest and prints the summary; returns the exit code. */
export async function runIngest(options: IngestCommandOptions, io: CommandIO = processIO): Promise<number> {
  const files = await discoverCaptures(options.paths, { recursive: options.recursive, followSymlinks: options.followSymlinks });
  const store = { dataDir: options.dataDir, synchronous: options.synchronous, cacheMb: options.cacheMb };
  const totalBytes = files.reduce((a, f) => a + f.size, 0);
  const showBar = options.progress === 'always' || (options.progress === 'auto' && io.stderr.isTTY === true);
  let bar: cliProgress.SingleBar | undefined;
  let packets = 0;
  const started = performance.now();
  let summary: IngestSummary;
  let delivery: EngineDelivery | undefined;
  /** Node URLs as the client shows them: credentials removed (never print the URLs as given). */
  let engineNodes: readonly string[] = [];
  try {
    if (showBar) {
      bar = new cliProgress.SingleBar(
        {
          stream: io.stderr as NodeJS.WritableStream,
          format: ' {bar} {percentage}% | {done}/{size} | {packets} packets | {rate} packets/s | ETA {eta_formatted} | {file}',
          hideCursor: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(totalBytes, 0, { done: formatBytes(0), size: formatBytes(totalBytes), packets: '0', rate: '0', file: '' });
    }
    let done = 0;
    const ingestOptions: IngestOptions = {
      batchPackets: options.batchPackets,
      readChunkBytes: options.readChunkBytes,
      shouldStop: () => options.stopSignal?.stopped === true,
      onFile: (f) => bar?.update(done, { file: shorten(f.path) }),
      onProgress: (bytes, n) => {
        done += bytes;
        packets += n;
        const secs = (performance.now() - started) / 1000;
        bar?.update(done, { done: formatBytes(done), packets: formatCount(packets), rate: formatCount(secs > 0 ? packets / secs : 0) });
      },
    };
    if (options.to === 'elasticsearch') {
      const engine = await ingestToEngine(files, options, ingestOptions, io);
      summary = engine.summary;
      delivery = engine.delivery;
      engineNodes = engine.nodes;
    } else {
      summary = await ingestFiles(store, files, ingestOptions);
    }
  } finally {
    bar?.stop();
  }

  if (options.output === 'json') {
    io.stdout.write(JSON.stringify(delivery ? { ...summary, delivery } : summary) + '\n');
  } else {
    io.stdout.write(renderSummary(summary, options.dataDir));
    if (delivery) {
      io.stdout.write(
        `Delivered to ${engineNodes.join(', ')}: ${formatCount(delivery.created)} created, ${formatCount(delivery.exists)} already there` +
          `${delivery.dead > 0 ? `, ${formatCount(delivery.dead)} refused (dead letters in ${delivery.deadLetterFile})` : ''} in ${formatCount(delivery.requests)} bulk requests.\n`,
      );
    }
  }
  if (delivery && delivery.dead > 0) return INGEST_EXIT.problems;
  if (summary.interrupted) return INGEST_EXIT.interrupted;
  return summary.filesWithProblems > 0 ? INGEST_EXIT.problems : INGEST_EXIT.ok;
}

/** The human summary printed at the end of an ingest. */
export function renderSummary(s: IngestSummary, dataDir: string): string {
  const lines: string[] = [];
  for (const f of s.files) {
    const what = f.status === 'already-ingested'
      ? 'already ingested, nothing added'
      : `${formatCount(f.packets)} packets, ${formatCount(f.stored)} new documents${f.decodeErrors > 0 ? `, ${formatCount(f.decodeErrors)} with decode errors` : ''}`;
    lines.push(`${f.problems.length > 0 ? '!' : '✓'} ${f.path}: ${what}${f.format ? ` (${f.format})` : ''}`);
    for (const p of f.problems) {
      lines.push(`    ${p.fatal ? 'error' : 'warning'} ${p.code} at byte ${p.offset}, packet ${p.frame}: ${p.message}`);
    }
  }
  if (s.totalFiles === 0) lines.push('No capture files found (files are recognised by their pcap/pcapng magic number).');
  lines.push(
    `${s.interrupted ? 'Interrupted' : 'Done'}: ${s.files.length} of ${s.totalFiles} file(s), ${formatCount(s.packets)} packets, ` +
      `${formatCount(s.stored)} new documents, ${formatBytes(s.bytes)} in ${formatDuration(s.durationMs)} ` +
      `(${formatCount(s.packetsPerSecond)} packets/s, ${s.megabytesPerSecond} MB/s); ` +
      `${s.problems === 0 ? 'no problems' : `${s.problems} problem(s) in ${s.filesWithProblems} file(s)`}. Store: ${dataDir}`,
  );
  return lines.join('\n') + '\n';
}

function shorten(path: string): string {
  return path.length > 40 ? '…' + path.slice(-39) : path;
}

/** The engine path of `sluice ingest --to elasticsearch`. */
async function ingestToEngine(files: CaptureFile[], options: IngestCommandOptions, ingestOptions: IngestOptions, io: CommandIO) {
  const es = options.elasticsearch;
  if (es === undefined) throw new SluiceError('SLUICE_USAGE', 'ingest --to elasticsearch needs the elasticsearch configuration');
  const { connectEngineIngest } = await import('./engine-ingest.js');
  const engine = await connectEngineIngest(es, options.dataDir, io, { tshark: options.tshark });
  try {
    const result = await engine.ingest(files, ingestOptions);
    await engine.refresh();
    if ('tshark' in result) {
      const t = (result as { tshark: { version: string; catchAll: string; errors: number; overflowFields: number } }).tshark;
      io.stderr.write(`${t.version.replace(/\.$/, "")}: long-tail fields in a ${t.catchAll} catch-all; ${t.overflowFields} overflow field(s), ${t.errors} tshark error(s).\n`);
    }
    return { summary: result, delivery: result.delivery, nodes: engine.nodes };
  } finally {
    await engine.close();
  }
}
