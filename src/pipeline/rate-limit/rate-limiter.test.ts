import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSluiceError } from '../../errors.js';
import { Metrics } from '../../telemetry/metrics.js';
import { LocalBucketStore } from './local-bucket-store.js';
import { RateLimitAborted, RateLimiter } from './rate-limiter.js';

/** A clock that only moves when the limiter sleeps. */
function fakeClock() {
  const c = {
    now: 0,
    sleeps: [] as number[],
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new RateLimitAborted();
      c.sleeps.push(ms);
      c.now += ms;
    },
  };
  return c;
}

const items = (n: number, key: string) => Array.from({ length: n }, (_, i) => ({ key, i }));

test('drop: per-key buckets keep the burst of each key and drop the rest in order; drops counted as rate_limited', async () => {
  const clock = fakeClock();
  const metrics = new Metrics({ defaultMetrics: false });
  const source = metrics.component({ kind: 'source', type: 'tail', id: 'tail' });
  const rl = new RateLimiter({ eventsPerSec: 10, burst: 3, mode: 'drop' }, { now: () => clock.now, sleep: clock.sleep, metrics: source });
  const batch = [...items(5, 'a'), ...items(2, 'b'), ...items(5, 'a')];
  const r = await rl.limit(batch, (x) => x.key);
  assert.deepEqual(
    r.kept.map((x) => `${x.key}${x.i}`),
    ['a0', 'a1', 'a2', 'b0', 'b1'],
  );
  assert.equal(r.dropped, 7);
  clock.now += 500; // 5 tokens more per key, capped at the burst of 3
  const r2 = await rl.limit(items(10, 'a'), (x) => x.key);
  assert.equal(r2.kept.length, 3);
  assert.deepEqual(rl.stats, { calls: 2, admitted: 8, dropped: 14, delayed: 0, waitedMs: 0 });
  assert.match(await metrics.expose(), /sluice_component_dropped_events_total\{component_kind="source",component_type="tail",component_id="tail",reason="rate_limited"\} 14/);
  assert.equal(clock.sleeps.length, 0, 'drop mode never waits');
});

test('drop with scope global: one bucket for every key', async () => {
  const clock = fakeClock();
  const rl = new RateLimiter({ eventsPerSec: 10, burst: 4, mode: 'drop', scope: 'global' }, { now: () => clock.now });
  const r = await rl.limit([...items(3, 'a'), ...items(3, 'b')], (x) => x.key);
  assert.deepEqual(r.kept.map((x) => `${x.key}${x.i}`), ['a0', 'a1', 'a2', 'b0']);
});

test('delay: nothing is dropped; the batches wait so that the rate holds, and the waits add up to (events - burst) / rate', async () => {
  const clock = fakeClock();
  const rl = new RateLimiter({ eventsPerSec: 100, burst: 50, mode: 'delay' }, { now: () => clock.now, sleep: clock.sleep });
  let delivered = 0;
  for (let b = 0; b < 20; b++) {
    const r = await rl.limit(items(25, 'f'), (x) => x.key);
    assert.equal(r.kept.length, 25);
    delivered += r.kept.length;
    assert.ok(delivered <= 50 + (100 * clock.now) / 1000 + 1e-9, `${delivered} delivered by ${clock.now} ms`);
  }
  assert.equal(delivered, 500);
  assert.equal(clock.now, 4500, '(500 - 50) / 100 per second = 4.5 s of waiting');
  assert.equal(rl.stats.waitedMs, 4500);
  assert.equal(rl.stats.dropped, 0);
});

test('delay: an abort during the wait rejects with RateLimitAborted (the batch is not delivered)', async () => {
  const rl = new RateLimiter({ eventsPerSec: 1, burst: 1, mode: 'delay' });
  await rl.limit(items(1, 'k'), (x) => x.key);
  const stop = new AbortController();
  const p = rl.limit(items(5, 'k'), (x) => x.key, stop.signal);
  stop.abort();
  await assert.rejects(p, RateLimitAborted);
});

test('local buckets are capped (LRU) so thousands of files cannot grow the map', async () => {
  const store = new LocalBucketStore(10, 10, () => 0, 100);
  const rl = new RateLimiter({ eventsPerSec: 10, burst: 10, mode: 'drop' }, { store });
  for (let f = 0; f < 1000; f++) await rl.limit(items(1, `file-${f}`), (x) => x.key);
  assert.equal(store.size, 100);
});

test('settings are checked with the key named', () => {
  assert.throws(() => new RateLimiter({ eventsPerSec: 0, mode: 'drop' }), (e) => isSluiceError(e, 'SLUICE_CONFIG_INVALID') && /rate_limit\.events_per_sec/.test(e.message));
  assert.throws(() => new RateLimiter({ eventsPerSec: 5, burst: 0, mode: 'drop' }), (e) => isSluiceError(e, 'SLUICE_CONFIG_INVALID') && /rate_limit\.burst_count/.test(e.message));
  assert.throws(() => new RateLimiter({ eventsPerSec: 5, mode: 'queue' as never }), (e) => isSluiceError(e, 'SLUICE_CONFIG_INVALID') && /rate_limit\.mode/.test(e.message));
  assert.equal(new RateLimiter({ eventsPerSec: 2.5, mode: 'delay' }).options.burst, 3, 'default burst: one second of events, rounded up');
});
