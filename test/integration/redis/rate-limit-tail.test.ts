/**
 * The rate limit between the line handler and the sink of a tail run (`sluice tail --once` style:
 * `tailToSink` with `untilIdle`) on the real 10,000-line Apache log:
 * - `drop` with a clock that does not move: exactly the burst is delivered, the rest is counted as
 *   `rate_limited`, and the batches are acknowledged (a second run reads nothing again);
 * - `drop` on the real clock: never more than burst + rate·t;
 * - `delay` on a fake clock advanced by the limiter's waits: all 10,000 delivered, none twice, the run
 *   lasted at least (lines - burst) / rate of clock time, and no prefix of the deliveries beat the rate;
 * - `delay` with the buckets in Redis (scope global): all delivered, the waits came from Redis.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { AccessLogPipeline } from '../../../src/pipeline/logs/access-log-pipeline.js';
import type { LogDocument } from '../../../src/pipeline/logs/log-document.js';
import type { LogSink } from '../../../src/pipeline/logs/log-sink.js';
import { tailToSink, type LineHandler, type TailToSinkSummary } from '../../../src/pipeline/logs/tail-to-sink.js';
import { openRateLimiter } from '../../../src/pipeline/rate-limit/open-rate-limiter.js';
import { RateLimitAborted, RateLimiter } from '../../../src/pipeline/rate-limit/rate-limiter.js';
import { Metrics } from '../../../src/telemetry/metrics.js';
import { redisUrl, skipWithoutRedis } from '../../support/redis.js';
import { tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const APACHE = join(CORPUS, 'access-logs/elastic-examples-apache_logs.log');
const LINES = 10_000;
const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));

/** A sink that keeps every id (a repeat is a test failure) and calls `onWrite` first. */
function collectingSink(onWrite: (docs: readonly LogDocument[]) => void = () => {}) {
  const ids = new Set<string>();
  let repeats = 0;
  const sink: LogSink = {
    description: 'memory',
    write: async (docs) => {
      onWrite(docs);
      for (const d of docs) {
        if (ids.has(d.id)) repeats++;
        ids.add(d.id);
      }
      return { created: docs.length, existing: 0, dead: 0 };
    },
    close: async () => {},
  };
  return { sink, ids, repeats: () => repeats };
}

function handler(): LineHandler {
  const p = new AccessLogPipeline({ parser: { format: 'apache_combined' } });
  return { checkHead: (h, path) => p.checkHead(h, path), toDocuments: (lines) => lines.map((l) => p.process(l.data.toString('utf8'), { fileId: l.fileId, offset: l.offset, path: l.path }, 0)) };
}

function workspace(): { log: string; dataDir: string } {
  const t = tempDir('sluice-ratelimit-');
  temps.push(t.cleanup);
  const log = join(t.dir, 'access.log');
  copyFileSync(APACHE, log);
  return { log, dataDir: join(t.dir, 'data') };
}

function run(ws: { log: string; dataDir: string }, sink: LogSink, rateLimit?: RateLimiter): Promise<TailToSinkSummary> {
  return tailToSink({
    tail: { paths: [ws.log], dataDir: ws.dataDir, startAt: 'beginning', pollIntervalMs: 100, flushIntervalMs: 100, rotateWaitMs: 200, batchLines: 500 },
    handler: handler(),
    sink,
    untilIdle: true,
    rateLimit,
  });
}

