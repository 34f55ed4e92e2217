/**
 * `sluice capture --interface <if>`: live capture through dumpcap or tcpdump into the embedded store
 * (or Elasticsearch/OpenSearch), exactly once, with the tool's drop counters in the summary; and
 * `sluice capture --list-interfaces`. See docs/reference/capture.md.
 */
import { startDaemonOps, type DaemonOps, type DaemonOpsOptions } from '../../api/daemon-ops.js';
import { engineReadiness, storeReadiness } from '../../api/readiness.js';
import { join } from 'node:path';
import type { SluiceConfig } from '../../config/index.js';
import { SluiceError } from '../../errors.js';
import { CommunityIdCache } from '../../enrichers/community-id/community-id.js';
import type { CaptureFile } from '../../pipeline/discover-captures.js';
import type { EngineDelivery } from '../../pipeline/ingest-engine.js';
import { ingestFile, type FileOutcome } from '../../pipeline/ingest.js';
import { StoreWriter } from '../../sinks/local/store-writer.js';
import {
  LIVE_CAPTURE_DEFAULTS,
  LiveCapture,
  listCaptureInterfaces,
  safeName,
  type CaptureStats,
  type CaptureToolName,
  type LiveCaptureEvent,
  type LiveCaptureResult,
} from '../../sources/capture/index.js';
import { lossyProblems } from '../../sources/watch/watcher.js';
import { formatBytes, formatCount, formatDuration, processIO, type CommandIO } from '../output.js';

/** Largest snapshot length the tools accept (libpcap's MAXIMUM_SNAPLEN). */
export const MAX_SNAPLEN_BYTES = 262_144;

/** Options of {@link runCapture} (already merged from flags, environment, file and defaults). */
export interface CaptureCommandOptions {
  /** Interface to capture on (`--interface`). */
  readonly interface?: string;
  /** `--list-interfaces`: print the interfaces and exit. */
  readonly listInterfaces?: boolean;
  /** Positional arguments: none are accepted (files go to `sluice ingest`); given here so the error can say so. */
  readonly paths?: readonly string[];
  /** Capture filter (BPF). */
  readonly bpf?: string;
  /** Stop after this many packets (at least 1). */
  readonly count?: number;
  /** Stop after this many seconds (at least 1). */
  readonly durationSecs?: number;
  /** Bytes kept of each packet (1-262144). Default: the tool's, 262144. */
  readonly snaplenBytes?: number;
  /** Default 'auto' (dumpcap, else tcpdump). */
  readonly tool?: CaptureToolName | 'auto';
  /** Packet folder. Default `<dataDir>/capture/<interface>`. */
  readonly dir?: string;
  /** Default 64,000,000; 0: no size rotation. */
  readonly rotateBytes?: number;
  /** Default 10; 0: no time rotation. */
  readonly rotateSecs?: number;
  /** Keep the capture files after ingesting them (default true); false deletes each once it is in. */
  readonly keepFiles?: boolean;
  /** Retention: delete the oldest ingested files below this much free disk. Default 1024; 0: off. */
  readonly minFreeMb?: number;
  /** Retention: delete the oldest ingested files while the folder holds more. Default 0: no limit. */
  readonly maxDirMb?: number;
  readonly dataDir: string;
  /** Summary format. Default 'table'. */
  readonly output?: 'table' | 'json';
  /** Progress line on stderr. Default 'auto' (when stderr is a terminal). */
  readonly progress?: 'auto' | 'always' | 'never';
  readonly batchPackets?: number;
  readonly readChunkBytes?: number;
  readonly synchronous?: 'off' | 'normal' | 'full';
  readonly cacheMb?: number;
  /** Deliver to Elasticsearch/OpenSearch (the `elasticsearch` configuration) instead of the embedded store. */
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
  /** Set to true (e.g. by a signal handler) to stop the capture; what was captured is still ingested. */
  readonly stopSignal?: { stopped: boolean };
  /** Metrics endpoint, structured logs and the health line (`api.*`, `log.*`). Default: none. */
  readonly ops?: DaemonOpsOptions;
  /** Counters whenever they change (metrics: `captureDrops`, `captured`, `stored`, …). */
  readonly onStats?: (stats: CaptureStats) => void;
  /** Every capture event (tests). */
  readonly onEvent?: (event: LiveCaptureEvent) => void;
}

/** Exit codes of `sluice capture`. */
export const CAPTURE_EXIT = { ok: 0, problems: 1, usage: 2, interrupted: 130 } as const;

