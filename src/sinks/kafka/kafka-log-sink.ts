/**
 * {@link LogSink} into a Kafka topic (`sluice ship`): each document becomes one record whose key is
 * the document id (`<file id>-<byte offset>`), whose value is the document JSON (a parsed, not yet
 * enriched, ECS document, or `{"raw": line, "position": …}` in raw mode) and whose headers carry the
 * dataset and the position. The producer is idempotent with `acks=all`, so a broker that fails over
 * or restarts mid-stream neither loses nor duplicates an acknowledged record; `write` resolves only
 * when the broker acknowledged every record of the call, which is when the tail may move its
 * checkpoint. A rerun after a crash sends the unacknowledged lines again: the same keys and ids, so
 * the engine behind `sluice consume` keeps one document each.
 *
 * A circuit breaker stands in front of the broker: the client retries a request a few times
 * (`requestRetries`), and a request that still fails, or stays unanswered for `slowRequestMs` (the
 * client waits for a broker that went away rather than failing), counts as a failure; after
 * `breaker.failureThreshold` of them in a row it opens, and writes wait (the tail is not
 * acknowledged, so nothing is lost and reading stops) until a half-open probe gets through. The
 * records are sent again until `deliveryTimeoutMs` has passed since the first attempt; only then
 * does `write` fail. A record whose acknowledgement was lost may then be in the topic twice: same
 * key, same document id, so the engine behind `sluice consume` still keeps one.
 *
 * Keying by document id spreads one busy file over every partition (and every consumer of the
 * group); the order of lines within a file is not kept across partitions, which nothing downstream
 * needs, because each line is an independent document with its own id. `partitionBy: 'file'` keys
 * by file identity instead, for consumers that want per-file order.
 */
import { Admin, Producer } from '@platformatic/kafka';
import zlib from 'node:zlib';
import { SluiceError } from '../../errors.js';
import type { Metrics } from '../../telemetry/metrics.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../util/circuit-breaker.js';
import type { LogDocument } from '../../pipeline/logs/log-document.js';
import type { LogSink, LogWriteResult } from '../../pipeline/logs/log-sink.js';
import {
  checkBrokers,
  checkCompression,
  checkName,
  DEFAULT_KAFKA_COMPRESSION,
  DEFAULT_KAFKA_TOPIC,
  describeKafkaError,
  isRetriableKafkaError,
  KAFKA_HEADERS,
  kafkaError,
  type KafkaCompression,
  type KafkaRecordFormat,
} from './kafka-options.js';

/** Options of {@link KafkaLogSink}. */
export interface KafkaLogSinkOptions {
  /** `host:port` of one or more brokers (bootstrap list). */
  readonly brokers: readonly string[];
  /** Default `sluice-access`. */
  readonly topic?: string;
  readonly clientId?: string;
  /** Default lz4. */
  readonly compression?: KafkaCompression;
  /** What the record values are (written to the `sluice.format` header): default `ecs`. */
  readonly format?: KafkaRecordFormat;
  /** Record key: the document id (default; spreads over partitions) or the file identity (per-file order). */
  readonly partitionBy?: 'document' | 'file';
  /** How long a record may wait for the broker's acknowledgement, retries included (default 120 s). */
  readonly deliveryTimeoutMs?: number;
  /** Uncompressed bytes per produce request (default 768 KiB, under the broker's 1 MiB message.max.bytes). */
  readonly maxRequestBytes?: number;
  /** Partitions when the sink creates the topic (default 4; an existing topic is left as it is). */
  readonly createPartitions?: number;
  /** Breaker in front of the broker (default: opens after 3 failed requests in a row, probes after 5 s). */
  readonly breaker?: CircuitBreakerOptions;
  /** Times the client retries one request (500 ms apart) before it counts as a breaker failure (default 4). */
  readonly requestRetries?: number;
  /** A request unanswered this long counts as a breaker failure, and again after each further span (default 5 s). */
  readonly slowRequestMs?: number;
  /** Registers `sluice_circuit_breaker_state{component="kafka_producer"}` here. */
  readonly metrics?: Metrics;
  /** Told when a request failed and will be sent again, and when the breaker opens or closes. */
  readonly onEvent?: (event: KafkaSinkEvent) => void;
}

/** What the sink reports. */
export type KafkaSinkEvent =
  | { readonly type: 'retrying'; readonly message: string }
  | { readonly type: 'breaker-open'; readonly message: string }
  | { readonly type: 'breaker-closed' };

/** Counters (plain numbers). */
export interface KafkaLogSinkStats {
  records: number;
  bytes: number;
  requests: number;
  /** Produce requests that failed and were sent again. */
  retries: number;
}

