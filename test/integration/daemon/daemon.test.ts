/**
 * The daemon endpoint on real things: a real Watcher ingesting a corpus capture into a temporary
 * embedded store while the fastify server runs on an ephemeral port; `/metrics` is scraped over HTTP
 * and its exposition text parsed. Readiness is checked against a closed port and against the
 * running OpenSearch; the engine path's driver observer against OpenSearch too.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { VERSION } from '../../../src/cli/version.js';
import { ERROR_CODES } from '../../../src/errors.js';
import { engineReadiness, intakeReadiness, startDaemonServer, storeReadiness, type DaemonServer } from '../../../src/api/index.js';
import { ingestFilesToEngine } from '../../../src/pipeline/ingest-engine.js';
import { EngineClient } from '../../../src/sinks/elasticsearch/http/engine-client.js';
import { deadUrl } from '../../../src/sinks/elasticsearch/http/test-support.js';
import { ensurePacketTemplate } from '../../../src/sinks/elasticsearch/install-template.js';
import { Watcher, type WatchEvent } from '../../../src/sources/watch/index.js';
import {
  CAPTURE_DROP_WHERE,
  COMPONENT_ID_PATTERN,
  COMPONENT_KINDS,
  DROP_REASONS,
  FILE_OUTCOMES,
  Metrics,
  REQUEST_OUTCOMES,
  createLogger,
  startHealthLog,
  watchMetrics,
} from '../../../src/telemetry/index.js';
import { find, parseExposition, value, type Exposition } from '../../../src/telemetry/test-support.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { CORPUS_DIR } from '../../support/tshark.js';
import { tempDir } from '../../support/temp.js';

const CAPTURE = join(CORPUS_DIR, 'pcap', 'zeek__http-methods.pcap');

const temps: (() => void)[] = [];
const servers: DaemonServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  temps.forEach((c) => c());
});

/** Packets in a classic pcap file, counted from its record headers (independently of sluice's reader). */
function pcapPacketCount(path: string): number {
  const b = readFileSync(path);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  assert.ok(le || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1, 'a classic pcap file');
  let n = 0;
  for (let at = 24; at + 16 <= b.length; n++) at += 16 + (le ? b.readUInt32LE(at + 8) : b.readUInt32BE(at + 8));
  return n;
}

async function scrape(server: DaemonServer): Promise<{ exposition: Exposition; contentType: string | null }> {
  const r = await fetch(`${server.url}/metrics`);
  assert.equal(r.status, 200);
  return { exposition: parseExposition(await r.text()), contentType: r.headers.get('content-type') };
}

/** Label keys of prom-client's default process/Node.js metrics. */
const DEFAULT_METRIC_LABELS = new Set(['le', 'quantile', 'kind', 'space', 'type', 'version', 'major', 'minor', 'patch']);

/** Fails unless every label value of every sample is from its bounded set. */
function assertBoundedLabels(e: Exposition, allowedPaths: ReadonlySet<string>, forbidden: readonly string[]): void {
  const outcomes = new Set<string>([...FILE_OUTCOMES, ...REQUEST_OUTCOMES]);
  for (const s of e.samples) {
    for (const [k, v] of Object.entries(s.labels)) {
      const where = `${s.name}{${k}="${v}"}`;
      for (const f of forbidden) assert.ok(k === 'path' || !v.includes(f), `${where} holds ${f}`);
      switch (k) {
        case 'component_kind':
          assert.ok((COMPONENT_KINDS as readonly string[]).includes(v), where);
          break;
        case 'component_type':
        case 'component_id':
        case 'sink':
          assert.match(v, COMPONENT_ID_PATTERN, where);
          break;
        case 'reason':
          assert.ok((DROP_REASONS as readonly string[]).includes(v), where);
          break;
        case 'error_code':
          assert.ok(Object.hasOwn(ERROR_CODES, v), where);
          break;
        case 'outcome':
          assert.ok(outcomes.has(v), where);
          break;
        case 'where':
          assert.ok((CAPTURE_DROP_WHERE as readonly string[]).includes(v), where);
          break;
        case 'path':
          assert.ok(allowedPaths.has(v), `${where}: only configured directories`);
          break;
        default:
          assert.ok(s.name.startsWith('sluice_process_') || s.name.startsWith('sluice_nodejs_') || s.name === 'sluice_build_info', `${where}: unexpected label`);
          assert.ok(DEFAULT_METRIC_LABELS.has(k), `${where}: unexpected label`);
      }
    }
  }
}