/** Rejects conflicting or meaningless option combinations with `SLUICE_USAGE`. */
export function validateCaptureOptions(o: CaptureCommandOptions): void {
  const usage = (message: string) => new SluiceError('SLUICE_USAGE', message);
  if (o.paths !== undefined && o.paths.length > 0) {
    throw usage(
      `capture reads live packets from an interface and takes no file arguments (got ${o.paths.map((p) => `'${p}'`).join(', ')}); ` +
        `to ingest capture files run: sluice ingest ${o.paths.join(' ')}`,
    );
  }
  if (o.listInterfaces) {
    const extra = [
      o.interface !== undefined && '--interface',
      o.bpf !== undefined && '--bpf',
      o.count !== undefined && '--count',
      o.durationSecs !== undefined && '--duration-secs',
      o.snaplenBytes !== undefined && '--snaplen',
    ].filter((x): x is string => typeof x === 'string');
    if (extra.length > 0) throw usage(`--list-interfaces only lists the interfaces; drop ${extra.join(', ')} (or drop --list-interfaces to capture)`);
    return;
  }
  if (o.interface === undefined || o.interface.trim() === '') throw usage('capture needs --interface <name> (see sluice capture --list-interfaces)');
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1)) throw usage(`--count must be a whole number of packets, at least 1 (got ${o.count})`);
  if (o.durationSecs !== undefined && (!Number.isInteger(o.durationSecs) || o.durationSecs < 1)) throw usage(`--duration-secs must be a whole number of seconds, at least 1 (got ${o.durationSecs})`);
  if (o.snaplenBytes !== undefined && (!Number.isInteger(o.snaplenBytes) || o.snaplenBytes < 1 || o.snaplenBytes > MAX_SNAPLEN_BYTES)) {
    throw usage(`--snaplen must be between 1 and ${MAX_SNAPLEN_BYTES} bytes (got ${o.snaplenBytes})`);
  }
  for (const [name, v] of [['--rotate-secs', o.rotateSecs], ['--rotate-bytes', o.rotateBytes], ['--min-free-mb', o.minFreeMb], ['--max-dir-mb', o.maxDirMb]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw usage(`${name} must be a whole number, 0 or more (got ${v})`);
  }
}

