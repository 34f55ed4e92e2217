/**
 * A member of a Kafka consumer group that turns records into documents and delivers them to a
 * {@link LogSink} (`sluice consume`). Records are fetched in batches; several batches may be on their
 * way to the sink at once; the offset of a partition is committed only past records the sink has
 * acknowledged (see {@link PartitionCommitTracker}), so a crash, a rebalance or a broker restart
 * re-reads at most the unacknowledged records, which the documents' deterministic ids make no-ops in
 * the engine (`create`: a replay is a 409, counted as already there).
 *
 * Poison records (not JSON, not an object, no position, another dataset) go to the dead-letter topic
 * (`<topic>-dlq`) with the reason in headers, and then count as done: they never block a partition.
 * When the broker goes away the member waits for what is in flight, drops its stream and joins
 * again (for up to `reconnectTimeoutMs`), resuming from the committed offsets. Lag per partition is
 * read on scrape as `sluice_kafka_consumer_lag{topic,partition}`.
 *
 * Protection: a circuit breaker (`sluice_circuit_breaker_state{component="kafka_consumer"}`) counts
 * failed commits and failed joins; once open, commits and joins wait for its half-open probe instead
 * of hammering a broker that is down. An optional rate limit sits between the decoder and the sink,
 * per partition (or for the whole member): `delay` holds batches (the in-flight limit then pauses
 * fetching), `drop` leaves out what is over the rate and commits past it.
 */
import { Consumer, Producer, type Message } from '@platformatic/kafka';
import { Gauge, type Registry } from 'prom-client';
import { SluiceError } from '../../errors.js';
import type { LogDocument } from '../../pipeline/logs/log-document.js';
import type { LogSink } from '../../pipeline/logs/log-sink.js';
import { checkBrokers, checkName, DEFAULT_KAFKA_TOPIC, describeKafkaError, KAFKA_HEADERS, kafkaError } from '../../sinks/kafka/kafka-options.js';
import type { ComponentMetrics, Metrics } from '../../telemetry/metrics.js';
import { RateLimitAborted, type RateLimiter } from '../../pipeline/rate-limit/rate-limiter.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../../sinks/util/circuit-breaker.js';
import { PoisonRecordError, type KafkaInRecord } from './kafka-record-decoder.js';
import { PartitionCommitTracker, type CommitPoint, type TrackedRange } from './partition-commit-tracker.js';

/** Options of {@link KafkaLogConsumer}. */
export interface KafkaLogConsumerOptions {
  readonly brokers: readonly string[];
  /** Default `sluice-access`. */
  readonly topic?: string;
  readonly group: string;
  readonly clientId?: string;
  /** Default `<topic>-dlq`. */
  readonly dlqTopic?: string;
  /** Records per batch handed to the sink (default 1000). */
  readonly batchRecords?: number;
  /** A partial batch goes after this long (default 200 ms). */
  readonly lingerMs?: number;
  /**
   * Batches on their way to the sink at once (default 8); fetching pauses beyond. Enough records must
   * be in flight to fill the engine sink's flush size (5 MiB), or every batch waits for its flush interval.
   */
  readonly maxInFlightBatches?: number;
  /** The group's session timeout (default 10 s): a member silent for longer is dropped from the group. */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long to keep trying to join again after the broker went away (default 120 s). */
  readonly reconnectTimeoutMs?: number;
  /** Registers `sluice_kafka_consumer_lag` and the source counters here. */
  readonly metrics?: Metrics;
  /** `component_id` of the source counters (default `kafka`). */
  readonly componentId?: string;
  /** Rate limit between the decoder and the sink, keyed `<topic>:<partition>` (see the module comment). */
  readonly rateLimit?: RateLimiter;
  /** Told, per fetched batch, how long decoding its records took and how many were poison (`log_processing_seconds`). */
  readonly onBatchDecoded?: (seconds: number, records: number, poison: number) => void;
  /** Breaker in front of commits and joins (default: opens after 3 failures in a row, probes after 2 s). */
  readonly breaker?: CircuitBreakerOptions;
}

