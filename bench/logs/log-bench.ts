/**
 * Web access logs and honeypot events, measured (issues 6 and 7):
 *
 * - in process: parse only, and parse + enrich (GeoIP, user agent, attack rules) + encode, over the
 *   real 10,000-line Apache log repeated `--repeat` times (lines/s, one core);
 * - end to end: `sluice tail --once` of a file of `--repeat` × 10,000 lines into the embedded store,
 *   and into OpenSearch with `--engine URL` (lines/s including start-up, peak RSS);
 * - the same for the two real Cowrie logs repeated (events/s) into the store and the engine.
 *
 * Usage: node dist/bench/logs/log-bench.js [--repeat 10] [--engine URL]. Prints a JSON line last.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessLogPipeline } from '../../src/pipeline/logs/access-log-pipeline.js';
import { accessLogPipelineFromConfig } from '../../src/pipeline/logs/log-pipelines-from-config.js';
import { loadConfig } from '../../src/config/index.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const repeat = Number(opt('--repeat') ?? 10);
const engine = opt('--engine');
const corpus = new URL('../../../../shared/corpus/', import.meta.url).pathname;
const BIN = new URL('../../../bin/sluice.js', import.meta.url).pathname;
const apache = readFileSync(join(corpus, 'access-logs/elastic-examples-apache_logs.log'), 'utf8').split('\n').filter((l) => l.length > 0);
const cowrie = readdirSync(join(corpus, 'honeypot'))
  .filter((n) => n.includes('cowrie.json'))
  .flatMap((n) => readFileSync(join(corpus, 'honeypot', n), 'utf8').split('\n').filter((l) => l.length > 0));

function inProcess(pipeline: AccessLogPipeline, enrich: boolean): number {
  const t0 = performance.now();
  let n = 0;
  for (let r = 0; r < repeat; r++) {
    for (let i = 0; i < apache.length; i++) {
      const pos = { fileId: 'bench', offset: n };
      if (enrich) pipeline.process(apache[i], pos, 0);
      else pipeline.parse(apache[i], pos);
      n++;
    }
  }
  return n / ((performance.now() - t0) / 1000);
}

function endToEnd(lines: string[], extra: string[], env: Record<string, string> = {}): { lines: number; seconds: number; linesPerSecond: number; peakRssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-logs-'));
  try {
    const file = join(dir, 'input.log');
    const body = lines.join('\n') + '\n';
    writeFileSync(file, body.repeat(repeat));
    const t0 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, '--data-dir', join(dir, 'data'), 'tail', file, '--once', '--poll-interval-ms', '100', ...extra], {
      encoding: 'utf8',
      env: { ...process.env, SLUICE_LOG__LEVEL: 'warn', ...env },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`sluice tail failed: ${r.stderr}`);
    const total = lines.length * repeat;
    // The idle detection waits 3 quiet polls (0.3 s) and the flush of a last partial line: not work.
    return { lines: total, seconds, linesPerSecond: total / seconds, peakRssMb: Number(r.stderr.trim().split('\n').pop()) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const config = loadConfig({ cwd: process.cwd(), env: {} });
const pipeline = await accessLogPipelineFromConfig(config, () => {});
inProcess(pipeline, true); // warm caches and JIT, as a long-running daemon is
const result: Record<string, unknown> = {
  repeat,
  accessParsePerSecond: inProcess(pipeline, false),
  accessParseEnrichPerSecond: inProcess(pipeline, true),
  accessToStore: endToEnd(apache, []),
  honeypotToStore: endToEnd(cowrie, ['--dataset', 'honeypot']),
};
if (engine) {
  const env = { SLUICE_ACCESS_LOG__INDEX_PATTERN: 'sluice-bench-access-%Y.%m.%d', SLUICE_HONEYPOT__INDEX_PREFIX: 'sluice-bench-honeypot' };
  for (const p of ['sluice-bench-access-*', 'sluice-bench-honeypot-*']) await fetch(`${engine}/${p}`, { method: 'DELETE' });
  result.accessToEngine = endToEnd(apache, ['--es-url', engine], env);
  result.honeypotToEngine = endToEnd(cowrie, ['--dataset', 'honeypot', '--es-url', engine], env);
  for (const p of ['sluice-bench-access-*', 'sluice-bench-honeypot-*']) await fetch(`${engine}/${p}`, { method: 'DELETE' });
  for (const t of ['sluice-bench-access', 'sluice-bench-honeypot']) await fetch(`${engine}/_index_template/${t}`, { method: 'DELETE' });
}
console.log(JSON.stringify(result));