/** Collects log lines written by pino. */
function lines() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('daemon endpoint', () => {
  const { dir, cleanup } = tempDir('sluice-daemon-');
  temps.push(cleanup);
  const inbox = join(dir, 'inbox');
  const dataDir = join(dir, 'data');
  mkdirSync(inbox);

  test('/metrics while watching: one file ingested, received events = packets in the capture, disk free, default metrics, bounded labels', async () => {
    const packets = pcapPacketCount(CAPTURE);
    assert.equal(packets, 655);
    const metrics = new Metrics({ version: VERSION });
    const store = metrics.component({ kind: 'sink', type: 'local', id: 'store' });
    const wm = watchMetrics(metrics, { id: 'inbox', dataDir, watchDir: inbox, storeSink: store });
    const events: WatchEvent[] = [];
    const watcher = new Watcher({
      dir: inbox,
      store: { dataDir },
      stableMs: 100,
      pollIntervalMs: 50,
      quarantineDir: join(dir, 'quarantine'),
      minFreeMb: 0,
      onEvent: (e) => {
        wm.onEvent(e);
        events.push(e);
      },
    });
    const run = watcher.run();
    const server = await startDaemonServer({ port: 0, metrics, readiness: [storeReadiness(dataDir), intakeReadiness(watcher)] });
    servers.push(server);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback by default');

    const before = await scrape(server);
    assert.equal(value(before.exposition, 'sluice_files_total', { outcome: 'ingested' }), 0);

    const file = join(inbox, 'http-methods.pcap');
    copyFileSync(CAPTURE, file);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.type === 'ingested' || e.type === 'quarantined' || e.type === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      events.filter((e) => e.type !== 'started').map((e) => e.type),
      ['ingested'],
    );

    const { exposition: e, contentType } = await scrape(server);
    assert.match(contentType ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    assert.equal(value(e, 'sluice_files_total', { outcome: 'ingested' }), 1);
    for (const outcome of ['duplicate', 'quarantined', 'interrupted', 'error']) assert.equal(value(e, 'sluice_files_total', { outcome }), 0, outcome);
    assert.equal(value(e, 'sluice_files_in_flight'), 0);
    const source = { component_kind: 'source', component_type: 'watch', component_id: 'inbox' };
    assert.equal(value(e, 'sluice_component_received_events_total', source), packets);
    assert.equal(value(e, 'sluice_component_received_bytes_total', source), statSync(CAPTURE).size);
    assert.equal(value(e, 'sluice_component_sent_events_total', { component_kind: 'sink', component_type: 'local', component_id: 'store' }), packets, 'every packet is a new document');
    assert.equal(find(e, 'sluice_component_errors_total').length, 0);
    assert.equal(value(e, 'sluice_intake_paused', { component_id: 'inbox' }), 0);
    assert.ok(value(e, 'sluice_disk_free_bytes', { path: resolve(dataDir) }) > 0);
    assert.ok(value(e, 'sluice_disk_free_bytes', { path: resolve(inbox) }) > 0);
    assert.equal(value(e, 'sluice_build_info', { version: VERSION }), 1);
    for (const name of ['sluice_process_cpu_seconds_total', 'sluice_process_resident_memory_bytes', 'sluice_process_start_time_seconds', 'sluice_nodejs_heap_size_used_bytes', 'sluice_nodejs_eventloop_lag_p99_seconds', 'sluice_nodejs_version_info']) {
      assert.ok(find(e, name).length > 0, `${name} is there`);
    }
    for (const [name, type] of [
      ['sluice_component_received_events_total', 'counter'],
      ['sluice_files_total', 'counter'],
      ['sluice_disk_free_bytes', 'gauge'],
      ['sluice_sink_queue_depth', 'gauge'],
      ['sluice_sink_request_duration_seconds', 'histogram'],
      ['sluice_capture_dropped_packets_total', 'counter'],
    ] as const) {
      assert.equal(e.types.get(name), type, name);
    }
    assertBoundedLabels(e, new Set([resolve(dataDir), resolve(inbox)]), ['http-methods', 'zeek__', dir, '192.168.', '10.']);

    // The same capture again under another name: a duplicate, nothing more received.
    const copy = join(inbox, 'again.pcap');
    copyFileSync(CAPTURE, copy);
    utimesSync(copy, old, old);
    while (!events.some((ev) => ev.type === 'duplicate') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const second = (await scrape(server)).exposition;
    assert.equal(value(second, 'sluice_files_total', { outcome: 'duplicate' }), 1);
    assert.equal(value(second, 'sluice_component_received_events_total', source), packets);

    // The health line of this daemon: JSON that parses, nothing in flight, free disk of both directories.
    const log = lines();
    const health = startHealthLog({ logger: createLogger({ format: 'json', destination: log.stream }), metrics, intervalSecs: 0 });
    await health.logNow();
    health.stop();
    const line = JSON.parse(log.lines()[0]);
    assert.equal(line.health.files_in_flight, 0);
    assert.equal(line.health.checkpoint_lag_events, 0);
    assert.deepEqual(Object.keys(line.health.disk_free_bytes).sort(), [resolve(dataDir), resolve(inbox)].sort());

    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    assert.equal(body.status, 'ready');
    assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['store', true], ['intake', true]]);

    await watcher.stop();
    await run;
  });

  test('/healthz is 200; /readyz is 503 naming the failed check, without the credentials of its URL', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const dead = await deadUrl();
    const client = new EngineClient({ urls: [dead.replace('http://', 'http://elastic:s3cr3t-pass-42@')], timeoutMs: 1000 });
    const log = lines();
    const server = await startDaemonServer({
      port: 0,
      metrics,
      readiness: [storeReadiness(dataDir), engineReadiness(client), storeReadiness(join(dir, 'no-store-here'), 'other-store')],
      logger: createLogger({ format: 'json', destination: log.stream }),
    });
    servers.push(server);
    try {
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });

      const r = await fetch(`${server.url}/readyz`);
      assert.equal(r.status, 503);
      const text = await r.text();
      assert.ok(!text.includes('s3cr3t-pass-42'), text);
      const body = JSON.parse(text) as { status: string; checks: { name: string; ok: boolean; reason?: string }[] };
      assert.equal(body.status, 'not_ready');
      assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['store', true], ['elasticsearch', false], ['other-store', false]]);
      assert.match(body.checks[1].reason ?? '', new RegExp(`${dead.replace('http://', '')}.*(refused|ECONNREFUSED)`, 'i'));
      assert.ok(body.checks[2].reason !== undefined && body.checks[2].reason.length > 0);

      const missing = await fetch(`${server.url}/nothing`);
      assert.equal(missing.status, 404);
      await missing.text();
    } finally {
      await server.close();
      await client.close();
    }
    await assert.rejects(fetch(`${server.url}/healthz`), 'closed: nothing answers any more');
    for (const l of log.lines()) JSON.parse(l); // whatever fastify logged is JSON
  });

  const skipEngine = skipWithoutOpenSearch(2);
  test('/readyz is 200 against the running OpenSearch 2.x', { skip: skipEngine }, async () => {
    const client = new EngineClient({ urls: [openSearchUrl(2)!] });
    const server = await startDaemonServer({ port: 0, metrics: new Metrics({ defaultMetrics: false }), readiness: [engineReadiness(client)] });
    servers.push(server);
    try {
      const r = await fetch(`${server.url}/readyz`);
      const body = (await r.json()) as { status: string; checks: { name: string; ok: boolean; reason?: string }[] };
      assert.equal(r.status, 200, JSON.stringify(body));
      assert.deepEqual(body.checks.map((c) => [c.name, c.ok]), [['elasticsearch', true]]);
    } finally {
      await server.close();
      await client.close();
    }
  });

  test('engine path: the driver observer counts what OpenSearch acknowledged, the request latency, and an empty queue afterwards', { skip: skipEngine }, async () => {
    const url = openSearchUrl(2)!;
    const prefix = `sluice-daemon-${process.pid}`;
    const client = new EngineClient({ urls: [url] });
    const metrics = new Metrics({ defaultMetrics: false });
    const sink = metrics.component({ kind: 'sink', type: 'elasticsearch', id: 'es' });
    const server = await startDaemonServer({ port: 0, metrics });
    servers.push(server);
    try {
      await ensurePacketTemplate(client, { indexPattern: `${prefix}-%Y.%m.%d` });
      const summary = await ingestFilesToEngine([{ path: CAPTURE, size: statSync(CAPTURE).size }], {
        dataDir: join(dir, 'engine-data'),
        client,
        indexPattern: `${prefix}-%Y.%m.%d`,
        flushBytes: 64 * 1024,
        observer: metrics.sinkObserver(sink),
      });
      assert.equal(summary.delivery.created, 655);
      const e = (await scrape(server)).exposition;
      const labels = { component_kind: 'sink', component_type: 'elasticsearch', component_id: 'es' };
      assert.equal(value(e, 'sluice_component_sent_events_total', labels), 655);
      assert.ok(value(e, 'sluice_component_sent_bytes_total', labels) > 0);
      assert.equal(value(e, 'sluice_component_dropped_events_total', { ...labels, reason: 'rejected' }), 0);
      const requests = value(e, 'sluice_sink_request_duration_seconds_count', { sink: 'es', outcome: 'success' });
      assert.equal(requests, summary.delivery.requests, 'one observation per bulk request');
      assert.ok(requests > 1, 'small flushes: several bulk requests');
      assert.equal(value(e, 'sluice_sink_request_duration_seconds_bucket', { sink: 'es', outcome: 'success', le: '+Inf' }), requests);
      assert.equal(value(e, 'sluice_sink_queue_depth', { sink: 'es' }), 0);
      assert.equal(value(e, 'sluice_sink_in_flight', { sink: 'es' }), 0);
      assert.equal(value(e, 'sluice_checkpoint_lag_events', { sink: 'es' }), 0);
    } finally {
      await server.close();
      await fetch(`${url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}/_index_template/${prefix}`, { method: 'DELETE' }).catch(() => undefined);
      await client.close();
    }
  });
});
