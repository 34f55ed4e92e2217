/**
 * File → Kafka → OpenSearch through `sluice ship` and two `sluice consume` members of one group,
 * against a real KRaft broker (scripts/stack/kafka.mjs) and OpenSearch 2.19: the real 10,000-line
 * Apache log must end as exactly 10,000 documents whose ids are `<file id>-<byte offset>` of its
 * lines (none missing, none twice), the members must split the partitions, poison records must land
 * in the dead-letter topic without blocking, the lag metric must reach 0, and a broker restart while
 * shipping and while consuming must change none of that.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer, Producer } from '@platformatic/kafka';
import Database from 'better-sqlite3';
import { runShip } from '../../../src/cli/commands/ship-command.js';
import { UserAgentEnricher } from '../../../src/enrichers/user-agent/user-agent-enricher.js';
import { AccessLogPipeline } from '../../../src/pipeline/logs/access-log-pipeline.js';
import type { LogSink } from '../../../src/pipeline/logs/log-sink.js';
import { EngineLogSink } from '../../../src/sinks/elasticsearch/engine-log-sink.js';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { ensureTopic } from '../../../src/sinks/kafka/kafka-log-sink.js';
import { KafkaLogConsumer } from '../../../src/sources/kafka/kafka-log-consumer.js';
import { decodeAccessRecord } from '../../../src/sources/kafka/kafka-record-decoder.js';
import { Metrics } from '../../../src/telemetry/metrics.js';
import { kafkaUrl, restartKafka, skipWithoutKafka } from '../../support/kafka.js';
import { openSearchUrl, osRequest, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { captureIO, tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const skip = skipWithoutKafka() || skipWithoutOpenSearch(2);

const temps: (() => void)[] = [];
const topics: string[] = [];
const indexPrefixes: string[] = [];

/** Byte offsets of the non-empty lines of `text` (what the ids are made of). */
function lineOffsets(text: Buffer): number[] {
  const out: number[] = [];
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf(10, start);
    if (nl < 0) nl = text.length;
    if (nl > start) out.push(start);
    start = nl + 1;
  }
  return out;
}

function pipeline(indexPattern: string): AccessLogPipeline {
  return new AccessLogPipeline({ parser: { format: 'apache_combined' }, indexPattern, userAgent: new UserAgentEnricher({}) });
}

/** A group member: its own engine client and sink, as a separate `sluice consume` process has. */
function member(os: string, topic: string, group: string, indexPattern: string, opts: { delayMs?: number; batchRecords?: number; maxInFlight?: number } = {}) {
  const dir = tempDir('sluice-kafka-');
  temps.push(dir.cleanup);
  const client = new EngineClient({ urls: [os] });
  const engine = new EngineLogSink({ client, dataDir: dir.dir, sinkName: 'kafka-test', flushIntervalMs: 100 });
  const sink: LogSink = {
    description: engine.description,
    // A slow engine when asked (delayMs): keeps the members busy while the broker restarts.
    write: async (docs) => {
      if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
      return engine.write(docs);
    },
    close: async () => {
      await engine.close();
      await client.close();
    },
  };
  const metrics = new Metrics({ defaultMetrics: false });
  const p = pipeline(indexPattern);
  const events: string[] = [];
  const decoded = { batches: 0, records: 0, poison: 0, seconds: 0 };
  const onBatchDecoded = (seconds: number, records: number, poison: number) => {
    decoded.batches++;
    decoded.records += records;
    decoded.poison += poison;
    decoded.seconds += seconds;
  };
  const consumer = new KafkaLogConsumer(
    { brokers: [kafkaUrl()!], topic, group, batchRecords: opts.batchRecords ?? 500, maxInFlightBatches: opts.maxInFlight ?? 4, sessionTimeoutMs: 10_000, metrics, onBatchDecoded },
    (r) => decodeAccessRecord(r, p),
    sink,
    (e) => events.push(JSON.stringify(e)),
  );
  return { consumer, sink, metrics, events, decoded };
}

