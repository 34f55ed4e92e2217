/**
 * Access-log throughput on one core (issue 6, item 10): the real 10,000-line Apache log
 * (`elastic-examples-apache_logs.log`, `apache_combined`) repeated to `--lines` lines (default
 * 1,000,000), in this process:
 *
 * - `parse`: `AccessLogPipeline.parse` (the line to its ECS document);
 * - `enriched`: parse + GeoIP + user agent + attack rules (`enrich`), no JSON;
 * - `process`: the full `process()` (parse + enrich + id, daily index and JSON body).
 *
 * Each is run once to warm the JIT and the enrichers' caches (a long-running daemon is warm), then
 * three times; the best run counts. Lines/s and MB/s (bytes of the lines with their newline).
 *
 * With `--kafka host:port --engine URL` also end to end: a file of `--kafka-lines` lines (default
 * `--lines`) shipped with `sluice ship --once` into a fresh topic, then `sluice consume` into the
 * engine; events/s from the start of `ship` to the moment the engine counts every document.
 *
 * Usage: node dist/bench/logs/access-throughput.js [--lines 1000000] [--kafka 127.0.0.1:9092
 * --engine http://127.0.0.1:9200 [--kafka-lines 1000000] [--only-kafka]]. Prints a JSON line last.
 * Start the broker with `node scripts/stack/kafka.mjs start` (and stop it after).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin } from '@platformatic/kafka';
import { loadConfig } from '../../src/config/index.js';
import type { AccessLogPipeline } from '../../src/pipeline/logs/access-log-pipeline.js';
import { accessLogPipelineFromConfig } from '../../src/pipeline/logs/log-pipelines-from-config.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const wanted = Number(opt('--lines') ?? 1_000_000);
const kafka = opt('--kafka');
const engine = opt('--engine');
const kafkaLines = Number(opt('--kafka-lines') ?? wanted);
const corpus = new URL('../../../../shared/corpus/', import.meta.url).pathname;
const BIN = new URL('../../../bin/sluice.js', import.meta.url).pathname;
const base = readFileSync(join(corpus, 'access-logs/elastic-examples-apache_logs.log'), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const repeat = Math.ceil(wanted / base.length);
const lines: string[] = [];
const offsets: number[] = [];
let bytes = 0;
for (let r = 0; r < repeat; r++) {
  for (const l of base) {
    lines.push(l);
    offsets.push(bytes);
    bytes += Buffer.byteLength(l) + 1;
  }
}

type Mode = 'parse' | 'enriched' | 'process';

function pass(pipeline: AccessLogPipeline, mode: Mode): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < lines.length; i++) {
    // A new position per line, as the tail source makes them.
    const pos = { fileId: 'bench', offset: offsets[i] };
    if (mode === 'process') sink += pipeline.process(lines[i], pos, 0).body.length;
    else {
      const doc = pipeline.parse(lines[i], pos);
      if (mode === 'enriched') pipeline.enrich(doc);
      sink += doc.log.offset;
    }
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  if (sink < 0) console.log(sink); // keeps the work observable
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

/**
 * Best of three after a warm-up pass. `linesPerCpuSecond` divides by the process's CPU time (all its
 * threads, so GC helpers count against it): on a busy shared machine it is the steadier figure.
 */
function measure(pipeline: AccessLogPipeline, mode: Mode): { linesPerSecond: number; mbPerSecond: number; seconds: number; linesPerCpuSecond: number } {
  pass(pipeline, mode);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < 3; i++) {
    const r = pass(pipeline, mode);
    best = Math.min(best, r.wall);
    bestCpu = Math.min(bestCpu, r.cpu);
  }
  return {
    linesPerSecond: Math.round(lines.length / best),
    mbPerSecond: Math.round((bytes / 1e6 / best) * 10) / 10,
    seconds: Math.round(best * 1000) / 1000,
    linesPerCpuSecond: Math.round(lines.length / bestCpu),
  };
}