/** `sluice capture --list-interfaces`: a table, or one JSON object per interface (NDJSON). */
export async function runListInterfaces(options: Pick<CaptureCommandOptions, 'tool' | 'output'>, io: CommandIO = processIO): Promise<number> {
  const { tool, interfaces } = await listCaptureInterfaces(options.tool ?? 'auto');
  if (options.output === 'json') {
    for (const i of interfaces) io.stdout.write(JSON.stringify({ ...i, tool }) + '\n');
    return CAPTURE_EXIT.ok;
  }
  const rows = interfaces.map((i) => [String(i.index), i.name, i.description, [...i.addresses, ...i.flags].join(', ')]);
  const head = ['#', 'interface', 'description', tool === 'dumpcap' ? 'addresses' : 'flags'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  for (const r of [head, ...rows]) io.stdout.write(r.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd() + '\n');
  io.stderr.write(`(${interfaces.length} interface(s), as listed by ${tool}; capture with: sluice capture --interface <interface>)\n`);
  return CAPTURE_EXIT.ok;
}

/** Runs a live capture until its count, duration, a stop signal or the tool's exit; prints the summary; returns the exit code. */
export async function runCapture(options: CaptureCommandOptions, io: CommandIO = processIO): Promise<number> {
  validateCaptureOptions(options);
  if (options.listInterfaces) return runListInterfaces(options, io);
  const iface = options.interface!;
  const dir = options.dir ?? join(options.dataDir, 'capture', safeName(iface));
  const json = options.output === 'json';
  const showProgress = options.progress === 'always' || ((options.progress ?? 'auto') === 'auto' && io.stderr.isTTY === true);

  const ops = await startDaemonOps(options.ops ?? { command: 'capture', log: { level: 'silent', healthIntervalSecs: 0 } });
  try {
    return await captureWithOps(options, io, ops, iface, dir, json, showProgress);
  } finally {
    await ops.close();
  }
}

async function captureWithOps(
  options: CaptureCommandOptions,
  io: CommandIO,
  ops: DaemonOps,
  iface: string,
  dir: string,
  json: boolean,
  showProgress: boolean,
): Promise<number> {
  const m = ops.metrics;
  const source = m.component({ kind: 'source', type: 'capture', id: 'capture' });
  // Where finished files go: one store writer (or one engine connection) for the whole capture.
  const ingestOptions = { batchPackets: options.batchPackets, readChunkBytes: options.readChunkBytes };
  let ingest: (file: CaptureFile) => Promise<FileOutcome>;
  let close: () => Promise<void>;
  let target: string;
  let delivery: EngineDelivery | undefined;
  if (options.elasticsearch !== undefined) {
    const { connectEngineIngest } = await import('./engine-ingest.js');
    const engine = await connectEngineIngest(options.elasticsearch, options.dataDir, io, {
      observer: m.sinkObserver(m.component({ kind: 'sink', type: 'elasticsearch', id: 'elasticsearch' })),
    });
    ops.addReadiness(engineReadiness(engine.client));
    target = `into ${engine.nodes.join(', ')} (checkpoints in ${options.dataDir})`;
    ingest = async (file) => {
      const r = await engine.ingest([file], ingestOptions);
      delivery = addDelivery(delivery, r.delivery);
      await engine.refresh();
      return r.files[0] ?? emptyOutcome(file);
    };
    close = () => engine.close();
  } else {
    const writer = await StoreWriter.open({ dataDir: options.dataDir, synchronous: options.synchronous, cacheMb: options.cacheMb });
    // One Community ID cache for the whole capture: flows span files.
    const communityIds = new CommunityIdCache();
    target = `into the store ${options.dataDir}`;
    const store = m.component({ kind: 'sink', type: 'local', id: 'store' });
    ops.addReadiness(storeReadiness(options.dataDir));
    ingest = async (file) => {
      const outcome = await ingestFile(writer, file, ingestOptions, communityIds);
      store.sent(outcome.stored);
      return outcome;
    };
    close = () => writer.close();
  }

  let progressShown = false;
  const clearProgress = () => {
    if (progressShown) io.stderr.write('\r\x1b[K');
    progressShown = false;
  };
  let capture: LiveCapture;
  let result: LiveCaptureResult;
  let stopPoll: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    capture = new LiveCapture({
      interface: iface,
      bpf: options.bpf,
      count: options.count,
      durationSecs: options.durationSecs,
      snaplenBytes: options.snaplenBytes,
      tool: options.tool,
      dir,
      rotateBytes: options.rotateBytes,
      rotateSecs: options.rotateSecs,
      keepFiles: options.keepFiles,
      minFreeMb: options.minFreeMb,
      maxDirBytes: options.maxDirMb === undefined ? undefined : options.maxDirMb * 1_000_000,
      ingest: async (file) => {
        const outcome = await ingest(file);
        source.received(outcome.packets, outcome.bytes);
        return outcome;
      },
      onStats: (stats) => {
        // The tool's counters are cumulative totals: the metric follows them.
        m.captureDrops(iface, 'kernel', stats.droppedByKernel);
        m.captureDrops(iface, 'interface', stats.droppedByInterface);
        m.captureDrops(iface, 'sluice', stats.droppedByTool);
        options.onStats?.(stats);
      },
      onEvent: (e) => {
        const line = renderCaptureEvent(e, options);
        if (line !== undefined && !(json && line.stream === 'stdout')) {
          clearProgress();
          (line.stream === 'stdout' ? io.stdout : io.stderr).write(line.text + '\n');
        }
        options.onEvent?.(e);
      },
    });
    if (options.stopSignal) {
      stopPoll = setInterval(() => {
        if (options.stopSignal!.stopped) capture.stop('signal');
      }, 50);
    }
    if (showProgress) {
      progressTimer = setInterval(() => {
        io.stderr.write(`\r${progressLine(capture.stats)}\x1b[K`);
        progressShown = true;
      }, 1000);
    }
    result = await capture.run();
  } finally {
    if (stopPoll) clearInterval(stopPoll);
    if (progressTimer) clearInterval(progressTimer);
    clearProgress();
    await close();
  }

  const problems = result.outcomes.filter((o) => lossyProblems(o).length > 0).length;
  if (json) {
    io.stdout.write(
      JSON.stringify({
        interface: result.interface,
        tool: result.tool,
        bpf: result.bpf ?? null,
        dir: result.dir,
        stopReason: result.stopReason,
        interrupted: result.stopReason === 'signal',
        stats: result.stats,
        files: result.outcomes,
        ...(delivery ? { delivery } : {}),
        ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
        durationMs: result.durationMs,
      }) + '\n',
    );
  } else {
    io.stdout.write(renderCaptureSummary(result, options.dataDir, delivery));
  }
  if (result.error) {
    io.stderr.write(`sluice: ${result.error.message} [${result.error.code}]\n`);
    return CAPTURE_EXIT.problems;
  }
  if (delivery && delivery.dead > 0) return CAPTURE_EXIT.problems;
  if (result.stopReason === 'signal') return CAPTURE_EXIT.interrupted;
  return problems > 0 ? CAPTURE_EXIT.problems : CAPTURE_EXIT.ok;
}

/** The one-line progress shown on a terminal. */
export function progressLine(s: CaptureStats): string {
  return (
    ` ${s.interface} (${s.tool}): ${formatCount(s.captured)} packets captured, ` +
    `${s.countersFinal || s.tool === 'tcpdump' ? `${formatCount(s.captureDrops)} dropped` : 'drops at the end'} | ` +
    `${formatCount(s.files)} file(s) ingested, ${formatCount(s.stored)} new documents`
  );
}

