/**
 * `sluice ship <glob…>`: follows access logs (through rotation, like `sluice tail`) into a Kafka
 * topic, either parsed (ECS documents not yet enriched: `sluice consume` enriches them on the other
 * side) or raw (`{"raw": line, "position": …}`, parsed there too). The tail's checkpoints move only
 * once Kafka acknowledged the records (`acks=all`, idempotent producer), and every record key is the
 * document id, so nothing is lost and the engine keeps one copy of each line whatever is replayed.
 */
import { startDaemonOps, type DaemonOpsOptions } from '../../api/daemon-ops.js';
import { SluiceError } from '../../errors.js';
import { ACCESS_DATASET, type AccessLogPipeline } from '../../pipeline/logs/access-log-pipeline.js';
import { logDocumentId, toLogDocument, type LogDocument, type LogPosition } from '../../pipeline/logs/log-document.js';
import { tailToSink, type LineHandler, type TailToSinkEvent, type TailToSinkSummary, type TailToSinkOptions } from '../../pipeline/logs/tail-to-sink.js';
import { KafkaLogSink, type KafkaSinkEvent } from '../../sinks/kafka/kafka-log-sink.js';
import type { KafkaCompression } from '../../sinks/kafka/kafka-options.js';
import { formatCount, formatDuration, processIO, type CommandIO } from '../output.js';
import { tailEventReporter } from './tail-command.js';
import { kafkaReadiness } from '../../sinks/kafka/kafka-readiness.js';
import type { CircuitBreakerOptions } from '../../sinks/util/circuit-breaker.js';

/** The producer side of the `kafka.*` configuration. */
export interface ShipKafkaOptions {
  readonly brokers: readonly string[];
  readonly topic?: string;
  readonly clientId?: string;
  readonly compression?: KafkaCompression;
  readonly deliveryTimeoutMs?: number;
  /** Partitions of the topic when ship creates it (default 4). */
  readonly partitions?: number;
  /** `document` (default: spread over partitions) or `file` (per-file order). */
  readonly partitionBy?: 'document' | 'file';
  /** Circuit breaker around the producer (`kafka.breaker_*`). */
  readonly breaker?: CircuitBreakerOptions;
  /** A request unanswered this long counts as a breaker failure (`kafka.slow_request_ms`). */
  readonly slowRequestMs?: number;
}

/** Options of {@link runShip}. */
export interface ShipCommandOptions {
  /** An already-built pipeline (only `parse`, or `process` in raw mode, is used: no enrichment here). */
  readonly pipeline: AccessLogPipeline;
  /** The tail options (paths, data directory for checkpoints, start position, intervals) as for `sluice tail`. */
  readonly tail: TailToSinkOptions['tail'];
  readonly kafka: ShipKafkaOptions;
  /** Send raw lines instead of parsed documents. */
  readonly raw?: boolean;
  /** Stop once every file is read to its end and acknowledged (instead of following for ever). */
  readonly untilIdle?: boolean;
  readonly stopSignal?: { stopped: boolean };
  readonly ops?: DaemonOpsOptions;
  readonly onEvent?: (event: TailToSinkEvent) => void;
}

/** Exit codes of `sluice ship`. */
export const SHIP_EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** The documents `ship` sends for a batch of lines: parsed ECS, or raw lines with their position. */
export function shipLineHandler(pipeline: AccessLogPipeline, raw: boolean): LineHandler {
  return {
    checkHead: (head, path) => pipeline.checkHead(head, path),
    toDocuments: (lines) => {
      const now = Date.now();
      const docs: LogDocument[] = [];
      for (const l of lines) {
        if (l.data.length === 0) continue; // blank lines carry nothing
        const position: LogPosition = { fileId: l.fileId, offset: l.offset, path: l.path };
        const line = l.data.toString('utf8');
        docs.push(raw ? rawDocument(line, position, now) : toLogDocument(pipeline.parse(line, position), position, ACCESS_DATASET, pipeline.indexPattern, now));
      }
      return docs;
    },
  };
}

/** A raw line as a record: `{"raw": line, "position": {fileId, offset, path}}` (read time as its time). */
export function rawDocument(line: string, position: LogPosition, nowMs: number): LogDocument {
  return {
    id: logDocumentId(position),
    target: '',
    dataset: ACCESS_DATASET,
    timestampMs: nowMs,
    body: Buffer.from(JSON.stringify({ raw: line, position })),
    position,
  };
}