/** The lag series of a member's /metrics text: partition → lag. */
async function lagSeries(metrics: Metrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of (await metrics.expose()).matchAll(/^sluice_kafka_consumer_lag\{([^}]*)\} (\d+)$/gm)) {
    const p = /partition="(\d+)"/.exec(m[1]!)![1]!;
    out.set(p, Number(m[2]));
  }
  return out;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function count(os: string, prefix: string): Promise<number> {
  await osRequest(os, 'POST', `/${prefix}-*/_refresh`);
  const r = await osRequest(os, 'GET', `/${prefix}-*/_count`);
  return r.status === 200 ? (r.body.count as number) : 0;
}

/** Every document id under the indices `prefix-*` (scroll), with how often each occurs. */
async function allIds(os: string, prefix: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  let r = await osRequest(os, 'POST', `/${prefix}-*/_search?scroll=1m`, { size: 5000, _source: false, sort: ['_doc'] });
  for (;;) {
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    const hits = r.body.hits.hits as { _id: string }[];
    if (hits.length === 0) break;
    for (const h of hits) ids.set(h._id, (ids.get(h._id) ?? 0) + 1);
    r = await osRequest(os, 'POST', '/_search/scroll', { scroll: '1m', scroll_id: r.body._scroll_id });
  }
  await osRequest(os, 'DELETE', '/_search/scroll', { scroll_id: r.body._scroll_id });
  return ids;
}

/** Asserts the engine holds exactly one document per line of `file`, ids `<file id>-<offset>`. */
async function assertExactlyOnce(os: string, prefix: string, file: string): Promise<void> {
  const offsets = lineOffsets(readFileSync(file));
  assert.equal(offsets.length, 10_000);
  const ids = await allIds(os, prefix);
  const dups = [...ids].filter(([, n]) => n > 1);
  assert.deepEqual(dups, [], 'no document twice');
  const fileIds = new Set([...ids.keys()].map((id) => id.slice(0, id.lastIndexOf('-'))));
  assert.equal(fileIds.size, 1, `one file identity: ${[...fileIds].slice(0, 3).join(', ')}`);
  const fileId = [...fileIds][0]!;
  const expected = new Set(offsets.map((o) => `${fileId}-${o}`));
  const missing = [...expected].filter((id) => !ids.has(id));
  const extra = [...ids.keys()].filter((id) => !expected.has(id));
  assert.deepEqual({ missing: missing.slice(0, 5), missingCount: missing.length, extra: extra.slice(0, 5) }, { missing: [], missingCount: 0, extra: [] });
  assert.equal(ids.size, 10_000);
}

/** A topic of `partitions` partitions and an index prefix of the same name, both removed after the suite. */
async function freshTopic(name: string, partitions: number): Promise<{ topic: string; prefix: string }> {
  const topic = `kafkatest-${name}-${RUN}`;
  topics.push(topic, `${topic}-dlq`);
  indexPrefixes.push(topic);
  await ensureTopic([kafkaUrl()!], topic, partitions, 'kafka-test');
  return { topic, prefix: topic };
}

/** Waits until every partition of the topic is reported by one of the members with lag 0. */
async function waitLagZero(members: { metrics: Metrics }[], partitions: number): Promise<Map<string, number>> {
  return waitFor('consumer lag 0 on every partition', 60_000, async () => {
    const all = new Map<string, number>();
    for (const m of members) for (const [p, l] of await lagSeries(m.metrics)) all.set(p, Math.max(l, all.get(p) ?? 0));
    return all.size === partitions && [...all.values()].every((l) => l === 0) ? all : undefined;
  });
}

