import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { kafkaReadiness } from './kafka-readiness.js';

test('kafka readiness fails with a message naming the brokers when none answers', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const check = kafkaReadiness([`127.0.0.1:${port}`]);
  assert.equal(check.name, 'kafka');
  await assert.rejects(check.check(), new RegExp(`no Kafka broker of 127\\.0\\.0\\.1:${port} answered a metadata request`));
});
