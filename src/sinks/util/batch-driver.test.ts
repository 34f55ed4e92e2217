import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BatchDriver } from './batch-driver.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { AckTracker } from './ack-tracker.js';
import { fullJitterDelay } from './backoff.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { RequestFailure, type ItemOutcome, type SinkItem } from './sink-item.js';
import { tempDir } from '../../../test/support/temp.js';

type Item = SinkItem<number>;
const item = (n: number, size = 10): Item => ({ id: `doc-${n}`, target: 'idx', body: Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(size) })), position: n });
const FAST = { retry: { initialMs: 1, maxMs: 2 }, breaker: { failureThreshold: 2, resetMs: 5 }, flushIntervalMs: 5 };

test('every item is acknowledged once: created, already there (409), and retried items', async () => {
  const seen = new Map<string, number>();
  const driver = new BatchDriver<Item>({
    ...FAST,
    flushItems: 4,
    sender: {
      async send(batch) {
        return batch.map((it): ItemOutcome => {
          const n = (seen.get(it.id) ?? 0) + 1;
          seen.set(it.id, n);
          if (it.position % 5 === 0) return { kind: 'exists' };
          if (it.position % 3 === 0 && n < 3) return { kind: 'retry', status: 429, reason: 'es_rejected_execution_exception' };
          return { kind: 'created' };
        });
      },
    },
    onAck: (items, outcome) => items.forEach((i) => acked.push([i.position, outcome])),
  });
  const acked: [number, string][] = [];
  for (let i = 1; i <= 20; i++) await driver.push(item(i));
  await driver.close();
  acked.sort((a, b) => a[0] - b[0]);
  assert.deepEqual(acked.map((a) => a[0]), Array.from({ length: 20 }, (_, i) => i + 1));
  assert.equal(acked.filter((a) => a[1] === 'exists').length, 4);
  assert.equal(driver.stats.created, 16);
  assert.ok(driver.stats.retried >= 2 * 5, 'items refused with 429 are resent, twice each');
  assert.equal(seen.get('doc-3'), 3);
});

test('permanent refusals go to the dead-letter file with the document, the reason and the position', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const dlq = new DeadLetterQueue(dir, 'elasticsearch');
    const driver = new BatchDriver<Item>({
      ...FAST,
      deadLetters: dlq,
      sender: { send: async (batch) => batch.map((it): ItemOutcome => (it.position === 2 ? { kind: 'dead', status: 400, type: 'mapper_parsing_exception', reason: 'failed to parse field [source.port]' } : { kind: 'created' })) },
    });
    for (let i = 1; i <= 3; i++) await driver.push(item(i));
    await driver.close();
    assert.equal(driver.stats.dead, 1);
    const lines = readFileSync(dlq.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].id, 'doc-2');
    assert.equal(lines[0].type, 'mapper_parsing_exception');
    assert.equal(lines[0].position, 2);
    assert.deepEqual(lines[0].document, { n: 2, pad: 'x'.repeat(10) });
    assert.deepEqual((await dlq.list()).map((d) => d.id), ['doc-2']);
  } finally {
    cleanup();
  }
});

test('whole-request failures are retried behind the circuit breaker until the engine is back', async () => {
  let calls = 0;
  const driver = new BatchDriver<Item>({
    ...FAST,
    sender: {
      async send(batch) {
        calls++;
        if (calls <= 4) throw new RequestFailure('connect ECONNREFUSED 127.0.0.1:9200', true);
        return batch.map((): ItemOutcome => ({ kind: 'created' }));
      },
    },
  });
  for (let i = 1; i <= 5; i++) await driver.push(item(i));
  await driver.close();
  assert.equal(driver.stats.created, 5);
  assert.equal(driver.stats.requestFailures, 4);
  assert.ok(driver.breaker.opened >= 1, 'the breaker opened');
  assert.equal(driver.breaker.state, 'closed');
});