async function count(url: string, pattern: string): Promise<number> {
  const r = await fetch(`${url}/${pattern}/_count`);
  if (r.status === 404) return 0;
  const body = (await r.json()) as { count?: number };
  return body.count ?? 0;
}

/** `sluice ship --once` then `sluice consume` until the engine counts every line. */
async function endToEnd(brokers: string, url: string): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-access-kafka-'));
  const stamp = Date.now();
  const topic = `sluice-bench-access-${stamp}`;
  const prefix = `sluice-bench-e2e-access-${stamp}`;
  const env = { ...process.env, SLUICE_LOG__LEVEL: 'warn', SLUICE_ACCESS_LOG__INDEX_PATTERN: `${prefix}-%Y.%m.%d` };
  const n = kafkaLines;
  const file = join(dir, 'access.log');
  const body = base.join('\n') + '\n';
  writeFileSync(file, body.repeat(Math.floor(n / base.length)) + base.slice(0, n % base.length).map((l) => `${l}\n`).join(''));
  try {
    const t0 = performance.now();
    const ship = spawnSync(process.execPath, [BIN, '--data-dir', join(dir, 'ship'), 'ship', file, '--once', '--poll-interval-ms', '100', '--kafka-brokers', brokers, '--topic', topic], { encoding: 'utf8', env });
    if (ship.status !== 0) throw new Error(`sluice ship failed: ${ship.stderr}`);
    const shipped = performance.now();
    const consume = spawn(process.execPath, [BIN, '--data-dir', join(dir, 'consume'), 'consume', '--kafka-brokers', brokers, '--topic', topic, '--group', `${topic}-g`, '--es-url', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    consume.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let exited = false;
    consume.on('exit', () => (exited = true));
    let searchable = 0;
    // The documents are searchable after a refresh (1 s by default); poll the count.
    while (searchable < n) {
      if (exited) throw new Error(`sluice consume exited early: ${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
      await fetch(`${url}/${prefix}-*/_refresh`, { method: 'POST' });
      searchable = await count(url, `${prefix}-*`);
    }
    const done = performance.now();
    consume.kill('SIGTERM');
    await new Promise((r) => (exited ? r(undefined) : consume.on('exit', r)));
    return {
      lines: n,
      shipSeconds: Math.round((shipped - t0) / 10) / 100,
      shipLinesPerSecond: Math.round(n / ((shipped - t0) / 1000)),
      totalSeconds: Math.round((done - t0) / 10) / 100,
      eventsPerSecond: Math.round(n / ((done - t0) / 1000)),
    };
  } finally {
    await fetch(`${url}/${prefix}-*`, { method: 'DELETE' });
    rmSync(dir, { recursive: true, force: true });
    const admin = new Admin({ clientId: 'sluice-bench-admin', bootstrapBrokers: [brokers], retries: 1, timeout: 10_000 });
    const names = await admin.listTopics().catch(() => [] as string[]);
    const mine = names.filter((t) => t === topic || t.startsWith(`${topic}-`));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => {});
    await admin.close().catch(() => {});
  }
}

const config = loadConfig({ cwd: process.cwd(), env: {} });
const pipeline = await accessLogPipelineFromConfig(config, (m) => console.error(`warning: ${m}`));
const result: Record<string, unknown> = { lines: lines.length, mb: Math.round(bytes / 1e5) / 10, format: 'apache_combined' };
for (const mode of args.includes('--only-kafka') ? [] : (['parse', 'enriched', 'process'] as const)) {
  result[mode] = measure(pipeline, mode);
  console.error(`${mode}: ${JSON.stringify(result[mode])}`);
}
if (kafka !== undefined && engine !== undefined) {
  result.kafkaToEngine = await endToEnd(kafka, engine);
  console.error(`file → Kafka → engine: ${JSON.stringify(result.kafkaToEngine)}`);
}
console.log(JSON.stringify(result));
