/**
 * `sluice consume`: a member of a Kafka consumer group that reads what `sluice ship` sent, enriches
 * it (GeoIP, user agent, attack rules) and delivers it to Elasticsearch/OpenSearch, committing each
 * partition's offset only past records the engine acknowledged. Start several (same `--group`) to
 * split the partitions; deterministic ids make every replay a no-op. Poison records go to the
 * dead-letter topic. Stops on SIGINT/SIGTERM (via `stopSignal`): delivers what it took in, commits,
 * leaves the group.
 */
import { startDaemonOps, type DaemonOpsOptions } from '../../api/daemon-ops.js';
import type { SluiceConfig } from '../../config/index.js';
import type { AccessLogPipeline } from '../../pipeline/logs/access-log-pipeline.js';
import type { LogSink } from '../../pipeline/logs/log-sink.js';
import { KafkaLogConsumer, type KafkaConsumerEvent, type KafkaConsumerSummary } from '../../sources/kafka/kafka-log-consumer.js';
import { decodeAccessRecord } from '../../sources/kafka/kafka-record-decoder.js';
import { formatCount, formatDuration, processIO, type CommandIO } from '../output.js';
import { engineLogSinkFromConfig } from './engine-log-sink-from-config.js';
import { kafkaReadiness } from '../../sinks/kafka/kafka-readiness.js';
import type { CircuitBreakerOptions } from '../../sinks/util/circuit-breaker.js';
import type { RateLimiter } from '../../pipeline/rate-limit/rate-limiter.js';
import { rateLimitReport, rateLimiterFromConfig } from './rate-limiter-from-config.js';

/** The consumer side of the `kafka.*` configuration. */
export interface ConsumeKafkaOptions {
  readonly brokers: readonly string[];
  readonly topic?: string;
  readonly group: string;
  readonly clientId?: string;
  readonly dlqTopic?: string;
  readonly batchRecords?: number;
  readonly sessionTimeoutMs?: number;
  readonly reconnectTimeoutMs?: number;
  /** Circuit breaker around commits and joins (`kafka.breaker_*`). */
  readonly breaker?: CircuitBreakerOptions;
}

/** Options of {@link runConsume}. */
export interface ConsumeCommandOptions {
  /** An already-built pipeline: `enrich` for parsed records, `process` for raw ones. */
  readonly pipeline: AccessLogPipeline;
  readonly kafka: ConsumeKafkaOptions;
  /** Where documents go; default: Elasticsearch/OpenSearch from `config.elasticsearch`. */
  readonly sink?: LogSink;
  /** Needed when no `sink` is given (engine, data directory for dead letters, index pattern). */
  readonly config?: SluiceConfig;
  readonly stopSignal?: { stopped: boolean };
  readonly ops?: DaemonOpsOptions;
  readonly onEvent?: (event: KafkaConsumerEvent) => void;
}