/** What the consumer reports. */
export type KafkaConsumerEvent =
  | { readonly type: 'joined'; readonly generation: number; readonly partitions: readonly number[] }
  | { readonly type: 'poison'; readonly partition: number; readonly offset: string; readonly reason: string }
  | { readonly type: 'reconnecting'; readonly message: string }
  | { readonly type: 'reconnected' }
  | { readonly type: 'commit-failed'; readonly message: string }
  | { readonly type: 'breaker-open' }
  | { readonly type: 'breaker-closed' };

/** Totals of a run. */
export interface KafkaConsumerSummary {
  /** Records taken in (a replayed record counts again). */
  records: number;
  documents: number;
  created: number;
  existing: number;
  dead: number;
  /** Records sent to the dead-letter topic. */
  poison: number;
  /** Documents dropped by the rate limit (`drop` mode); their offsets are committed. */
  rateLimited: number;
  commits: number;
  reconnects: number;
  /** Partitions this member delivered records of. */
  partitions: number[];
  /** The failure that stopped the run (offsets stayed before it). */
  error?: Error;
  durationMs: number;
}

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

/** The lag gauges of every consumer of a registry (one metric per registry, summed over members). */
const LAG_SOURCES = new WeakMap<Registry, Set<KafkaLogConsumer>>();

/** At most this many partitions are reported: a guard against a label leak. */
const MAX_LAG_SERIES = 1024;

/** See the module comment. */
export class KafkaLogConsumer {
  readonly topic: string;
  readonly group: string;
  readonly dlqTopic: string;
  private readonly brokers: string[];
  private readonly opts: Required<Pick<KafkaLogConsumerOptions, 'batchRecords' | 'lingerMs' | 'maxInFlightBatches' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'reconnectTimeoutMs'>> & { clientId: string };
  private readonly tracker = new PartitionCommitTracker();
  private readonly summary: KafkaConsumerSummary = { records: 0, documents: 0, created: 0, existing: 0, dead: 0, poison: 0, rateLimited: 0, commits: 0, reconnects: 0, partitions: [], durationMs: 0 };
  private readonly partitionsSeen = new Set<number>();
  private readonly component: ComponentMetrics | undefined;
  private consumer: Consumer | undefined;
  private stream: Awaited<ReturnType<Consumer['consume']>> | undefined;
  private dlq: Producer | undefined;
  private buffer: Msg[] = [];
  private linger: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private readonly batches = new Set<Promise<void>>();
  /** Commit points not yet accepted by the coordinator, with the generation they belong to. */
  private readonly unsent = new Map<string, CommitPoint & { generation: number }>();
  private committing: Promise<void> = Promise.resolve();
  private stopping = false;
  private recovering = false;
  private fatal: Error | undefined;
  private started = 0;
  private finish: (s: KafkaConsumerSummary) => void = () => {};
  /** In front of commits and joins. */
  readonly breaker: CircuitBreaker;
  /** Aborted at stop: ends breaker and rate-limit waits. */
  private readonly stopWaits = new AbortController();
  private readonly rateLimit: RateLimiter | undefined;
  private readonly onBatchDecoded: ((seconds: number, records: number, poison: number) => void) | undefined;
  private unregisterBreaker: () => void = () => {};
  /** Resolves with the totals once the consumer stopped (by {@link stop} or a failure). */
  readonly done: Promise<KafkaConsumerSummary>;

  constructor(
    options: KafkaLogConsumerOptions,
    private readonly decode: (record: KafkaInRecord) => LogDocument,
    private readonly sink: LogSink,
    private readonly onEvent: (e: KafkaConsumerEvent) => void = () => {},
  ) {
    this.brokers = checkBrokers(options.brokers);
    this.topic = checkName('topic', options.topic ?? DEFAULT_KAFKA_TOPIC);
    this.group = checkName('group', options.group);
    this.dlqTopic = checkName('dlq_topic', options.dlqTopic ?? `${this.topic}-dlq`);
    this.opts = {
      batchRecords: options.batchRecords ?? 1000,
      lingerMs: options.lingerMs ?? 200,
      maxInFlightBatches: options.maxInFlightBatches ?? 8,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 10_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      reconnectTimeoutMs: options.reconnectTimeoutMs ?? 120_000,
      clientId: options.clientId ?? 'sluice-consume',
    };
    this.done = new Promise((resolve) => (this.finish = resolve));
    this.breaker = new CircuitBreaker({ failureThreshold: options.breaker?.failureThreshold ?? 3, resetMs: options.breaker?.resetMs ?? 2_000 });
    this.rateLimit = options.rateLimit;
    this.onBatchDecoded = options.onBatchDecoded;
    if (options.metrics !== undefined) {
      this.unregisterBreaker = options.metrics.registerBreaker('kafka_consumer', () => this.breaker.state);
      this.component = options.metrics.component({ kind: 'source', type: 'kafka', id: options.componentId ?? 'kafka' });
      registerLag(options.metrics.registry, this);
    }
  }