describe('sluice ship → Kafka → sluice consume ×2 → OpenSearch', { skip, timeout: 600_000 }, () => {
  let os: string;
  let admin: Admin;
  before(() => {
    os = openSearchUrl(2)!;
    admin = new Admin({ clientId: 'kafka-test-admin', bootstrapBrokers: [kafkaUrl()!] });
  });
  after(async () => {
    for (const p of indexPrefixes) await osRequest(os, 'DELETE', `/${p}-*`).catch(() => {});
    const existing = new Set(await admin.listTopics().catch(() => [] as string[]));
    const gone = topics.filter((t) => existing.has(t));
    if (gone.length > 0) await admin.deleteTopics({ topics: gone }).catch(() => {});
    await admin.close();
    temps.forEach((c) => c());
  });

  test('two members split 4 partitions and deliver the 10,000-line Apache log exactly once; poison records go to the DLQ; lag reaches 0', async () => {
    const { topic, prefix } = await freshTopic('split', 4);
    const group = `kafkatest-${RUN}-split`;
    const a = member(os, topic, group, `${prefix}-%Y.%m.%d`);
    const b = member(os, topic, group, `${prefix}-%Y.%m.%d`);
    await a.consumer.start();
    await b.consumer.start();
    // Both members in the group with two partitions each before anything is shipped.
    await waitFor('both members assigned', 60_000, async () => (a.consumer.assignedPartitions.length === 2 && b.consumer.assignedPartitions.length === 2 ? true : undefined));

    // Poison records, one per partition 0-2: not JSON, JSON but not an object, an object with no position.
    const producer = new Producer({ clientId: 'kafka-test-poison', bootstrapBrokers: [kafkaUrl()!] });
    await producer.send({
      messages: [
        { topic, partition: 0, key: Buffer.from('poison-1'), value: Buffer.from('this is not JSON {') },
        { topic, partition: 1, key: Buffer.from('poison-2'), value: Buffer.from('[1,2,3]') },
        { topic, partition: 2, key: Buffer.from('poison-3'), value: Buffer.from('{"message":"no position here"}') },
      ],
    });
    await producer.close();

    const dataDir = tempDir('sluice-ship-');
    temps.push(dataDir.cleanup);
    const io = captureIO();
    const code = await runShip(
      { pipeline: pipeline(`${prefix}-%Y.%m.%d`), tail: { paths: [APACHE], dataDir: dataDir.dir, pollIntervalMs: 100, rotateWaitMs: 200 }, kafka: { brokers: [kafkaUrl()!], topic, compression: 'lz4' }, untilIdle: true },
      io.io,
    );
    assert.equal(code, 0, io.err());
    assert.match(io.out(), /10,000 lines, 10,000 records acknowledged by Kafka/);

    await waitFor('10,000 documents in OpenSearch', 120_000, async () => ((await count(os, prefix)) >= 10_000 ? true : undefined));
    const lag = await waitLagZero([a, b], 4);
    assert.deepEqual([...lag.keys()].sort(), ['0', '1', '2', '3']);
    const sa = a.consumer.stats;
    const sb = b.consumer.stats;
    const [ra, rb] = await Promise.all([a.consumer.stop(), b.consumer.stop()]);
    await a.sink.close();
    await b.sink.close();
    assert.equal(ra.error, undefined, String(ra.error));
    assert.equal(rb.error, undefined, String(rb.error));
    assert.ok(sa.partitions.length > 0 && sb.partitions.length > 0, `each member got partitions: ${sa.partitions} / ${sb.partitions}`);
    assert.deepEqual([...new Set([...sa.partitions, ...sb.partitions])].sort(), [0, 1, 2, 3]);
    assert.equal(ra.poison + rb.poison, 3, `poison: ${ra.poison} + ${rb.poison}`);
    // Decoding is timed per fetched batch (log_processing_seconds), never per record.
    assert.equal(a.decoded.records + b.decoded.records, ra.records + rb.records);
    assert.equal(a.decoded.poison + b.decoded.poison, 3);
    assert.ok(a.decoded.batches + b.decoded.batches < (ra.records + rb.records) / 10, `batches: ${a.decoded.batches + b.decoded.batches}`);
    assert.ok(a.decoded.seconds > 0 && b.decoded.seconds > 0);
    assert.equal(ra.created + rb.created, 10_000, `created: ${ra.created} + ${rb.created}, existing ${ra.existing + rb.existing}`);
    // The parsed documents were enriched on the consuming side (user agent).
    const sample = await osRequest(os, 'POST', `/${prefix}-*/_search`, { size: 1, query: { exists: { field: 'user_agent.name' } } });
    assert.ok(sample.body.hits.total.value > 9000, `enriched: ${JSON.stringify(sample.body.hits.total)}`);
    await assertExactlyOnce(os, prefix, APACHE);

    // The dead-letter topic holds the three poison records with the reason in headers.
    const dead = await readAll(`${topic}-dlq`, 3);
    assert.equal(dead.length, 3);
    assert.deepEqual(dead.map((d) => d.value.toString()).sort(), ['[1,2,3]', 'this is not JSON {', '{"message":"no position here"}'].sort());
    for (const d of dead) {
      assert.match(d.headers.get('sluice.error') ?? '', /\S/);
      assert.equal(d.headers.get('sluice.source_topic'), topic);
    }
    assert.deepEqual(dead.map((d) => d.headers.get('sluice.error_code')).sort(), ['no_position', 'not_json', 'not_object']);
  });

  test('a consumer of a topic that does not exist fails at start with SLUICE_KAFKA_CONSUME naming it', async () => {
    const m = member(os, `kafkatest-missing-${RUN}`, `kafkatest-${RUN}-missing`, 'kafkatest-missing-%Y.%m.%d');
    await assert.rejects(m.consumer.start(), (e: Error & { code?: string }) => e.code === 'SLUICE_KAFKA_CONSUME' && e.message.includes(`kafkatest-missing-${RUN}`) && /sluice ship/.test(e.message));
    await m.sink.close();
  });

  // The client reports a rejoin that failed after its retries (`rejoinGroup failed 4 times`, seen
  // when a rebalance meets a broker that restarted moments before) as an 'error' on itself, not on
  // the stream; with no listener that was an uncaught exception and a member that stopped reading.
  // The failure is timing-dependent, so the test raises the client's own event the way it does.
  test("a failed rejoin the Kafka client reports outside the stream: the member joins again and delivers everything", async () => {
    const { topic, prefix } = await freshTopic('rejoin', 2);
    const m = member(os, topic, `kafkatest-${RUN}-rejoin`, `${prefix}-%Y.%m.%d`);
    await m.consumer.start();
    await waitFor('the member assigned', 60_000, async () => (m.consumer.assignedPartitions.length === 2 ? true : undefined));
    const client = (m.consumer as unknown as { consumer: import('node:events').EventEmitter }).consumer;
    const failure = new AggregateError([new Error('The coordinator is loading and hence can\'t process requests.')], 'rejoinGroup failed 4 times.');
    assert.doesNotThrow(() => client.emit('error', failure));

    const dataDir = tempDir('sluice-ship-');
    temps.push(dataDir.cleanup);
    const io = captureIO();
    const code = await runShip(
      { pipeline: pipeline(`${prefix}-%Y.%m.%d`), tail: { paths: [APACHE], dataDir: dataDir.dir, pollIntervalMs: 100, rotateWaitMs: 200 }, kafka: { brokers: [kafkaUrl()!], topic }, untilIdle: true },
      io.io,
    );
    assert.equal(code, 0, io.err());
    await waitFor('10,000 documents in OpenSearch', 120_000, async () => ((await count(os, prefix)) >= 10_000 ? true : undefined));
    const r = await m.consumer.stop();
    await m.sink.close();
    assert.equal(r.error, undefined, String(r.error));
    assert.ok(r.reconnects >= 1, `reconnects: ${r.reconnects}`);
    assert.ok(m.events.some((e) => e.includes('"type":"reconnected"')), m.events.join(' '));
    await assertExactlyOnce(os, prefix, APACHE);
  });

  test('a broker restart while shipping and another while consuming: still exactly 10,000 documents', async () => {
    const { topic, prefix } = await freshTopic('restart', 4);
    const group = `kafkatest-${RUN}-restart`;
    // Slow members (a 100 ms engine, small batches, one at a time) so consuming lasts past the shipping.
    const slow = { delayMs: 100, batchRecords: 100, maxInFlight: 1 };
    const a = member(os, topic, group, `${prefix}-%Y.%m.%d`, slow);
    const b = member(os, topic, group, `${prefix}-%Y.%m.%d`, slow);
    await a.consumer.start();
    await b.consumer.start();
    await waitFor('both members assigned', 60_000, async () => (a.consumer.assignedPartitions.length === 2 && b.consumer.assignedPartitions.length === 2 ? true : undefined));

    // The log grows 1,000 lines at a time while ship follows it.
    const dataDir = tempDir('sluice-ship-');
    temps.push(dataDir.cleanup);
    const file = join(dataDir.dir, 'access.log');
    const text = readFileSync(APACHE);
    const offsets = lineOffsets(text);
    writeFileSync(file, '');
    const io = captureIO();
    const stop = { stopped: false };
    const shipped = runShip(
      { pipeline: pipeline(`${prefix}-%Y.%m.%d`), tail: { paths: [file], dataDir: dataDir.dir, pollIntervalMs: 100, rotateWaitMs: 200, batchLines: 200, flushIntervalMs: 100 }, kafka: { brokers: [kafkaUrl()!], topic }, stopSignal: stop },
      io.io,
    );
    let restartWhileShipping: Promise<void> | undefined;
    for (let chunk = 0; chunk < 10; chunk++) {
      const from = offsets[chunk * 1000]!;
      const to = chunk === 9 ? text.length : offsets[(chunk + 1) * 1000]!;
      appendFileSync(file, text.subarray(from, to));
      if (chunk === 2) restartWhileShipping = restartKafka(true); // SIGKILL mid-stream
      await new Promise((r) => setTimeout(r, 400));
    }
    await restartWhileShipping;
    // Ship until Kafka acknowledged every line (its checkpoint reached the end of the file).
    await waitFor('ship to acknowledge the whole file', 120_000, async () => {
      if (io.err().includes('sluice:')) throw new Error(io.err());
      return shippedBytes(dataDir.dir) >= text.length ? true : undefined;
    });
    // The members are still delivering (100 ms per 100 records): restart the broker under them.
    const before2 = await count(os, prefix);
    assert.ok(before2 < 10_000, `consumers still busy when the broker restarts (${before2} documents so far)`);
    await restartKafka(false);
    stop.stopped = true;
    assert.equal(await shipped, 0, io.err());

    await waitFor('10,000 documents in OpenSearch', 240_000, async () => ((await count(os, prefix)) >= 10_000 ? true : undefined));
    await waitLagZero([a, b], 4);
    const [ra, rb] = await Promise.all([a.consumer.stop(), b.consumer.stop()]);
    await a.sink.close();
    await b.sink.close();
    assert.equal(ra.error, undefined, String(ra.error));
    assert.equal(rb.error, undefined, String(rb.error));
    // The members lived through the outage (a lost stream, or commits refused while the broker was down).
    assert.ok([...a.events, ...b.events].some((e) => /"type":"(reconnecting|commit-failed)"/.test(e)), `the members noticed the restarts: ${a.events.join(' ')}`);
    await assertExactlyOnce(os, prefix, file);
    assert.equal(await count(os, prefix), 10_000);
  });
});

