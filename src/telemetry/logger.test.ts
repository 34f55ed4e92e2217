import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Secret } from '../config/secret.js';
import { HealthSampler, healthMessage, startHealthLog } from './health-log.js';
import { componentLogger, createLogger } from './logger.js';
import { Metrics } from './metrics.js';

/** A stream that keeps what is written (not a TTY). */
function sink(tty = false) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean };
  if (tty) stream.isTTY = true;
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

describe('createLogger', () => {
  test('JSON lines parse, carry level and time, and honour the level', () => {
    const out = sink();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream, base: { command: 'watch' } });
    log.debug('not shown');
    log.info({ files: 2 }, 'Watching the inbox.');
    log.warn('Intake paused.');
    const lines = out.lines().map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.equal(lines[0].level, 'info');
    assert.equal(lines[0].msg, 'Watching the inbox.');
    assert.equal(lines[0].files, 2);
    assert.equal(lines[0].command, 'watch');
    assert.ok(!Number.isNaN(Date.parse(lines[0].time)), 'ISO time');
    assert.equal(lines[1].level, 'warn');
  });

  test('secrets never reach the output: keys, nested keys, authorization headers, Secret values, URL credentials', () => {
    const out = sink();
    const log = createLogger({ format: 'json', destination: out.stream });
    log.info(
      {
        password: 'hunter2-top',
        elasticsearch: { api_key: 'key-AAAA-1234', username: 'ingest', urls: ['https://es:9200', 'https://carol:nested-pw-9@es3:9200'] },
        req: { headers: { authorization: 'ApiKey c2VjcmV0LWtleQ==', 'x-api-key': 'xk-987' } },
        token: new Secret('bearer-xyz-555'),
        url: 'https://alice:pa55w0rd-url@es.example:9200/',
      },
      'Connecting to https://bob:other-pass-77@es2.example:9200 now.',
    );
    const text = out.text();
    for (const secret of ['hunter2-top', 'key-AAAA-1234', 'c2VjcmV0LWtleQ==', 'xk-987', 'bearer-xyz-555', 'pa55w0rd-url', 'other-pass-77', 'nested-pw-9']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    const line = JSON.parse(out.lines()[0]);
    assert.equal(line.password, '[redacted]');
    assert.equal(line.elasticsearch.api_key, '[redacted]');
    assert.equal(line.elasticsearch.username, 'ingest', 'other fields stay');
    assert.equal(line.req.headers.authorization, '[redacted]');
    assert.equal(line.url, 'https://[redacted]@es.example:9200/');
    assert.match(line.msg, /https:\/\/\[redacted\]@es2\.example:9200/);
  });

  test('component child loggers carry the component labels', () => {
    const out = sink();
    const log = componentLogger(createLogger({ format: 'json', destination: out.stream }), { kind: 'sink', type: 'elasticsearch', id: 'es' });
    log.error({ error_code: 'SLUICE_ENGINE_AUTH' }, 'The engine refused the credentials.');
    const line = JSON.parse(out.lines()[0]);
    assert.deepEqual([line.component_kind, line.component_type, line.component_id, line.level], ['sink', 'elasticsearch', 'es', 'error']);
  });

  test('auto: JSON when not a terminal, pretty (not JSON) on a terminal; pretty also when asked', () => {
    const pipe = sink();
    createLogger({ destination: pipe.stream }).info('to a pipe');
    assert.equal(JSON.parse(pipe.lines()[0]).msg, 'to a pipe');
    const tty = sink(true);
    createLogger({ destination: tty.stream }).info('to a terminal');
    assert.match(tty.text(), /to a terminal/);
    assert.throws(() => JSON.parse(tty.lines()[0]));
    const forced = sink();
    createLogger({ destination: forced.stream, format: 'pretty' }).info('pretty by config');
    assert.match(forced.text(), /INFO.*pretty by config/);
  });
});

describe('health log', () => {
  test('a health line has memory, CPU, event-loop delay, queues, files in flight and free disk', async () => {
    const out = sink();
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.watchDiskFree('.');
    metrics.filesInFlight(1);
    const health = startHealthLog({ logger: createLogger({ format: 'json', destination: out.stream }), metrics, intervalSecs: 0 });
    // Some work, so CPU and the loop have something to show.
    let x = 0;
    for (let i = 0; i < 2e6; i++) x += Math.sqrt(i);
    assert.ok(x > 0);
    await new Promise((r) => setTimeout(r, 30));
    const s = await health.logNow();
    health.stop();
    const line = JSON.parse(out.lines()[0]);
    assert.equal(line.level, 'info');
    assert.match(line.msg, /^Health: \d+ MB resident .*% CPU, event loop delay p99 [\d.]+ ms, 0 event\(s\) queued, 0 awaiting acknowledgement, 1 file\(s\) in flight, \d+ MB free on disk\.$/);
    assert.deepEqual(line.health, JSON.parse(JSON.stringify(s)));
    assert.ok(s.rss_bytes > 0 && s.heap_used_bytes > 0);
    assert.ok(s.cpu_percent > 0, 'the loop above used CPU');
    assert.ok(s.event_loop_delay_max_ms >= 0);
    assert.equal(s.files_in_flight, 1);
    assert.equal(Object.keys(s.disk_free_bytes).length, 1);
    assert.ok(Object.values(s.disk_free_bytes)[0] > 0);
    assert.equal(healthMessage(s), line.msg);
  });

  test('the sampler works without metrics', async () => {
    const sampler = new HealthSampler();
    const s = await sampler.sample();
    sampler.close();
    assert.equal(s.files_in_flight, 0);
    assert.deepEqual(s.disk_free_bytes, {});
  });
});
