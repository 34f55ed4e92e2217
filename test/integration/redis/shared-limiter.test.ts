/**
 * The token bucket in Redis (Lua via EVALSHA) shared by several processes, against Debian's
 * redis-server (scripts/stack/redis.mjs):
 * - two processes hammering one bucket together never get more than burst + rate·t, while each
 *   alone could have had that much (so they did share it);
 * - Redis unreachable at start: a warning that names the address (never the password), the local
 *   buckets limit instead, and /readyz answers 503 naming redis;
 * - Redis gone mid-run (a private server killed): fallback with one warning; back: shared again,
 *   /readyz 200 again.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { redisReadiness, runReadiness } from '../../../src/api/readiness.js';
import { startDaemonOps } from '../../../src/api/daemon-ops.js';
import { openRateLimiter } from '../../../src/pipeline/rate-limit/open-rate-limiter.js';
import { RedisBucketStore } from '../../../src/pipeline/rate-limit/redis-bucket-store.js';
import { freePort, PrivateRedis, redisUrl, skipWithoutRedis } from '../../support/redis.js';

const skip = skipWithoutRedis();
const PREFIX = `sluice-test-shared-${process.pid}:`;

after(async () => {
  const url = redisUrl();
  if (url === undefined) return;
  const r = new Redis(url);
  const keys = await r.keys(`${PREFIX}*`);
  if (keys.length > 0) await r.del(...keys);
  r.disconnect();
});

function child(env: Record<string, string>): Promise<{ granted: number; calls: number; lastCallEnd: number; counts: { redis: number; local: number } }> {
  const script = fileURLToPath(new URL('./shared-bucket-child.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

describe('rate limit shared through Redis', { skip }, () => {
  test('two processes on one bucket together never exceed burst + rate·t', async () => {
    const rate = 200;
    const burst = 50;
    const startAt = Date.now() + 1500; // both are connected by then
    const endAt = startAt + 2000;
    const env = { REDIS_URL: redisUrl()!, PREFIX: `${PREFIX}two:`, RATE: String(rate), BURST: String(burst), START_AT: String(startAt), END_AT: String(endAt) };
    const [a, b] = await Promise.all([child(env), child(env)]);
    assert.equal(a.counts.local + b.counts.local, 0, 'every answer came from Redis');
    assert.ok(a.granted > 0 && b.granted > 0, `both got tokens (${a.granted}, ${b.granted})`);
    const seconds = (Math.max(a.lastCallEnd, b.lastCallEnd) - startAt) / 1000;
    const bound = burst + rate * seconds;
    const total = a.granted + b.granted;
    assert.ok(total <= bound + 1, `together ${total} tokens in ${seconds.toFixed(2)} s: more than ${bound.toFixed(0)}`);
    // Each process alone would have had about burst + rate·2 s = 450: together they got about that, not twice it.
    assert.ok(total >= burst + rate * 2 * 0.5, `together only ${total}: the bucket did not refill?`);
    assert.ok(Math.max(a.granted, b.granted) < burst + rate * 2 * 0.95, `one process had nearly the whole rate (${a.granted}, ${b.granted}): was the other limited at all?`);
  });

  test('Redis unreachable at start: warning without the password, local buckets limit, /readyz 503 names redis', async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const { limiter, redis } = await openRateLimiter(
      { eventsPerSec: 10, burst: 5, mode: 'drop' },
      { redis: { url: `redis://:s3cret-word@127.0.0.1:${port}`, keyPrefix: PREFIX, connectTimeoutMs: 500 }, warn: (m) => warnings.push(m) },
    );
    const ops = await startDaemonOps({ command: 'test', api: { enabled: true, address: '127.0.0.1:0' }, log: { level: 'silent', healthIntervalSecs: 0 } });
    try {
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, new RegExp(`Redis at 127\\.0\\.0\\.1:${port} is unreachable .*own buckets`));
      assert.doesNotMatch(warnings[0]!, /s3cret/);
      assert.equal(redis!.kind, 'local');
      const r = await limiter.limit(Array.from({ length: 20 }, (_, i) => i), () => 'k');
      assert.equal(r.kept.length, 5, 'the local bucket still limits');
      assert.equal(r.dropped, 15);
      assert.ok(redis!.counts.local > 0 && redis!.counts.redis === 0);
      const readiness = await runReadiness([redisReadiness(redis!)]);
      assert.equal(readiness.ready, false);
      assert.match(readiness.checks[0]!.reason!, new RegExp(`Redis at 127\\.0\\.0\\.1:${port} does not answer`));
      ops.addReadiness(redisReadiness(redis!));
      const res = await fetch(new URL('/readyz', ops.server!.url));
      const body = await res.text();
      assert.equal(res.status, 503, body);
      assert.match(body, /redis/);
      assert.doesNotMatch(body, /s3cret/);
      assert.equal(warnings.length, 1, 'one warning per outage, not one per batch');
    } finally {
      await ops.close();
      await limiter.close();
    }
  });

  test('Redis gone mid-run: one warning and local buckets; back: shared buckets and ready again', { skip: PrivateRedis.available() ? false : 'redis-server is not on PATH' }, async () => {
    const server = new PrivateRedis(await freePort());
    await server.start();
    const warnings: string[] = [];
    const store = await RedisBucketStore.open({ url: server.url, keyPrefix: PREFIX, ratePerSec: 1000, burst: 1000, warn: (m) => warnings.push(m) });
    try {
      assert.equal((await store.take('k', 10, 'drop')).granted, 10);
      assert.equal(store.counts.redis, 1);
      await runReadinessOk(store, true);
      await server.stop();
      // The client notices the closed socket on its own; until then a call may still try Redis and fall back.
      for (let i = 0; i < 50 && store.kind === 'redis'; i++) await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 5; i++) assert.equal((await store.take('k', 10, 'drop')).granted, 10);
      assert.ok(store.counts.local >= 5, JSON.stringify(store.counts));
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /unreachable/);
      await runReadinessOk(store, false);
      await server.start();
      for (let i = 0; i < 100 && store.kind !== 'redis'; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(store.kind, 'redis', 'reconnected');
      const before = store.counts.redis;
      await store.take('k', 10, 'drop');
      assert.equal(store.counts.redis, before + 1);
      assert.equal(warnings.length, 2);
      assert.match(warnings[1]!, /reachable again/);
      await runReadinessOk(store, true);
    } finally {
      await store.close();
      await server.stop();
    }
  });
});

async function runReadinessOk(store: RedisBucketStore, ok: boolean): Promise<void> {
  const r = await runReadiness([redisReadiness(store)]);
  assert.equal(r.ready, ok, JSON.stringify(r.checks));
}
