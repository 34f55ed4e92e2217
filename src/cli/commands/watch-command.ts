/**
 * `sluice watch <dir>`: polls a directory for captures and ingests them into the embedded store,
 * one line per file, a summary when it stops (SIGINT/SIGTERM, or at the end with `--once`).
 */
import { Watcher, type AfterAction, type WatchEvent } from '../../sources/watch/index.js';
import { formatBytes, formatCount, formatDuration, processIO, type CommandIO } from '../output.js';
import type { SluiceConfig } from '../../config/index.js';
import { startDaemonOps, type DaemonOpsOptions } from '../../api/daemon-ops.js';
import { engineReadiness, intakeReadiness, storeReadiness } from '../../api/readiness.js';
import { watchMetrics } from '../../telemetry/watch-metrics.js';
import type { Logger } from 'pino';

/** Options of {@link runWatch} (already merged from flags and defaults). */
export interface WatchCommandOptions {
  readonly dir: string;
  readonly dataDir: string;
  readonly stableMs: number;
  readonly pollIntervalMs: number;
  readonly parallelFiles: number;
  readonly after: AfterAction;
  readonly archiveDir?: string;
  readonly quarantineDir: string;
  readonly minFreeMb: number;
  /** Scan, ingest what is stable, exit (for scripts and tests). */
  readonly once?: boolean;
  readonly batchPackets?: number;
  readonly readChunkBytes?: number;
  readonly synchronous?: 'off' | 'normal' | 'full';
  readonly cacheMb?: number;
  /** Set to true (e.g. by a signal handler) to stop after the current batch. */
  readonly stopSignal?: { stopped: boolean };
  /** Called with each event (tests). */
  readonly onEvent?: (event: WatchEvent) => void;
  /** Deliver to Elasticsearch/OpenSearch (the `elasticsearch` configuration) instead of the embedded store. */
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
  /** Metrics endpoint, structured logs and the health line (`api.*`, `log.*`). Default: no endpoint, no health line. */
  readonly ops?: DaemonOpsOptions;
  /** Dissect with Wireshark's tshark instead of the native decoders (engine only). */
  readonly tshark?: SluiceConfig['tshark'];
}

/** Exit codes of `sluice watch`. */
export const WATCH_EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/**
 * Runs the watcher until the stop signal (checked every 50 ms) or, with `once`, until what was
 * stable is done. Returns 0, or 1 when a file was quarantined or failed in a `--once` run.
 */
export async function runWatch(options: WatchCommandOptions, io: CommandIO = processIO): Promise<number> {
  if (options.after === 'move' && options.archiveDir === undefined) {
    io.stderr.write('sluice: watch --after move needs --archive-dir\n');
    return WATCH_EXIT.usage;
  }
  const started = performance.now();
  const ops = await startDaemonOps(options.ops ?? { command: 'watch', log: { level: 'silent', healthIntervalSecs: 0 } });
  let stats;
  try {
    const m = ops.metrics;
    const engine =
      options.elasticsearch === undefined
        ? undefined
        : await (await import('./engine-ingest.js')).connectEngineIngest(options.elasticsearch, options.dataDir, io, {
            observer: m.sinkObserver(m.component({ kind: 'sink', type: 'elasticsearch', id: 'elasticsearch' })),
            tshark: options.tshark,
          });
    const wm = watchMetrics(m, {
      id: 'watch',
      dataDir: options.dataDir,
      watchDir: options.dir,
      storeSink: engine ? undefined : m.component({ kind: 'sink', type: 'local', id: 'store' }),
      ingestErrorCode: engine ? 'SLUICE_ENGINE_UNREACHABLE' : 'SLUICE_STORE_WRITE',
    });
    const watcher = new Watcher({
      // Each capture is searchable as soon as it is delivered (one refresh per file, not per document),
      // rather than at the index's next scheduled refresh.
      ingestWith:
        engine === undefined
          ? undefined
          : async (files, o) => {
              const summary = await engine.ingest(files, o);
              if (summary.stored > 0) await engine.refresh();
              return summary;
            },
      dir: options.dir,
      store: { dataDir: options.dataDir, synchronous: options.synchronous, cacheMb: options.cacheMb },
      stableMs: options.stableMs,
      pollIntervalMs: options.pollIntervalMs,
      parallelFiles: options.parallelFiles,
      after: options.after,
      archiveDir: options.archiveDir,
      quarantineDir: options.quarantineDir,
      minFreeMb: options.minFreeMb,
      once: options.once,
      ingest: { batchPackets: options.batchPackets, readChunkBytes: options.readChunkBytes },
      onEvent: (e) => {
        wm.onEvent(e);
        if (ops.structured) logWatchEvent(ops.logger, e);
        const line = renderEvent(e);
        if (line !== undefined) (e.type === 'error' || e.type === 'paused' || e.type === 'resumed' ? io.stderr : io.stdout).write(line + '\n');
        options.onEvent?.(e);
      },
    });
    ops.addReadiness(engine ? engineReadiness(engine.client) : storeReadiness(options.dataDir));
    ops.addReadiness(intakeReadiness(watcher));
    io.stderr.write(
      `Watching ${options.dir} (stable after ${options.stableMs} ms, ${options.parallelFiles} file(s) at once, after: ${options.after}` +
        `${options.after === 'move' ? ` to ${options.archiveDir}` : ''}); ${engine ? `into ${engine.nodes.join(', ')}, checkpoints in` : 'store:'} ${options.dataDir}` +
        `${ops.server ? `; metrics at ${ops.server.url}/metrics` : ''}\n`,
    );
    const stopWatch = options.stopSignal
      ? setInterval(() => {
          if (options.stopSignal!.stopped) void watcher.stop();
        }, 50)
      : undefined;
    try {
      stats = await watcher.run();
    } finally {
      if (stopWatch) clearInterval(stopWatch);
      await engine?.refresh();
      await engine?.close();
    }
  } finally {
    await ops.close();
  }
  const s = stats;
  io.stdout.write(
    `${options.once ? 'Done' : 'Stopped'}: ${s.ingested} ingested, ${s.duplicates} duplicate(s), ${s.quarantined} quarantined` +
      `${s.interrupted > 0 ? `, ${s.interrupted} interrupted (resumed on the next start)` : ''}${s.errors > 0 ? `, ${s.errors} error(s)` : ''}; ` +
      `${formatCount(s.packets)} packets, ${formatCount(s.stored)} new documents, ${formatBytes(s.bytes)} in ` +
      `${formatDuration(performance.now() - started)}. Store: ${options.dataDir}\n`,
  );
  if (options.once && (s.quarantined > 0 || s.errors > 0)) return WATCH_EXIT.problems;
  return WATCH_EXIT.ok;
}