const RETRY_DELAY_MS = 500;

/** See the module comment. */
export class KafkaLogSink implements LogSink {
  readonly description: string;
  readonly topic: string;
  readonly compression: KafkaCompression;
  readonly stats: KafkaLogSinkStats = { records: 0, bytes: 0, requests: 0, retries: 0 };
  /** In front of the broker (see the module comment). */
  readonly breaker: CircuitBreaker;
  private readonly deliveryTimeoutMs: number;
  private readonly slowRequestMs: number;
  private readonly closing = new AbortController();
  private readonly unregisterBreaker: () => void;
  private readonly onEvent: (event: KafkaSinkEvent) => void;
  private readonly brokers: string[];
  private readonly producer: Producer;
  private readonly format: KafkaRecordFormat;
  private readonly byFile: boolean;
  private readonly maxRequestBytes: number;
  private fatal: Error | undefined;
  /** Sends in order: one produce request at a time keeps the idempotent producer's sequences simple. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(options: KafkaLogSinkOptions, brokers: string[]) {
    this.brokers = brokers;
    this.topic = checkName('topic', options.topic ?? DEFAULT_KAFKA_TOPIC);
    this.compression = checkCompression(options.compression ?? DEFAULT_KAFKA_COMPRESSION, typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function');
    this.format = options.format ?? 'ecs';
    this.byFile = options.partitionBy === 'file';
    this.maxRequestBytes = options.maxRequestBytes ?? 768 * 1024;
    this.description = `Kafka topic ${this.topic} at ${brokers.join(', ')}`;
    const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;
    this.deliveryTimeoutMs = deliveryTimeoutMs;
    this.slowRequestMs = Math.max(100, options.slowRequestMs ?? 5_000);
    this.breaker = new CircuitBreaker({ failureThreshold: options.breaker?.failureThreshold ?? 3, resetMs: options.breaker?.resetMs ?? 5_000 });
    this.onEvent = options.onEvent ?? (() => {});
    this.unregisterBreaker = options.metrics?.registerBreaker('kafka_producer', () => this.breaker.state) ?? (() => {});
    this.producer = new Producer({
      clientId: options.clientId ?? 'sluice-ship',
      bootstrapBrokers: brokers,
      idempotent: true,
      acks: -1,
      compression: this.compression,
      // The client retries a failed request (broker gone, leader moved) a few times, RETRY_DELAY_MS apart;
      // past that the breaker decides when to try again (send), up to the delivery timeout.
      retries: Math.max(0, options.requestRetries ?? 4),
      retryDelay: RETRY_DELAY_MS,
      timeout: 30_000,
      autocreateTopics: true,
    });
  }

  /**
   * Connects (a metadata request, so a wrong broker list fails now with SLUICE_KAFKA_UNREACHABLE
   * rather than at the first batch) and creates the topic with `createPartitions` partitions when it
   * does not exist.
   */
  static async open(options: KafkaLogSinkOptions): Promise<KafkaLogSink> {
    const brokers = checkBrokers(options.brokers);
    const sink = new KafkaLogSink(options, brokers);
    try {
      await ensureTopic(brokers, sink.topic, options.createPartitions ?? 4, options.clientId ?? 'sluice-ship');
    } catch (err) {
      await sink.producer.close().catch(() => {});
      throw err;
    }
    return sink;
  }