describe('rate limit on a tail run of the 10,000-line Apache log', () => {
  test('drop, clock standing still: exactly the burst is delivered; the rest is counted and acknowledged', async () => {
    const ws = workspace();
    const metrics = new Metrics({ defaultMetrics: false });
    const source = metrics.component({ kind: 'source', type: 'tail', id: 'tail' });
    const limiter = new RateLimiter({ eventsPerSec: 1000, burst: 2500, mode: 'drop' }, { now: () => 0, metrics: source });
    const c = collectingSink();
    const s = await run(ws, c.sink, limiter);
    assert.equal(s.error, undefined);
    assert.equal(s.lines, LINES);
    assert.equal(c.ids.size, 2500, 'exactly the burst');
    assert.equal(c.repeats(), 0);
    assert.equal(s.created, 2500);
    assert.equal(s.rateLimited, LINES - 2500);
    assert.equal(limiter.stats.dropped, LINES - 2500);
    assert.match(await metrics.expose(), new RegExp(`sluice_component_dropped_events_total\\{[^}]*component_id="tail",reason="rate_limited"\\} ${LINES - 2500}\\b`));
    // The first 2,500 lines of the file are the ones delivered (a bucket per file, in order).
    const delivered = [...c.ids].map((id) => Number(id.slice(id.lastIndexOf('-') + 1))).sort((a, b) => a - b);
    assert.equal(delivered[0], 0);
    // Dropped lines were acknowledged as handled: a second run over the same checkpoints reads nothing.
    const again = collectingSink();
    const s2 = await run(ws, again.sink, new RateLimiter({ eventsPerSec: 1000, burst: 2500, mode: 'drop' }, { now: () => 0 }));
    assert.equal(s2.lines, 0);
    assert.equal(again.ids.size, 0);
  });

  test('drop on the real clock: never more than burst + rate·t, and delivered + dropped = every line', async () => {
    const ws = workspace();
    const limiter = new RateLimiter({ eventsPerSec: 2000, burst: 500, mode: 'drop' });
    const c = collectingSink();
    const started = performance.now();
    const s = await run(ws, c.sink, limiter);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(s.error, undefined);
    assert.equal(c.ids.size + s.rateLimited, LINES);
    assert.ok(c.ids.size >= 500, `at least the burst (${c.ids.size})`);
    assert.ok(c.ids.size <= 500 + 2000 * seconds + 1, `${c.ids.size} delivered in ${seconds.toFixed(2)} s exceeds burst + rate·t`);
  });

  test('delay on a fake clock: all 10,000 delivered once, the clock ran at least (lines - burst) / rate, no prefix beat the rate', async () => {
    const ws = workspace();
    const clock = { now: 0 };
    // The fake sleep moves the clock forward by the wait (concurrent waits overlap, as real ones do).
    const sleep = async (ms: number, signal?: AbortSignal) => {
      const until = clock.now + ms;
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw new RateLimitAborted();
      clock.now = Math.max(clock.now, until);
    };
    const limiter = new RateLimiter({ eventsPerSec: 2000, burst: 500, mode: 'delay' }, { now: () => clock.now, sleep });
    let delivered = 0;
    let worst = -Infinity;
    const c = collectingSink((docs) => {
      delivered += docs.length;
      worst = Math.max(worst, delivered - (500 + (2000 * clock.now) / 1000));
    });
    const s = await run(ws, c.sink, limiter);
    assert.equal(s.error, undefined);
    assert.equal(c.ids.size, LINES);
    assert.equal(c.repeats(), 0);
    assert.equal(s.rateLimited, 0);
    assert.ok(clock.now >= ((LINES - 500) / 2000) * 1000, `the clock ran ${clock.now} ms, less than (10000 - 500) / 2000 s`);
    assert.ok(worst <= 1e-6, `a prefix of the deliveries beat burst + rate·t by ${worst}`);
    assert.ok(limiter.stats.delayed > 0);
  });

  test('delay with the bucket in Redis (scope global): everything delivered, the waits came from Redis', { skip: skipWithoutRedis() }, async () => {
    const ws = workspace();
    const prefix = `sluice-test-tail-${process.pid}:`;
    const warnings: string[] = [];
    const { limiter, redis } = await openRateLimiter({ eventsPerSec: 20_000, burst: 1000, mode: 'delay', scope: 'global' }, { redis: { url: redisUrl()!, keyPrefix: prefix }, warn: (m) => warnings.push(m) });
    try {
      const c = collectingSink();
      const s = await run(ws, c.sink, limiter);
      assert.equal(s.error, undefined);
      assert.equal(c.ids.size, LINES);
      assert.deepEqual(warnings, []);
      assert.ok(redis!.counts.redis > 0 && redis!.counts.local === 0, JSON.stringify(redis!.counts));
      assert.ok(limiter.stats.waitedMs >= ((LINES - 1000) / 20_000) * 1000 - 1, `waits ${limiter.stats.waitedMs} ms`);
    } finally {
      await limiter.close();
      const r = new Redis(redisUrl()!);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
      r.disconnect();
    }
  });
});
