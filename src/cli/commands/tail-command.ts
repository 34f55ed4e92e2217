/**
 * `sluice tail <glob…>`: follows web access logs or honeypot logs through rotation into the embedded
 * store (default) or Elasticsearch/OpenSearch, exactly once: the tail's checkpoints move only after
 * the sink acknowledged, and every document id is `<file id>-<byte offset>`.
 */
import { startDaemonOps, type DaemonOps, type DaemonOpsOptions } from '../../api/daemon-ops.js';
import { engineLogSinkFromConfig } from './engine-log-sink-from-config.js';
import type { SluiceConfig } from '../../config/index.js';
import { SluiceError } from '../../errors.js';
import { accessLogPipelineFromConfig, geoIpFromConfig, honeypotPipelineFromConfig } from '../../pipeline/logs/log-pipelines-from-config.js';
import { fanoutLogSink } from '../../pipeline/logs/fanout-log-sink.js';
import type { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';
import type { LogDocument } from '../../pipeline/logs/log-document.js';
import type { LogSink } from '../../pipeline/logs/log-sink.js';
import { tailToSink, type LineHandler, type TailToSinkEvent, type TailToSinkOptions, type TailToSinkSummary } from '../../pipeline/logs/tail-to-sink.js';
import { formatCount, formatDuration, processIO, type CommandIO } from '../output.js';
import type { RateLimiter } from '../../pipeline/rate-limit/rate-limiter.js';
import { rateLimitReport, rateLimiterFromConfig } from './rate-limiter-from-config.js';

/** Options of {@link runTail} (merged from flags, environment, file and defaults). */
export interface TailCommandOptions {
  readonly paths: readonly string[];
  readonly config: SluiceConfig;
  /** Deliver to Elasticsearch/OpenSearch instead of the embedded store. */
  readonly toEngine: boolean;
  /** Stop once every file is read to its end and delivered (instead of following for ever). */
  readonly untilIdle?: boolean;
  readonly stopSignal?: { stopped: boolean };
  readonly ops?: DaemonOpsOptions;
  /** Called with each event (tests). */
  readonly onEvent?: (event: TailToSinkEvent) => void;
}

/** Exit codes of `sluice tail`. */
export const TAIL_EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** What {@link deliverLogs} does. */
export interface LogDeliveryOptions {
  readonly paths: readonly string[];
  readonly config: SluiceConfig;
  readonly toEngine: boolean;
  readonly untilIdle?: boolean;
  readonly stopSignal?: { stopped: boolean };
  /** Messages (warnings, connection lines, events); a library passes a silent one. */
  readonly io: CommandIO;
  readonly ops: DaemonOps;
  readonly onEvent?: (event: TailToSinkEvent) => void;
}

/**
 * Follows `paths` (access logs or honeypot logs, by `tail.dataset`) into the configured sink until
 * stopped or idle: the body of `sluice tail`, and of the library's `Pipeline`. Returns the totals
 * and a one-line report of the dataset's own counters.
 */
export async function deliverLogs(options: LogDeliveryOptions): Promise<{ summary: TailToSinkSummary; report: string }> {
  const { config, io, ops, paths } = options;
  const dataset = config.tail.dataset;
  const warn = (m: string) => io.stderr.write(`sluice: warning: ${m}\n`);
  let sink: LogSink | undefined;
  let limiter: RateLimiter | undefined;
  try {
    const geoip = await geoIpFromConfig(config, warn);
    const handler = await lineHandler(config, warn, geoip);
    sink = options.toEngine ? await engineLogSinkFromConfig(config, dataset, io, ops) : await localSink(config.data_dir, ops);
    if (dataset === 'honeypot') {
      // Sessions, logins, commands, credentials, IP intelligence and attack patterns, next to the events.
      const { openHoneypotLogSink } = await import('../../sinks/relational/honeypot-log-sink.js');
      const { honeypotDatabase } = await import('./honeypot-database.js');
      const database = honeypotDatabase(config);
      const tables = await openHoneypotLogSink({ db: database, geoip }, database.dialect === 'sqlite' ? `the honeypot tables in ${database.path}` : 'the honeypot tables in PostgreSQL');
      sink = fanoutLogSink([sink, tables]);
    }
    const m = ops.metrics;
    const source = m.component({ kind: 'source', type: 'tail', id: 'tail' });
    limiter = await rateLimiterFromConfig(config, { ops, source, warn });
    if (limiter !== undefined) {
      const o = limiter.options;
      io.stderr.write(`Rate limit: ${o.eventsPerSec} events/s${o.scope === 'source' ? ' per file' : ' in all'}, burst ${o.burst}, ${o.mode === 'drop' ? 'dropping (and counting)' : 'delaying'} what is over it${config.redis.url ? ' (buckets in Redis)' : ''}\n`);
    }
    io.stderr.write(`Following ${paths.join(', ')} (${dataset === 'access' ? `access logs, ${config.access_log.apache_log_format ?? config.access_log.nginx_log_format ?? config.access_log.format}` : 'honeypot events'}) into ${sink.description}; checkpoints in ${config.data_dir}\n`);
    const summary = await tailToSink({
      tail: tailOptionsFromConfig(config, paths, options.untilIdle === true),
      handler: {
        checkHead: handler.checkHead,
        toDocuments: (lines) => {
          const t0 = performance.now();
          const failedBefore = handler.failed();
          const docs = handler.toDocuments(lines);
          ops.legacy.batchProcessed((performance.now() - t0) / 1000, handler.failed() - failedBefore);
          source.received(lines.length, lines.reduce((n, l) => n + l.data.length, 0));
          return docs;
        },
      },
      sink,
      rateLimit: limiter,
      untilIdle: options.untilIdle,
      stopSignal: options.stopSignal,
      onEvent: tailEventReporter(io, ops, options.onEvent),
    });
    const limited = rateLimitReport(limiter);
    return { summary, report: handler.report() + (limited ? `, ${limited}` : '') };
  } finally {
    try {
      await sink?.close();
    } finally {
      await limiter?.close();
    }
  }
}

/** Runs the tail until stopped (or idle); prints a summary; returns the exit code. */
export async function runTail(options: TailCommandOptions, io: CommandIO = processIO): Promise<number> {
  const { config } = options;
  const paths = options.paths.length > 0 ? options.paths : config.tail.paths;
  if (paths.length === 0) throw new SluiceError('SLUICE_USAGE', 'tail needs files or glob patterns: give them as arguments or set tail.paths in the configuration');
  const ops = await startDaemonOps(options.ops ?? { command: 'tail', log: { level: 'silent', healthIntervalSecs: 0 } });
  let summary: TailToSinkSummary;
  let report: string;
  try {
    ({ summary, report } = await deliverLogs({ paths, config, toEngine: options.toEngine, untilIdle: options.untilIdle, stopSignal: options.stopSignal, io, ops, onEvent: options.onEvent }));
  } finally {
    await ops.close();
  }
  const s = summary;
  io.stdout.write(
    `${options.untilIdle ? 'Done' : 'Stopped'}: ${formatCount(s.lines)} lines, ${formatCount(s.created)} new documents, ${formatCount(s.existing)} already there` +
      `${s.dead > 0 ? `, ${formatCount(s.dead)} refused (dead letters under ${config.data_dir})` : ''}` +
      `${s.refusedFiles.length > 0 ? `; ${s.refusedFiles.length} file(s) refused (${formatCount(s.refusedLines)} lines)` : ''}` +
      `; ${report}; ${s.tail.rotations} rotation(s), ${s.tail.truncations} truncation(s) in ${formatDuration(s.durationMs)}.\n`,
  );
  if (s.error) {
    io.stderr.write(`sluice: ${s.error.message}${(s.error as { code?: string }).code ? ` [${(s.error as { code?: string }).code}]` : ''}\n`);
    return TAIL_EXIT.problems;
  }
  return s.dead > 0 || s.refusedFiles.length > 0 ? TAIL_EXIT.problems : TAIL_EXIT.ok;
}

/** Lines into documents for the configured dataset. */
async function lineHandler(config: SluiceConfig, warn: (m: string) => void, geoip: GeoIpEnricher | undefined): Promise<LineHandler & { report(): string; failed(): number }> {
  if (config.tail.dataset === 'honeypot') {
    const pipeline = await honeypotPipelineFromConfig(config, warn, geoip);
    return {
      failed: () => pipeline.stats.rejected,
      report: () => {
        const st = pipeline.stats;
        return `${formatCount(st.events)} events${st.rejected > 0 ? `, ${formatCount(st.rejected)} unusable line(s) kept as pipeline_error documents` : ''}`;
      },
      toDocuments: (lines) => {
        const now = Date.now();
        const docs: LogDocument[] = [];
        for (const l of lines) {
          const r = pipeline.process(l.data, { fileId: l.fileId, offset: l.offset, path: l.path }, true, now);
          if (r !== undefined) docs.push(r.document);
        }
        return docs;
      },
    };
  }
  const pipeline = await accessLogPipelineFromConfig(config, warn, geoip);
  return {
    failed: () => pipeline.stats.unparsed,
    report: () => {
      const st = pipeline.stats;
      return (
        `${formatCount(st.alerts)} alert(s)` +
        `${st.unparsed > 0 ? `, ${formatCount(st.unparsed)} unparsed line(s) kept with error.message` : ''}` +
        `${st.malformed > 0 ? `, ${formatCount(st.malformed)} malformed request line(s) flagged` : ''}`
      );
    },
    checkHead: (head, path) => pipeline.checkHead(head, path),
    toDocuments: (lines) => {
      const now = Date.now();
      const docs: LogDocument[] = [];
      for (const l of lines) {
        if (l.data.length === 0) continue; // blank lines carry nothing
        docs.push(pipeline.process(l.data.toString('utf8'), { fileId: l.fileId, offset: l.offset, path: l.path }, now));
      }
      return docs;
    },
  };
}

async function localSink(dataDir: string, ops: DaemonOps): Promise<LogSink> {
  const { LocalLogSink, logStoreReadiness } = await import('../../sinks/local/log-event-store.js');
  const sink = new LocalLogSink(dataDir);
  ops.addReadiness(logStoreReadiness(dataDir));
  return sink;
}

/** The `tail.*` configuration as tail options (`untilIdle`: a short rotation wait, the run ends soon). */
export function tailOptionsFromConfig(config: SluiceConfig, paths: readonly string[], untilIdle: boolean): TailToSinkOptions['tail'] {
  const t = config.tail;
  return {
    paths,
    dataDir: config.data_dir,
    startAt: t.start_at,
    pollIntervalMs: t.poll_interval_ms,
    fingerprintBytes: t.fingerprint_bytes,
    maxLineBytes: t.max_line_bytes,
    batchLines: t.batch_lines_count,
    flushIntervalMs: t.flush_interval_ms,
    rotateWaitMs: untilIdle ? Math.min(t.rotate_wait_ms, 200) : t.rotate_wait_ms,
  };
}

/** Prints tail events (and logs them when the logs are structured), then passes them on. */
export function tailEventReporter(io: CommandIO, ops: DaemonOps, next?: (event: TailToSinkEvent) => void): (event: TailToSinkEvent) => void {
  return (e) => {
    const line = renderTailEvent(e);
    if (line !== undefined) io.stderr.write(line + '\n');
    if (ops.structured) ops.logger[e.type === 'error' || e.type === 'refused' ? 'error' : 'info']({ event: e.type, path: e.path }, line ?? e.type);
    next?.(e);
  };
}

/** The line printed for a tail event (undefined: nothing). */
export function renderTailEvent(e: TailToSinkEvent): string | undefined {
  switch (e.type) {
    case 'opened':
      return e.reason === 'resumed' ? `… ${e.path}: resuming at byte ${e.offset}` : e.reason === 'copy' ? `… ${e.path}: a copy of a truncated file, continuing at byte ${e.offset}` : undefined;
    case 'rotated':
      return `↻ ${e.path}: rotated${e.to ? ` to ${e.to}` : ' away'}; reading it to its end`;
    case 'truncated':
      return `↻ ${e.path}: truncated (copytruncate); reading again from byte 0`;
    case 'refused':
      return `! refused ${e.path}: ${e.message}`;
    case 'error':
      return `sluice: tail: ${e.path ? `${e.path}: ` : ''}${e.message}`;
    default:
      return undefined;
  }
}
