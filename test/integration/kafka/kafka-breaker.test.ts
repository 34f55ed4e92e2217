/**
 * The circuit breaker in front of the Kafka producer (`sluice ship`), against the real KRaft broker
 * of scripts/stack/kafka.mjs: the real 10,000-line Apache log is shipped (slowed by a `delay` rate
 * limit so the run spans the outage) while the broker restarts. The breaker must open (gauge 2:
 * writes wait instead of hammering the broker), close again once the broker is back (gauge 0), the
 * run must end without error, and the topic must hold every line's document id (none lost; a record
 * whose acknowledgement was lost may be there twice, which the engine's deterministic ids absorb).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Admin, Consumer } from '@platformatic/kafka';
import { AccessLogPipeline } from '../../../src/pipeline/logs/access-log-pipeline.js';
import { tailToSink } from '../../../src/pipeline/logs/tail-to-sink.js';
import { RateLimiter } from '../../../src/pipeline/rate-limit/rate-limiter.js';
import { KafkaLogSink, type KafkaSinkEvent } from '../../../src/sinks/kafka/kafka-log-sink.js';
import { Metrics } from '../../../src/telemetry/metrics.js';
import { kafkaUrl, restartKafka, skipWithoutKafka } from '../../support/kafka.js';
import { tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const TOPIC = `sluice-breaker-${RUN}`;
const skip = skipWithoutKafka();
const temps: (() => void)[] = [];

after(async () => {
  temps.forEach((c) => c());
  if (skip) return;
  const admin = new Admin({ clientId: 'kafka-breaker-cleanup', bootstrapBrokers: [kafkaUrl()!] });
  await admin.deleteTopics({ topics: [TOPIC] }).catch(() => {});
  await admin.close().catch(() => {});
});

async function breakerGauge(metrics: Metrics): Promise<number | undefined> {
  const m = /^sluice_circuit_breaker_state\{component="kafka_producer"\} (\d)$/m.exec(await metrics.expose());
  return m === null ? undefined : Number(m[1]);
}

/** Distinct record keys of `topic`, read from the beginning until `n` are seen (or 60 s). */
async function distinctKeys(topic: string, n: number): Promise<Set<string>> {
  const c = new Consumer({ clientId: 'kafka-breaker-reader', groupId: `kafka-breaker-reader-${RUN}`, bootstrapBrokers: [kafkaUrl()!], autocommit: false, maxWaitTime: 500 });
  const keys = new Set<string>();
  try {
    const stream = await c.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    stream.on('data', (m) => keys.add(m.key.toString()));
    const deadline = Date.now() + 60_000;
    while (keys.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));
    await stream.close();
    return keys;
  } finally {
    await new Promise<void>((r) => c.close(true, () => r()));
  }
}

describe('circuit breaker around the Kafka producer', { skip }, () => {
  test('broker restart while shipping: the breaker opens, writes wait, it closes again, no line is lost', { timeout: 240_000 }, async () => {
    const t = tempDir('sluice-kafka-breaker-');
    temps.push(t.cleanup);
    const log = join(t.dir, 'access.log');
    copyFileSync(APACHE, log);
    const metrics = new Metrics({ defaultMetrics: false });
    const events: KafkaSinkEvent[] = [];
    const sink = await KafkaLogSink.open({
      brokers: [kafkaUrl()!],
      topic: TOPIC,
      createPartitions: 2,
      // The client waits for a broker that is away rather than failing: a request unanswered for 1 s counts as a failure.
      breaker: { failureThreshold: 2, resetMs: 1000 },
      requestRetries: 0,
      slowRequestMs: 1000,
      metrics,
      onEvent: (e) => events.push(e),
    });
    assert.equal(await breakerGauge(metrics), 0);
    const pipeline = new AccessLogPipeline({ parser: { format: 'apache_combined' } });
    let maxGauge = 0;
    const sampler = setInterval(() => void breakerGauge(metrics).then((g) => (maxGauge = Math.max(maxGauge, g ?? 0))), 100);
    let restarted: Promise<void> | undefined;
    const watcher = setInterval(() => {
      if (restarted === undefined && sink.stats.records >= 1000) restarted = restartKafka(true);
    }, 50);
    try {
      const summary = await tailToSink({
        tail: { paths: [log], dataDir: join(t.dir, 'data'), startAt: 'beginning', pollIntervalMs: 100, flushIntervalMs: 100, rotateWaitMs: 200, batchLines: 250 },
        handler: { toDocuments: (lines) => lines.map((l) => pipeline.process(l.data.toString('utf8'), { fileId: l.fileId, offset: l.offset, path: l.path }, 0)) },
        sink,
        untilIdle: true,
        // About 10 s of shipping, so the restart falls in the middle of it.
        rateLimit: new RateLimiter({ eventsPerSec: 1000, burst: 500, mode: 'delay' }),
      });
      clearInterval(watcher);
      await restarted;
      assert.equal(summary.error, undefined, summary.error?.message);
      assert.equal(summary.created, 10_000);
      assert.ok(restarted !== undefined, 'the broker was restarted during the run');
      assert.ok(events.some((e) => e.type === 'breaker-open'), `the breaker never opened: ${JSON.stringify(events.slice(0, 5))}`);
      assert.ok(events.some((e) => e.type === 'breaker-closed'), 'the breaker never closed');
      assert.equal(maxGauge, 2, 'the gauge showed the breaker open');
      assert.equal(sink.breaker.state, 'closed');
      assert.equal(await breakerGauge(metrics), 0);
      assert.ok(sink.breaker.opened >= 1);
    } finally {
      clearInterval(sampler);
      clearInterval(watcher);
      await restarted?.catch(() => {});
      await sink.close();
    }
    const keys = await distinctKeys(TOPIC, 10_000);
    assert.equal(keys.size, 10_000, 'every line is in the topic');
  });
});