/** One structured log line per event (for log shippers): the event's fields, never free text only. */
export function logWatchEvent(logger: Logger, e: WatchEvent): void {
  const text = renderEvent(e);
  switch (e.type) {
    case 'started':
      logger.debug({ event: e.type, path: e.path, bytes: e.size }, `started ${e.path}`);
      return;
    case 'ingested':
    case 'duplicate':
    case 'interrupted':
      logger.info(
        { event: e.type, path: e.path, capture_id: e.outcome.captureId, packets: e.outcome.packets, stored: e.outcome.stored, problems: e.outcome.problems.map((p) => p.code), duration_ms: e.outcome.durationMs },
        text,
      );
      return;
    case 'quarantined':
      logger.warn({ event: e.type, path: e.path, destination: e.destination, problems: e.problems.map((p) => ({ code: p.code, offset: p.offset, frame: p.frame })) }, text);
      return;
    case 'error':
      logger.error({ event: e.type, path: e.path }, text);
      return;
    case 'paused':
    case 'resumed':
      logger.warn({ event: e.type, free_mb: e.freeMb, min_free_mb: e.minFreeMb }, text);
      return;
  }
}

/** The line printed for an event (undefined: nothing to print). */
export function renderEvent(e: WatchEvent): string | undefined {
  switch (e.type) {
    case 'started':
      return undefined;
    case 'ingested': {
      const o = e.outcome;
      const extra = o.decodeErrors > 0 ? `, ${formatCount(o.decodeErrors)} with decode errors` : '';
      if (o.packets === 0 && o.problems.some((p) => p.code === 'CAPTURE_EMPTY')) return `✓ ${e.path}: 0 packets (empty capture)${afterText(e.action, e.destination, true)}`;
      const warn = o.problems.length > 0 ? `, ${o.problems.length} warning(s): ${[...new Set(o.problems.map((p) => p.code))].join(', ')}` : '';
      return `✓ ${e.path}: ${formatCount(o.packets)} packets, ${formatCount(o.stored)} new documents${extra}${warn}${afterText(e.action, e.destination, true)}`;
    }
    case 'duplicate':
      return `= ${e.path}: already ingested (duplicate), ${afterText(e.action, e.destination, false)}`;
    case 'quarantined': {
      const p = e.problems[0];
      const reason = p ? `${p.code} at byte ${p.offset}, packet ${p.frame}: ${p.message}` : 'unreadable';
      return `! quarantined ${e.path}: ${reason} (→ ${e.destination}; ${e.outcome.stored} packet(s) before the fault kept in the store)`;
    }
    case 'interrupted':
      return `… ${e.path}: interrupted after ${formatCount(e.outcome.packets)} packets; resumes on the next start`;
    case 'error':
      return `sluice: watch: ${e.path ? `${e.path}: ` : ''}${e.message}`;
    case 'paused':
      return `sluice: watch: paused: ${formatCount(e.freeMb)} MB free in the data directory, below --min-free-mb ${formatCount(e.minFreeMb)}`;
    case 'resumed':
      return `sluice: watch: resumed: ${formatCount(e.freeMb)} MB free`;
  }
}

function afterText(action: AfterAction, destination: string | undefined, comma: boolean): string {
  const text = action === 'keep' ? 'kept' : action === 'delete' ? 'deleted' : `moved to ${destination}`;
  return comma ? (action === 'keep' ? '' : `, ${text}`) : text;
}