  async write(docs: readonly LogDocument[]): Promise<LogWriteResult> {
    if (this.fatal) throw this.fatal;
    if (docs.length === 0) return { created: 0, existing: 0, dead: 0 };
    // Requests of at most maxRequestBytes (uncompressed), sent one after another.
    let from = 0;
    let bytes = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < docs.length; i++) {
      bytes += docs[i]!.body.length + 200;
      if (bytes >= this.maxRequestBytes || i === docs.length - 1) {
        sends.push(this.enqueue(docs.slice(from, i + 1)));
        from = i + 1;
        bytes = 0;
      }
    }
    await Promise.all(sends);
    return { created: docs.length, existing: 0, dead: 0 };
  }

  private enqueue(docs: readonly LogDocument[]): Promise<void> {
    const p = this.chain.then(() => this.send(docs));
    this.chain = p.catch(() => {});
    return p;
  }

  private async send(docs: readonly LogDocument[]): Promise<void> {
    if (this.fatal) throw this.fatal;
    const messages = docs.map((d) => {
      const headers = new Map<Buffer, Buffer>([
        [Buffer.from(KAFKA_HEADERS.dataset), Buffer.from(d.dataset)],
        [Buffer.from(KAFKA_HEADERS.format), Buffer.from(this.format)],
        [Buffer.from(KAFKA_HEADERS.fileId), Buffer.from(d.position.fileId)],
        [Buffer.from(KAFKA_HEADERS.offset), Buffer.from(String(d.position.offset))],
      ]);
      if (d.position.path !== undefined) headers.set(Buffer.from(KAFKA_HEADERS.path), Buffer.from(d.position.path));
      return {
        topic: this.topic,
        key: Buffer.from(this.byFile ? d.position.fileId : d.id),
        value: d.body,
        headers,
        timestamp: BigInt(Math.trunc(d.timestampMs)),
      };
    });
    const deadline = Date.now() + this.deliveryTimeoutMs;
    for (;;) {
      await this.breaker.allow(this.closing.signal);
      try {
        await this.watched(this.producer.send({ messages }), deadline);
        if (this.breaker.state !== 'closed') this.onEvent({ type: 'breaker-closed' });
        this.breaker.success();
        break;
      } catch (err) {
        const wasOpen = this.breaker.state === 'open';
        this.breaker.failure();
        if (!isRetriableKafkaError(err) || Date.now() >= deadline || this.closing.signal.aborted) {
          this.fatal = kafkaError('SLUICE_KAFKA_PRODUCE', `Kafka did not acknowledge ${docs.length} record(s) for topic ${this.topic}`, this.brokers, err);
          throw this.fatal;
        }
        this.stats.retries++;
        const message = describeKafkaError(err);
        if (!wasOpen && this.breaker.state === 'open') this.onEvent({ type: 'breaker-open', message });
        else this.onEvent({ type: 'retrying', message });
      }
    }
    this.stats.records += docs.length;
    this.stats.requests++;
    for (const d of docs) this.stats.bytes += d.body.length;
  }

  /**
   * Waits for `send`, counting a breaker failure for every `slowRequestMs` it stays unanswered: the
   * client does not fail a request while the broker is away, it waits for it to come back, so without
   * this the breaker (and its gauge) would never see an outage. The request itself is not sent twice
   * meanwhile (that would race the idempotent producer's sequence numbers). Past the delivery
   * deadline it fails.
   */
  private watched<T>(send: Promise<T>, deadline: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const slow = setInterval(() => {
        const wasOpen = this.breaker.state === 'open';
        this.breaker.failure();
        if (!wasOpen && this.breaker.state === 'open') this.onEvent({ type: 'breaker-open', message: `no answer from the broker for ${Math.round(this.slowRequestMs / 1000)} s or more` });
        if (Date.now() >= deadline) {
          clearInterval(slow);
          reject(new SluiceError('SLUICE_KAFKA_PRODUCE', `no answer from Kafka within kafka.delivery_timeout_ms (${this.deliveryTimeoutMs} ms)`));
        }
      }, this.slowRequestMs);
      send.then(
        (v) => {
          clearInterval(slow);
          resolve(v);
        },
        (err: unknown) => {
          clearInterval(slow);
          reject(err);
        },
      );
    });
  }

  /** Waits for what was written (while the broker is away: until it is back or the delivery timeout passed), then closes. */
  async close(): Promise<void> {
    this.unregisterBreaker();
    await this.chain;
    this.closing.abort();
    await this.producer.close();
  }
}

/** Creates `topic` when it does not exist; throws SLUICE_KAFKA_UNREACHABLE when no broker answers. */
export async function ensureTopic(brokers: readonly string[], topic: string, partitions: number, clientId: string): Promise<void> {
  const admin = new Admin({ clientId: `${clientId}-admin`, bootstrapBrokers: [...brokers], retries: 2, retryDelay: 500, timeout: 10_000 });
  try {
    let exists: boolean;
    try {
      const md = await admin.metadata({ topics: [] });
      if (md.brokers.size === 0) throw new Error('the cluster lists no broker');
      const names = await admin.listTopics();
      exists = names.includes(topic);
    } catch (err) {
      throw new SluiceError('SLUICE_KAFKA_UNREACHABLE', `no Kafka broker of ${brokers.join(', ')} answered a metadata request (${(err as Error).message}); check kafka.brokers and that the broker runs`, { cause: err });
    }
    if (!exists) {
      try {
        await admin.createTopics({ topics: [topic], partitions, replicas: -1 });
      } catch (err) {
        // Created meanwhile by another process: fine.
        if (!/already exists/i.test(JSON.stringify((err as { errors?: unknown }).errors ?? '') + String(err))) {
          throw kafkaError('SLUICE_KAFKA_PRODUCE', `could not create the Kafka topic ${topic}`, brokers, err);
        }
      }
    }
  } finally {
    await admin.close().catch(() => {});
  }
}