  /** Joins the group and starts fetching; throws SLUICE_KAFKA_UNREACHABLE / SLUICE_KAFKA_CONSUME when it cannot. */
  async start(): Promise<void> {
    this.started = performance.now();
    await this.connect();
    this.retryTimer = setInterval(() => void this.commit(), 1000);
  }

  /** Stops fetching, delivers what was taken in, commits, leaves the group; resolves with the totals. */
  async stop(): Promise<KafkaConsumerSummary> {
    if (!this.stopping) {
      this.stopping = true;
      void this.shutdown();
    }
    return this.done;
  }

  /** Live counters (a copy). */
  get stats(): KafkaConsumerSummary {
    return { ...this.summary, partitions: [...this.partitionsSeen].sort((a, b) => a - b) };
  }

  /** Partitions assigned to this member now. */
  get assignedPartitions(): number[] {
    return [...(this.consumer?.assignments?.find((a) => a.topic === this.topic)?.partitions ?? [])].sort((a, b) => a - b);
  }

  /**
   * Lag of each partition assigned to this member: end offset minus the group's committed offset
   * (the whole partition when nothing is committed yet). Two requests to the broker.
   */
  async lag(): Promise<Map<number, number>> {
    const c = this.consumer;
    const partitions = this.assignedPartitions;
    const out = new Map<number, number>();
    if (c === undefined || partitions.length === 0) return out;
    const [ends, committed] = await Promise.all([
      c.listOffsets({ topics: [this.topic] }),
      c.listCommittedOffsets({ topics: [{ topic: this.topic, partitions }] }),
    ]);
    const end = ends.get(this.topic) ?? [];
    const com = committed.get(this.topic) ?? [];
    for (const p of partitions) {
      const e = end[p];
      if (e === undefined) continue;
      const k = com[p];
      out.set(p, Number(k !== undefined && k >= 0n ? (e > k ? e - k : 0n) : e));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Connection

  private async connect(): Promise<void> {
    const consumer = new Consumer({
      clientId: this.opts.clientId,
      groupId: this.group,
      bootstrapBrokers: this.brokers,
      autocommit: false,
      sessionTimeout: this.opts.sessionTimeoutMs,
      rebalanceTimeout: Math.max(this.opts.sessionTimeoutMs, 30_000),
      heartbeatInterval: this.opts.heartbeatIntervalMs,
      maxWaitTime: 500,
      highWaterMark: this.opts.batchRecords * 2,
      retries: 3,
      retryDelay: 500,
      timeout: 15_000,
    });
    consumer.on('consumer:group:join', (p) => {
      const a = p.assignments?.find((x) => x.topic === this.topic)?.partitions ?? [];
      this.onEvent({ type: 'joined', generation: p.generationId ?? consumer.generationId, partitions: [...a].sort((x, y) => x - y) });
    });
    // The client reports some failures on itself rather than on the stream: a rejoin that failed
    // after its retries (a rebalance meeting a coordinator still loading after a broker restart)
    // leaves this member outside the group. Unheard, that 'error' was an uncaught exception; it is
    // the same as a broken stream: deliver what is in flight and join again.
    consumer.on('error', (err: Error) => {
      if (this.consumer === consumer) this.broken(err);
    });
    this.consumer = consumer;
    try {
      const missing = () => new SluiceError('SLUICE_KAFKA_CONSUME', `the Kafka topic ${this.topic} does not exist; create it or ship to it first (sluice ship … --topic ${this.topic})`);
      const md = await consumer.metadata({ topics: [this.topic] }).catch((err: unknown) => {
        throw /unknown topic/i.test(describeKafkaError(err)) ? missing() : err;
      });
      if (!md.topics.has(this.topic)) throw missing();
      const stream = await consumer.consume({
        topics: [this.topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
        sessionTimeout: this.opts.sessionTimeoutMs,
        heartbeatInterval: this.opts.heartbeatIntervalMs,
        maxWaitTime: 500,
      });
      this.stream = stream;
      stream.on('data', (m: Msg) => this.take(m));
      stream.on('error', (err: Error) => this.broken(err));
    } catch (err) {
      this.consumer = undefined;
      this.stream = undefined;
      await forceClose(consumer);
      throw err instanceof SluiceError ? err : kafkaError('SLUICE_KAFKA_CONSUME', `could not join the Kafka consumer group ${this.group} on topic ${this.topic}`, this.brokers, err);
    }
  }

  /** The stream failed (broker gone, coordinator moved): deliver what is in flight, then join again. */
  private broken(err: Error): void {
    if (this.stopping || this.recovering) return;
    this.recovering = true;
    void this.recover(err);
  }

  private async recover(err: Error): Promise<void> {
    this.summary.reconnects++;
    this.breakerFailure();
    this.onEvent({ type: 'reconnecting', message: describeKafkaError(err) });
    this.clearLinger();
    this.buffer = []; // not committed: read again from the committed offsets
    await Promise.allSettled([...this.batches]);
    await this.commit();
    const old = this.consumer;
    this.consumer = undefined;
    this.stream = undefined;
    if (old !== undefined) await forceClose(old);
    this.tracker.reset();
    const deadline = Date.now() + this.opts.reconnectTimeoutMs;
    let last: unknown = err;
    while (!this.stopping && Date.now() < deadline) {
      // While the breaker is open this waits for its probe; otherwise one attempt a second.
      await this.breaker.allow(this.stopWaits.signal);
      if (this.stopping) break;
      try {
        await this.connect();
        this.breakerSuccess();
        this.recovering = false;
        this.onEvent({ type: 'reconnected' });
        return;
      } catch (e) {
        last = e;
        this.breakerFailure();
        if (this.breaker.state === 'closed') await new Promise((r) => setTimeout(r, 1000));
      }
    }
    this.recovering = false;
    if (!this.stopping) {
      this.fatal = kafkaError('SLUICE_KAFKA_CONSUME', `the Kafka consumer of group ${this.group} could not join again within ${Math.round(this.opts.reconnectTimeoutMs / 1000)} s`, this.brokers, last);
      void this.stop();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Records

  private take(m: Msg): void {
    if (this.stopping || this.recovering) return; // not committed: read again later
    const assigned = this.consumer?.assignments?.find((a) => a.topic === m.topic)?.partitions;
    // A record of a partition revoked by a rebalance (still in the stream's buffer): its new owner reads it.
    if (assigned === undefined || !assigned.includes(m.partition)) return;
    this.buffer.push(m);
    if (this.buffer.length >= this.opts.batchRecords) this.flush();
    else this.linger ??= setTimeout(() => this.flush(), this.opts.lingerMs);
  }

  private clearLinger(): void {
    if (this.linger !== undefined) clearTimeout(this.linger);
    this.linger = undefined;
  }

  private flush(): void {
    this.clearLinger();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    // Track the batch's records per partition, in arrival order (a rewind starts a new run).
    const ranges: TrackedRange[] = [];
    let first = 0;
    for (let i = 1; i <= batch.length; i++) {
      const a = batch[first]!;
      const b = batch[i];
      const gen = (m: Msg) => (m.metadata.consumer as { generationId?: number } | undefined)?.generationId ?? 0;
      if (b === undefined || b.partition !== a.partition || gen(b) !== gen(a) || b.offset <= batch[i - 1]!.offset) {
        ranges.push(this.tracker.track(a.topic, a.partition, gen(a), a.offset, batch[i - 1]!.offset));
        first = i;
      }
    }
    const docs: LogDocument[] = [];
    const docPartitions: number[] = [];
    const poison: { m: Msg; err: PoisonRecordError }[] = [];
    let bytes = 0;
    const t0 = this.onBatchDecoded === undefined ? 0 : performance.now();
    for (const m of batch) {
      bytes += m.value?.length ?? 0;
      try {
        docs.push(this.decode({ key: m.key, value: m.value, headers: m.headers, timestampMs: Number(m.timestamp) }));
        docPartitions.push(m.partition);
      } catch (err) {
        poison.push({ m, err: err instanceof PoisonRecordError ? err : new PoisonRecordError((err as Error).message, 'invalid') });
      }
      this.partitionsSeen.add(m.partition);
    }
    this.onBatchDecoded?.((performance.now() - t0) / 1000, batch.length, poison.length);
    this.summary.records += batch.length;
    this.summary.documents += docs.length;
    this.component?.received(batch.length, bytes);
    this.inFlight++;
    if (this.inFlight >= this.opts.maxInFlightBatches) this.stream?.pause();
    const p = this.deliver(docs, docPartitions, poison, ranges).finally(() => {
      this.inFlight--;
      this.batches.delete(p);
      if (this.inFlight < this.opts.maxInFlightBatches && !this.stopping && !this.recovering) this.stream?.resume();
    });
    this.batches.add(p);
  }

  private async deliver(docs: LogDocument[], docPartitions: number[], poison: { m: Msg; err: PoisonRecordError }[], ranges: TrackedRange[]): Promise<void> {
    try {
      if (poison.length > 0) await this.deadLetter(poison);
      if (this.rateLimit !== undefined) {
        const limited = await this.rateLimit.limit(docs, (_, i) => `${this.topic}:${docPartitions[i]}`, this.stopWaits.signal);
        this.summary.rateLimited += limited.dropped;
        docs = limited.kept;
      }
      const r = docs.length > 0 ? await this.sink.write(docs) : { created: 0, existing: 0, dead: 0 };
      this.summary.created += r.created;
      this.summary.existing += r.existing;
      this.summary.dead += r.dead;
      this.component?.sent(r.created + r.existing);
    } catch (err) {
      // Stopping during a rate-limit wait: not delivered, not committed, read again by the next member.
      if (err instanceof RateLimitAborted) return;
      // The sink (or the dead-letter topic) stopped: the offsets stay before this batch.
      this.fatal ??= err instanceof SluiceError ? err : kafkaError('SLUICE_KAFKA_CONSUME', `delivering to ${this.sink.description} failed`, this.brokers, err);
      this.component?.error((this.fatal as SluiceError).code ?? 'SLUICE_KAFKA_CONSUME');
      void this.stop();
      return;
    }
    for (const r of ranges) this.tracker.done(r);
    await this.commit();
  }

  private async deadLetter(poison: { m: Msg; err: PoisonRecordError }[]): Promise<void> {
    this.dlq ??= new Producer({
      clientId: `${this.opts.clientId}-dlq`,
      bootstrapBrokers: this.brokers,
      idempotent: true,
      acks: -1,
      autocreateTopics: true,
      retries: Math.ceil(this.opts.reconnectTimeoutMs / 500),
      retryDelay: 500,
    });
    await this.dlq.send({
      messages: poison.map(({ m, err }) => {
        const headers = new Map<Buffer, Buffer>(m.headers);
        headers.set(Buffer.from(KAFKA_HEADERS.error), Buffer.from(err.message.slice(0, 1000)));
        headers.set(Buffer.from(KAFKA_HEADERS.errorCode), Buffer.from(err.reason));
        headers.set(Buffer.from(KAFKA_HEADERS.sourceTopic), Buffer.from(m.topic));
        headers.set(Buffer.from(KAFKA_HEADERS.sourcePartition), Buffer.from(String(m.partition)));
        headers.set(Buffer.from(KAFKA_HEADERS.sourceOffset), Buffer.from(String(m.offset)));
        return { topic: this.dlqTopic, key: m.key, value: m.value ?? Buffer.alloc(0), headers };
      }),
    });
    this.summary.poison += poison.length;
    this.component?.dropped('rejected', poison.length);
    for (const { m, err } of poison) this.onEvent({ type: 'poison', partition: m.partition, offset: String(m.offset), reason: err.message });
  }

  // ------------------------------------------------------------------------------------------
  // Commits

  /** Sends the commit points that moved (one request at a time; failed ones are retried every second). */
  private commit(): Promise<void> {
    const c = this.consumer;
    if (c === undefined) return this.committing;
    const generation = c.generationId;
    for (const p of this.tracker.takeCommits(generation)) this.unsent.set(`${p.topic}:${p.partition}`, { ...p, generation });
    if (this.unsent.size === 0) return this.committing;
    this.committing = this.committing.then(async () => {
      const cur = this.consumer;
      if (cur === undefined || this.unsent.size === 0) return;
      const points = [...this.unsent.values()].filter((p) => p.generation === cur.generationId);
      // Points of an older generation: the partition may be someone else's now; it re-reads from its own commits.
      for (const [k, p] of this.unsent) if (p.generation !== cur.generationId) this.unsent.delete(k);
      if (points.length === 0) return;
      // An open breaker: wait for its probe (or the stop) rather than sending commits into a dead broker.
      await this.breaker.allow(this.stopWaits.signal);
      try {
        await cur.commit({ offsets: points.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset, leaderEpoch: -1 })) });
        this.breakerSuccess();
        for (const p of points) {
          const k = `${p.topic}:${p.partition}`;
          if (this.unsent.get(k) === p) this.unsent.delete(k);
        }
        this.summary.commits++;
      } catch (err) {
        this.breakerFailure();
        this.onEvent({ type: 'commit-failed', message: describeKafkaError(err) });
      }
    });
    return this.committing;
  }

  private breakerFailure(): void {
    const before = this.breaker.state;
    this.breaker.failure();
    if (before !== 'open' && this.breaker.state === 'open') this.onEvent({ type: 'breaker-open' });
  }

  private breakerSuccess(): void {
    if (this.breaker.state !== 'closed') this.onEvent({ type: 'breaker-closed' });
    this.breaker.success();
  }

  private async shutdown(): Promise<void> {
    this.stopWaits.abort();
    this.clearLinger();
    if (this.retryTimer !== undefined) clearInterval(this.retryTimer);
    this.stream?.pause();
    // Records taken in but not batched yet are dropped: not committed, so read again by the next member.
    this.buffer = [];
    while (this.batches.size > 0) await Promise.allSettled([...this.batches]);
    if (this.fatal === undefined) await this.commit();
    await this.committing;
    // Closing the consumer leaves the group, so the other members take its partitions at once.
    await this.stream?.close().catch(() => {});
    if (this.consumer !== undefined) await forceClose(this.consumer);
    await this.dlq?.close().catch(() => {});
    if (this.component !== undefined) unregisterLag(this);
    this.unregisterBreaker();
    this.summary.error = this.fatal;
    this.summary.durationMs = Math.round(performance.now() - this.started);
    this.finish(this.stats);
  }
}

/** Closes a consumer without waiting for its streams (errors ignored: it is being thrown away). */
function forceClose(c: Consumer): Promise<void> {
  return new Promise((resolve) => c.close(true, () => resolve()));
}

/** The registry each consumer's lag is reported into (to unregister). */
const REGISTRY_OF = new WeakMap<KafkaLogConsumer, Registry>();

function registerLag(registry: Registry, consumer: KafkaLogConsumer): void {
  let set = LAG_SOURCES.get(registry);
  if (set === undefined) {
    set = new Set();
    LAG_SOURCES.set(registry, set);
    const members = set;
    new Gauge({
      name: 'sluice_kafka_consumer_lag',
      help: 'Records of each partition this process consumes that are not yet delivered and committed (end offset minus committed offset), read on scrape.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        this.reset();
        let series = 0;
        await Promise.all(
          [...members].map(async (c) => {
            try {
              for (const [p, lag] of await c.lag()) {
                if (series++ >= MAX_LAG_SERIES) return;
                this.set({ topic: c.topic, partition: String(p) }, lag);
              }
            } catch {
              // Broker unreachable: no series rather than a stale value (the errors show elsewhere).
            }
          }),
        );
      },
    });
  }
  set.add(consumer);
  REGISTRY_OF.set(consumer, registry);
}

function unregisterLag(consumer: KafkaLogConsumer): void {
  const r = REGISTRY_OF.get(consumer);
  if (r !== undefined) LAG_SOURCES.get(r)?.delete(consumer);
}
