import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSluiceError } from '../errors.js';
import { BatchDriver } from '../sinks/util/batch-driver.js';
import { RequestFailure, type ItemOutcome, type SinkItem } from '../sinks/util/sink-item.js';
import { Metrics } from './metrics.js';
import { find, parseExposition, value } from './test-support.js';

async function scrape(m: Metrics) {
  return parseExposition(await m.expose());
}

describe('Metrics', () => {
  test('component counters carry kind/type/id, start at 0, and count what they are told', async () => {
    const m = new Metrics({ defaultMetrics: false, version: '9.9.9' });
    const src = m.component({ kind: 'source', type: 'watch', id: 'inbox' });
    assert.equal(m.component({ kind: 'source', type: 'watch', id: 'inbox' }), src, 'one object per component');
    let e = await scrape(m);
    const labels = { component_kind: 'source', component_type: 'watch', component_id: 'inbox' };
    assert.equal(value(e, 'sluice_component_received_events_total', labels), 0);
    assert.equal(value(e, 'sluice_component_dropped_events_total', { ...labels, reason: 'rejected' }), 0);
    assert.equal(find(e, 'sluice_component_errors_total').length, 0);
    assert.equal(value(e, 'sluice_build_info', { version: '9.9.9' }), 1);
    src.received(10, 1000);
    src.received(5, 500);
    src.sent(12, 800);
    src.dropped('buffer_full', 3);
    src.error('SLUICE_CAPTURE_PROBLEM');
    src.error('SLUICE_CAPTURE_PROBLEM', 2);
    e = await scrape(m);
    assert.equal(value(e, 'sluice_component_received_events_total', labels), 15);
    assert.equal(value(e, 'sluice_component_received_bytes_total', labels), 1500);
    assert.equal(value(e, 'sluice_component_sent_events_total', labels), 12);
    assert.equal(value(e, 'sluice_component_sent_bytes_total', labels), 800);
    assert.equal(value(e, 'sluice_component_dropped_events_total', { ...labels, reason: 'buffer_full' }), 3);
    assert.equal(value(e, 'sluice_component_errors_total', { ...labels, error_code: 'SLUICE_CAPTURE_PROBLEM' }), 3);
    assert.equal(e.types.get('sluice_component_received_events_total'), 'counter');
  });

  test('label values stay bounded: paths, addresses, unknown reasons and codes are refused', () => {
    const m = new Metrics({ defaultMetrics: false });
    for (const id of ['/var/log/a.pcap', '10.0.0.1', 'Upper', '', 'x'.repeat(65), 'a b']) {
      assert.throws(() => m.component({ kind: 'source', type: 'watch', id }), (err) => isSluiceError(err, 'SLUICE_CONFIG_INVALID'), id);
    }
    assert.throws(() => m.component({ kind: 'weird' as never, type: 'watch', id: 'a' }), TypeError);
    const c = m.component({ kind: 'sink', type: 'local', id: 'store' });
    assert.throws(() => c.dropped('because' as never, 1), TypeError);
    assert.throws(() => c.error('ENOENT' as never), TypeError);
    assert.throws(() => m.fileFinished('gone' as never), TypeError);
    assert.throws(() => m.captureDrops('eth0; rm -rf', 'kernel', 1), (err) => isSluiceError(err, 'SLUICE_CONFIG_INVALID'));
    assert.throws(() => m.captureDrops('eth0', 'nic' as never, 1), TypeError);
  });

  test('capture drop totals become a monotonic counter, also across a capture restart', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.captureDrops('eth0', 'kernel', 0);
    let e = await scrape(m);
    assert.equal(value(e, 'sluice_capture_dropped_packets_total', { interface: 'eth0', where: 'kernel' }), 0);
    m.captureDrops('eth0', 'kernel', 5);
    m.captureDrops('eth0', 'kernel', 12);
    m.captureDrops('eth0', 'kernel', 3); // restarted: counts from zero again
    m.captureDrops('eth0.100', 'interface', 4);
    e = await scrape(m);
    assert.equal(value(e, 'sluice_capture_dropped_packets_total', { interface: 'eth0', where: 'kernel' }), 15);
    assert.equal(value(e, 'sluice_capture_dropped_packets_total', { interface: 'eth0.100', where: 'interface' }), 4);
  });

  test('disk free is read on scrape; a missing directory has no series', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-metrics-'));
    try {
      const m = new Metrics({ defaultMetrics: false });
      m.watchDiskFree(dir);
      m.watchDiskFree(join(dir, 'not-there'));
      const e = await scrape(m);
      assert.ok(value(e, 'sluice_disk_free_bytes', { path: dir }) > 0);
      assert.equal(find(e, 'sluice_disk_free_bytes').length, 1);
      assert.deepEqual(Object.keys(await m.diskFree()), [dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('default process metrics are collected with the sluice_ prefix', async () => {
    const e = await scrape(new Metrics());
    for (const name of ['sluice_process_cpu_user_seconds_total', 'sluice_process_resident_memory_bytes', 'sluice_nodejs_heap_size_used_bytes', 'sluice_nodejs_eventloop_lag_seconds']) {
      assert.ok(find(e, name).length > 0, name);
    }
  });

  test('a BatchDriver with the sink observer reports latency by outcome, sent, rejected, queue depth and checkpoint lag', async () => {
    const m = new Metrics({ defaultMetrics: false });
    const sink = m.component({ kind: 'sink', type: 'elasticsearch', id: 'es' });
    let release: (() => void) | undefined;
    let calls = 0;
    const sender = {
      async send(batch: readonly SinkItem[]): Promise<ItemOutcome[]> {
        calls++;
        if (calls === 1) {
          // The first request waits until the test has looked at the gauges.
          await new Promise<void>((r) => (release = r));
          throw new RequestFailure('connection refused', true);
        }
        return batch.map((it) => (it.id === 'bad' ? { kind: 'dead', status: 400, type: 'mapper_parsing_exception', reason: 'no' } : it.id === 'old' ? { kind: 'exists' } : { kind: 'created' }));
      },
    };
    const driver = new BatchDriver<SinkItem>({ sender, flushItems: 4, concurrency: 1, retry: { initialMs: 1, maxMs: 2 }, observer: m.sinkObserver(sink) });
    const item = (id: string) => ({ id, target: 'x', body: Buffer.from('{"a":1}'), position: null });
    for (const id of ['a', 'b', 'old', 'bad']) await driver.push(item(id));
    while (release === undefined) await new Promise((r) => setImmediate(r));
    let e = await scrape(m);
    assert.equal(value(e, 'sluice_sink_in_flight', { sink: 'es' }), 1);
    assert.equal(value(e, 'sluice_sink_queue_depth', { sink: 'es' }), 0, 'all four are inside the request');
    assert.equal(value(e, 'sluice_checkpoint_lag_events', { sink: 'es' }), 4);
    assert.equal(value(e, 'sluice_sink_pending_bytes', { sink: 'es' }), 28);
    assert.deepEqual(m.sinkQueues(), { queuedItems: 0, inFlightRequests: 1, unacknowledgedItems: 4, pendingBytes: 28 });
    release();
    await driver.close();
    e = await scrape(m);
    const labels = { component_kind: 'sink', component_type: 'elasticsearch', component_id: 'es' };
    assert.equal(value(e, 'sluice_component_sent_events_total', labels), 3, 'created + already there');
    assert.equal(value(e, 'sluice_component_sent_bytes_total', labels), 21);
    assert.equal(value(e, 'sluice_component_dropped_events_total', { ...labels, reason: 'rejected' }), 1);
    assert.equal(value(e, 'sluice_sink_request_duration_seconds_count', { sink: 'es', outcome: 'error' }), 1);
    assert.equal(value(e, 'sluice_sink_request_duration_seconds_count', { sink: 'es', outcome: 'partial' }), 1);
    assert.equal(find(e, 'sluice_sink_request_duration_seconds_count', { outcome: 'success' }).length, 0);
    assert.ok(value(e, 'sluice_sink_request_duration_seconds_sum', { sink: 'es', outcome: 'error' }) > 0);
    assert.equal(value(e, 'sluice_sink_in_flight', { sink: 'es' }), 0, 'a closed driver is detached');
    assert.equal(value(e, 'sluice_checkpoint_lag_events', { sink: 'es' }), 0);
    assert.equal(e.types.get('sluice_sink_request_duration_seconds'), 'histogram');
  });
});
