import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { isSluiceError } from '../../errors.js';
import { KafkaLogSink } from './kafka-log-sink.js';
import { checkBrokers, checkCompression, checkName } from './kafka-options.js';

test('broker lists, names and compression are checked with messages that say what to give', () => {
  assert.deepEqual(checkBrokers(['127.0.0.1:9092,kafka-2:9093', ' [::1]:9094 ']), ['127.0.0.1:9092', 'kafka-2:9093', '[::1]:9094']);
  assert.throws(() => checkBrokers([]), (e) => isSluiceError(e, 'SLUICE_KAFKA_OPTIONS') && /--kafka-brokers/.test(e.message));
  assert.throws(() => checkBrokers(['http://kafka:9092']), (e) => isSluiceError(e, 'SLUICE_KAFKA_OPTIONS') && /not host:port/.test(e.message));
  assert.throws(() => checkName('topic', 'bad topic'), (e) => isSluiceError(e, 'SLUICE_KAFKA_OPTIONS'));
  assert.equal(checkName('topic', 'sluice-access.v1_x'), 'sluice-access.v1_x');
  assert.throws(() => checkCompression('brotli', true), (e) => isSluiceError(e, 'SLUICE_KAFKA_OPTIONS'));
  assert.throws(() => checkCompression('zstd', false), (e) => isSluiceError(e, 'SLUICE_KAFKA_OPTIONS') && /lz4/.test(e.message));
  assert.equal(checkCompression('zstd', true), 'zstd');
});

test('a broker list where nothing listens fails at open with SLUICE_KAFKA_UNREACHABLE', async () => {
  // A port that was free a moment ago: connection refused.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await assert.rejects(KafkaLogSink.open({ brokers: [`127.0.0.1:${port}`], topic: 'x' }), (e) => isSluiceError(e, 'SLUICE_KAFKA_UNREACHABLE') && e.message.includes(`127.0.0.1:${port}`));
});