/** Bytes of the followed files the tail has checkpointed (acknowledged by Kafka). */
function shippedBytes(dataDir: string): number {
  let db: Database.Database | undefined;
  try {
    db = new Database(join(dataDir, 'tail-state.sqlite'), { readonly: true, fileMustExist: true });
    return (db.prepare('SELECT COALESCE(SUM(offset), 0) AS n FROM tail_files').get() as { n: number }).n;
  } catch {
    return 0; // not written yet
  } finally {
    db?.close();
  }
}

/** Reads `n` records of `topic` from the beginning with a throwaway group. */
async function readAll(topic: string, n: number): Promise<{ value: Buffer; headers: Map<string, string> }[]> {
  const c = new Consumer({ clientId: 'kafka-test-reader', groupId: `kafka-test-reader-${RUN}-${topic}`, bootstrapBrokers: [kafkaUrl()!], autocommit: false, maxWaitTime: 500 });
  const out: { value: Buffer; headers: Map<string, string> }[] = [];
  try {
    const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    stream.on('data', (m) => {
      const headers = new Map<string, string>();
      for (const [k, v] of m.headers) headers.set(k.toString(), v.toString());
      out.push({ value: m.value, headers });
    });
    await waitFor(`${n} records in ${topic}`, 30_000, async () => (out.length >= n ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // nothing more should come
    await stream.close();
    return out;
  } finally {
    await new Promise<void>((r) => c.close(true, () => r()));
  }
}