test('a 413 splits the batch until the halves fit; a single oversized document is dead-lettered', async () => {
  const sizes: number[] = [];
  const driver = new BatchDriver<Item>({
    ...FAST,
    flushItems: 8,
    sender: {
      async send(batch) {
        sizes.push(batch.length);
        if (batch.some((b) => b.position === 99) || batch.length > 2) throw new RequestFailure('413 Request Entity Too Large', false, 413);
        return batch.map((): ItemOutcome => ({ kind: 'created' }));
      },
    },
  });
  for (let i = 1; i <= 7; i++) await driver.push(item(i));
  await driver.push(item(99));
  await driver.close();
  assert.equal(driver.stats.created, 7);
  assert.equal(driver.stats.dead, 1);
  assert.ok(driver.stats.splits >= 3);
  assert.ok(sizes.every((s, i) => i === 0 || s <= 4));
});

test('a failure that needs an operator stops the driver and surfaces', async () => {
  const driver = new BatchDriver<Item>({ ...FAST, sender: { send: async () => { throw new RequestFailure('401 Unauthorized: check the API key', false, 401); } } });
  await driver.push(item(1));
  await assert.rejects(driver.close(), /401 Unauthorized/);
  await assert.rejects(driver.push(item(2)), /401 Unauthorized/);
});

test('push waits while too much is pending (backpressure) and resumes when the engine answers', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const driver = new BatchDriver<Item>({
    ...FAST,
    flushItems: 1,
    concurrency: 1,
    maxPendingBytes: 100,
    sender: { send: async (batch) => { await gate; return batch.map((): ItemOutcome => ({ kind: 'created' })); } },
  });
  let pushed = 0;
  const producer = (async () => {
    for (let i = 1; i <= 10; i++) {
      await driver.push(item(i, 40));
      pushed++;
    }
  })();
  await new Promise((r) => setTimeout(r, 30));
  assert.ok(pushed < 10, `the producer was held back (pushed ${pushed})`);
  release();
  await producer;
  await driver.close();
  assert.equal(driver.stats.created, 10);
});

test('a partial batch is sent when the flush interval passes', async () => {
  const sent: number[] = [];
  const driver = new BatchDriver<Item>({ ...FAST, flushIntervalMs: 10, sender: { send: async (b) => { sent.push(b.length); return b.map((): ItemOutcome => ({ kind: 'created' })); } } });
  await driver.push(item(1));
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(sent, [1]);
  await driver.close();
});

test('the acknowledgement watermark only moves over a finished prefix', () => {
  const t = new AckTracker();
  const seqs = [t.issue(), t.issue(), t.issue(), t.issue()];
  assert.equal(t.ack(seqs[2]), false);
  assert.equal(t.watermark, 0);
  assert.equal(t.ack(seqs[0]), true);
  assert.equal(t.watermark, 1);
  t.ack(seqs[1]);
  assert.equal(t.watermark, 3);
  t.ack(seqs[3]);
  assert.equal(t.watermark, 4);
  assert.equal(t.pending, 0);
});

test('full-jitter backoff stays below the growing, capped ceiling', () => {
  assert.equal(fullJitterDelay(0, { initialMs: 100 }, () => 0.999), 99);
  assert.equal(fullJitterDelay(3, { initialMs: 100 }, () => 0.5), 400);
  assert.equal(fullJitterDelay(40, { initialMs: 100, maxMs: 30_000 }, () => 0.999), 29_970);
  assert.equal(fullJitterDelay(5, {}, () => 0), 0);
});

test('the breaker opens after repeated failures and lets one probe through after the reset time', async () => {
  let now = 0;
  const b = new CircuitBreaker({ failureThreshold: 2, resetMs: 100 }, () => now);
  b.failure();
  assert.equal(b.state, 'closed');
  b.failure();
  assert.equal(b.state, 'open');
  now = 150;
  await b.allow();
  assert.equal(b.state, 'half-open');
  b.failure();
  assert.equal(b.state, 'open');
  now = 300;
  await b.allow();
  b.success();
  assert.equal(b.state, 'closed');
});