/** The line printed for an event (undefined: nothing to print). */
export function renderCaptureEvent(e: LiveCaptureEvent, o: Pick<CaptureCommandOptions, 'bpf' | 'count' | 'durationSecs' | 'rotateBytes' | 'rotateSecs'>): { stream: 'stdout' | 'stderr'; text: string } | undefined {
  switch (e.type) {
    case 'ready': {
      const secs = o.rotateSecs ?? LIVE_CAPTURE_DEFAULTS.rotateSecs;
      const bytes = o.rotateBytes ?? LIVE_CAPTURE_DEFAULTS.rotateBytes;
      const rotate = [secs > 0 ? `${secs} s` : '', bytes > 0 ? formatBytes(bytes) : ''].filter((x) => x !== '').join(' or ');
      const stop = [o.count !== undefined ? `after ${formatCount(o.count)} packets` : '', o.durationSecs !== undefined ? `after ${o.durationSecs} s` : '', 'on Ctrl-C'].filter((x) => x !== '').join(', ');
      return {
        stream: 'stderr',
        text: `Capturing with ${e.tool}${o.bpf ? ` (filter: ${o.bpf})` : ''} into ${e.dir}, ${rotate ? `a new file every ${rotate}` : 'one file'}; stops ${stop}.`,
      };
    }
    case 'file': {
      const out = e.outcome;
      const lossy = lossyProblems(out);
      const what = out.status === 'already-ingested' ? 'already ingested, nothing added' : `${formatCount(out.packets)} packets, ${formatCount(out.stored)} new documents`;
      const warn = lossy.length > 0 ? ` (${lossy.map((p) => `${p.code} at byte ${p.offset}: ${p.message}`).join('; ')})` : '';
      return { stream: 'stdout', text: `${lossy.length > 0 ? '!' : '✓'} ${e.path}: ${what}${e.backlog ? ' (left by an earlier run)' : ''}${warn}` };
    }
    case 'deleted':
      return e.reason === 'ingested' ? undefined : { stream: 'stderr', text: `sluice: capture: deleted ${e.path} (${formatBytes(e.bytes)}, already ingested): ${e.reason === 'min-free' ? 'free disk below --min-free-mb' : 'folder above --max-dir-mb'}` };
    case 'warning':
      return { stream: 'stderr', text: `sluice: capture: warning: ${e.message}` };
    case 'tool-message':
      return undefined; // kept for the error message; the tools' chatter is not news
  }
}

/** The human summary printed at the end of a capture. */
export function renderCaptureSummary(r: LiveCaptureResult, dataDir: string, delivery?: EngineDelivery): string {
  const s = r.stats;
  const why = { count: 'count reached', duration: 'duration reached', signal: 'interrupted', 'tool-exit': `${r.tool} exited` }[r.stopReason];
  const drops = s.countersFinal || r.tool === 'tcpdump'
    ? `${formatCount(s.captureDrops)} dropped (kernel ${formatCount(s.droppedByKernel)}, interface ${formatCount(s.droppedByInterface)}${r.tool === 'dumpcap' ? `, dumpcap ${formatCount(s.droppedByTool)}` : ''})`
    : 'drop counters not reported';
  const lines = [
    `Captured on ${r.interface} with ${r.tool}${r.bpf ? ` (filter: ${r.bpf})` : ''}: ${formatCount(s.captured)} packets captured` +
      `${s.received !== undefined ? `, ${formatCount(s.received)} received` : ''}, ${drops}; ${why} after ${formatDuration(r.durationMs)}.`,
    `Ingested ${formatCount(s.files)} file(s): ${formatCount(s.packets)} packets, ${formatCount(s.stored)} new documents, ${formatBytes(s.bytes)}` +
      `${s.filesWithProblems > 0 ? `; ${s.filesWithProblems} file(s) with problems` : ''}. ` +
      `Packets ${s.filesDeleted > 0 ? `in ${r.dir} (${formatCount(s.filesDeleted)} file(s) deleted by retention)` : `kept in ${r.dir}`}. ` +
      `${delivery ? `Delivered: ${formatCount(delivery.created)} created, ${formatCount(delivery.exists)} already there, ${formatCount(delivery.dead)} refused.` : `Store: ${dataDir}`}`,
  ];
  return lines.join('\n') + '\n';
}

function addDelivery(a: EngineDelivery | undefined, b: EngineDelivery): EngineDelivery {
  if (a === undefined) return { ...b };
  return { created: a.created + b.created, exists: a.exists + b.exists, dead: a.dead + b.dead, retried: a.retried + b.retried, requests: a.requests + b.requests, deadLetterFile: b.deadLetterFile };
}

function emptyOutcome(file: CaptureFile): FileOutcome {
  return { path: file.path, captureId: '', format: undefined, status: 'ingested', bytes: file.size, packets: 0, stored: 0, decodeErrors: 0, problems: [], durationMs: 0 };
}