/** Exit codes of `sluice consume`. */
export const CONSUME_EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** Runs the consumer until stopped; prints a summary; returns the exit code. */
export async function runConsume(options: ConsumeCommandOptions, io: CommandIO = processIO): Promise<number> {
  const ops = await startDaemonOps(options.ops ?? { command: 'consume', log: { level: 'silent', healthIntervalSecs: 0 } });
  ops.addReadiness(kafkaReadiness(options.kafka.brokers));
  let sink: LogSink | undefined;
  let limiter: RateLimiter | undefined;
  let summary: KafkaConsumerSummary;
  try {
    if (options.sink === undefined && options.config === undefined) throw new TypeError('runConsume needs either a sink or the configuration');
    sink = options.sink ?? (await engineLogSinkFromConfig(options.config!, 'access', io, ops));
    const k = options.kafka;
    if (options.config !== undefined) {
      const source = ops.metrics.component({ kind: 'source', type: 'kafka', id: 'kafka' });
      limiter = await rateLimiterFromConfig(options.config, { ops, source, warn: (m) => io.stderr.write(`sluice: warning: ${m}\n`) });
    }
    // log_processing_seconds and logs_failed_total of the original pipeline: per fetched batch.
    let unparsedBefore = options.pipeline.stats.unparsed;
    const onBatchDecoded = (seconds: number, _records: number, poison: number) => {
      const unparsed = options.pipeline.stats.unparsed;
      ops.legacy.batchProcessed(seconds, poison + unparsed - unparsedBefore);
      unparsedBefore = unparsed;
    };
    const consumer = new KafkaLogConsumer(
      { brokers: k.brokers, topic: k.topic, group: k.group, clientId: k.clientId, dlqTopic: k.dlqTopic, batchRecords: k.batchRecords, sessionTimeoutMs: k.sessionTimeoutMs, reconnectTimeoutMs: k.reconnectTimeoutMs, breaker: k.breaker, metrics: ops.metrics, rateLimit: limiter, onBatchDecoded },
      (record) => decodeAccessRecord(record, options.pipeline),
      sink,
      (e) => {
        const line = renderConsumeEvent(e);
        if (line !== undefined) io.stderr.write(line + '\n');
        if (ops.structured) ops.logger[e.type === 'poison' || e.type === 'commit-failed' || e.type === 'reconnecting' ? 'warn' : 'info']({ event: e.type }, line ?? e.type);
        options.onEvent?.(e);
      },
    );
    await consumer.start();
    io.stderr.write(`Consuming ${consumer.topic} as group ${consumer.group} into ${sink.description}; poison records go to ${consumer.dlqTopic}\n`);
    const poll = setInterval(() => {
      if (options.stopSignal?.stopped) void consumer.stop();
    }, 50);
    try {
      summary = await consumer.done;
    } finally {
      clearInterval(poll);
    }
  } finally {
    await sink?.close().catch(() => {});
    await limiter?.close().catch(() => {});
    await ops.close();
  }
  const s = summary;
  const limited = rateLimitReport(limiter);
  io.stdout.write(
    `Stopped: ${formatCount(s.records)} records (partitions ${s.partitions.join(', ') || 'none'}), ${formatCount(s.created)} new documents, ${formatCount(s.existing)} already there` +
      `${s.dead > 0 ? `, ${formatCount(s.dead)} refused by the engine` : ''}${s.poison > 0 ? `, ${formatCount(s.poison)} poison record(s) to the dead-letter topic` : ''}` +
      `${limited ? `; ${limited}` : ''}; ${s.reconnects} reconnect(s) in ${formatDuration(s.durationMs)}.\n`,
  );
  if (s.error) {
    io.stderr.write(`sluice: ${s.error.message}${(s.error as { code?: string }).code ? ` [${(s.error as { code?: string }).code}]` : ''}\n`);
    return CONSUME_EXIT.problems;
  }
  return s.dead > 0 || s.poison > 0 ? CONSUME_EXIT.problems : CONSUME_EXIT.ok;
}

/** The line printed for a consumer event (undefined: nothing). */
export function renderConsumeEvent(e: KafkaConsumerEvent): string | undefined {
  switch (e.type) {
    case 'joined':
      return `… joined the group (generation ${e.generation}): partitions ${e.partitions.join(', ') || 'none'}`;
    case 'poison':
      return `! poison record at partition ${e.partition} offset ${e.offset} to the dead-letter topic: ${e.reason}`;
    case 'reconnecting':
      return `… Kafka connection lost (${e.message}); joining again from the committed offsets`;
    case 'reconnected':
      return '… joined again';
    case 'breaker-open':
      return '! Kafka unreachable: circuit breaker open, commits and joins wait for it';
    case 'breaker-closed':
      return '… Kafka answers again: circuit breaker closed';
    case 'commit-failed':
      return `sluice: warning: offset commit failed (${e.message}); retrying (records since the last commit may be delivered again, as no-ops)`;
    default:
      return undefined;
  }
}