/** Runs the shipper until stopped (or idle); prints a summary; returns the exit code. */
export async function runShip(options: ShipCommandOptions, io: CommandIO = processIO): Promise<number> {
  if (options.tail.paths.length === 0) throw new SluiceError('SLUICE_USAGE', 'ship needs files or glob patterns: give them as arguments or set tail.paths in the configuration');
  const ops = await startDaemonOps(options.ops ?? { command: 'ship', log: { level: 'silent', healthIntervalSecs: 0 } });
  ops.addReadiness(kafkaReadiness(options.kafka.brokers));
  let sink: KafkaLogSink | undefined;
  let summary: TailToSinkSummary;
  try {
    const k = options.kafka;
    sink = await KafkaLogSink.open({
      brokers: k.brokers,
      topic: k.topic,
      clientId: k.clientId,
      compression: k.compression,
      deliveryTimeoutMs: k.deliveryTimeoutMs,
      createPartitions: k.partitions,
      partitionBy: k.partitionBy,
      format: options.raw ? 'raw' : 'ecs',
      breaker: k.breaker,
      slowRequestMs: k.slowRequestMs,
      metrics: ops.metrics,
      onEvent: (e) => {
        const line = renderKafkaSinkEvent(e);
        if (line === undefined) return;
        io.stderr.write(line + '\n');
        if (ops.structured) ops.logger[e.type === 'breaker-open' ? 'warn' : 'info']({ event: e.type }, line);
      },
    });
    const kafkaSink = sink;
    const m = ops.metrics;
    const source = m.component({ kind: 'source', type: 'tail', id: 'tail' });
    const out = m.component({ kind: 'sink', type: 'kafka', id: 'kafka' });
    io.stderr.write(`Shipping ${options.tail.paths.join(', ')} (${options.raw ? 'raw lines' : 'parsed access-log events'}, ${sink.compression}) to ${sink.description}; checkpoints in ${options.tail.dataDir ?? 'the given store'}\n`);
    const handler = shipLineHandler(options.pipeline, options.raw === true);
    summary = await tailToSink({
      tail: options.tail,
      handler: {
        checkHead: handler.checkHead,
        toDocuments: (lines) => {
          const t0 = performance.now();
          const unparsedBefore = options.pipeline.stats.unparsed;
          const docs = handler.toDocuments(lines);
          ops.legacy.batchProcessed((performance.now() - t0) / 1000, options.pipeline.stats.unparsed - unparsedBefore);
          source.received(lines.length, lines.reduce((n, l) => n + l.data.length, 0));
          return docs;
        },
      },
      sink: {
        description: kafkaSink.description,
        write: async (docs) => {
          const r = await kafkaSink.write(docs);
          out.sent(docs.length, docs.reduce((n, d) => n + d.body.length, 0));
          return r;
        },
        close: () => kafkaSink.close(),
      },
      untilIdle: options.untilIdle,
      stopSignal: options.stopSignal,
      onEvent: tailEventReporter(io, ops, options.onEvent),
    });
  } finally {
    await sink?.close().catch(() => {});
    await ops.close();
  }
  const s = summary;
  io.stdout.write(
    `${options.untilIdle ? 'Done' : 'Stopped'}: ${formatCount(s.lines)} lines, ${formatCount(s.documents)} records acknowledged by Kafka` +
      `${s.refusedFiles.length > 0 ? `; ${s.refusedFiles.length} file(s) refused (${formatCount(s.refusedLines)} lines)` : ''}` +
      `; ${s.tail.rotations} rotation(s), ${s.tail.truncations} truncation(s) in ${formatDuration(s.durationMs)}.\n`,
  );
  if (s.error) {
    io.stderr.write(`sluice: ${s.error.message}${(s.error as { code?: string }).code ? ` [${(s.error as { code?: string }).code}]` : ''}\n`);
    return SHIP_EXIT.problems;
  }
  return s.refusedFiles.length > 0 ? SHIP_EXIT.problems : SHIP_EXIT.ok;
}

/** The line printed for a Kafka producer event (undefined: nothing; retries are counted, not printed). */
export function renderKafkaSinkEvent(e: KafkaSinkEvent): string | undefined {
  switch (e.type) {
    case 'breaker-open':
      return `! Kafka unreachable (${e.message}): circuit breaker open, holding the tail back`;
    case 'breaker-closed':
      return '… Kafka answers again: circuit breaker closed';
    default:
      return undefined;
  }
}
