/**
 * `npm run bench [-- --file F] [-- --update-docs] [-- --no-tshark] [-- --no-engine] [-- --no-watch] [-- --no-logs]`: the packet pipeline on the
 * standard input (../shared/bench/mixed-200k.pcap), next to `tshark -T ek` on the same file in the
 * same run. Each scenario runs in its own process (peak RSS is per process); the best of
 * `--runs` (default 3) is reported, as tools like hyperfine do for noisy 2-core machines.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';

interface Result { scenario: string; packets: number; bytes: number; seconds: number; docBytes: number; maxRssMb: number }

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = opt('--file') ?? new URL('../../../shared/bench/mixed-200k.pcap', import.meta.url).pathname;
const runs = Number(opt('--runs') ?? 3);
const withTshark = !args.includes('--no-tshark');
const updateDocs = args.includes('--update-docs');
const scenarioScript = new URL('./pipeline/decode-scenarios.js', import.meta.url).pathname;

if (!existsSync(file)) {
  console.error(`benchmark input ${file} not found (the shared folder must be beside the repository)`);
  process.exit(1);
}

function runScenario(name: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): Result {
  let best: Result | undefined;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [scenarioScript, name, file, ...extraArgs], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`scenario ${name} failed: ${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
    if (!best || res.seconds < best.seconds) best = { ...res, maxRssMb: Math.max(res.maxRssMb, best?.maxRssMb ?? 0) };
  }
  return best!;
}

function runTshark(): Result | undefined {
  if (spawnSync('tshark', ['--version']).status !== 0) {
    console.error('tshark not installed: skipping the comparison (scripts/stack/ensure-tshark.sh installs it)');
    return undefined;
  }
  // One run: at ~6.5k packets/s it takes half a minute. Output goes to /dev/null but is counted.
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'bash', '-c', `tshark -r "${file}" -T ek 2>/dev/null | wc -c`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  const outBytes = Number(r.stdout.trim());
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  const packets = Number(spawnSync('bash', ['-c', `tshark -r "${file}" -T fields -e frame.number 2>/dev/null | wc -l`], { encoding: 'utf8' }).stdout.trim());
  // tshark -T ek prints an index line and a document line per packet.
  return { scenario: 'tshark -T ek', packets, bytes: statSync(file).size, seconds, docBytes: outBytes, maxRssMb: rssKb / 1024 };
}

const results: Result[] = [runScenario('read'), runScenario('json'), runScenario('sqlite')];

// PCAP export from the embedded store: ~100k of the 200k packets (HTTP requests and all UDP).
const EXPORT_QUERY = 'destination.port: 80 or network.transport: udp';
const storeDir = mkdtempSync(join(tmpdir(), 'sluice-bench-export-'));
spawnSync(process.execPath, [scenarioScript, 'sqlite', file, storeDir], { encoding: 'utf8' });
const exportResult = { ...runScenario('export', [storeDir], { ...process.env, EXPORT_QUERY }), scenario: 'export' };
rmSync(storeDir, { recursive: true, force: true });
results.push(exportResult);
const tshark = withTshark ? runTshark() : undefined;
if (tshark) results.push(tshark);

const pps = (r: Result) => r.packets / r.seconds;
const names: Record<string, string> = {
  read: 'read only (pcap reader)',
  json: 'decode → ECS JSON',
  sqlite: 'decode → SQLite store',
  export: 'pcap export from the store',
  'tshark -T ek': 'tshark -T ek (reference)',
};
const lines = [
  `Input: \`${file.split('/').slice(-2).join('/')}\` (${results[0].packets.toLocaleString('en-US')} packets, ${(results[0].bytes / 1e6).toFixed(1)} MB); ` +
    `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}; best of ${runs} runs (tshark: 1 run).`,
  '',
  '| scenario | packets/s | MB/s | bytes/document | peak RSS | vs tshark -T ek |',
  '|---|---:|---:|---:|---:|---:|',
];
for (const r of results) {
  const ratio = tshark && r.scenario !== 'export' ? `${(pps(r) / pps(tshark)).toFixed(1)}×` : '–';
  const perDoc = r.docBytes > 0 ? Math.round(r.docBytes / r.packets).toLocaleString('en-US') : '–';
  lines.push(`| ${names[r.scenario] ?? r.scenario} | ${Math.round(pps(r)).toLocaleString('en-US')} | ${(r.bytes / 1e6 / r.seconds).toFixed(1)} | ${perDoc} | ${Math.round(r.maxRssMb)} MB | ${ratio} |`);
}
lines.push(
  '',
  `pcap export: \`${EXPORT_QUERY}\` selects ${exportResult.packets.toLocaleString('en-US')} of the ${results[0].packets.toLocaleString('en-US')} packets; ` +
    `${exportResult.seconds.toFixed(2)} s wall (target ≤ 2 s), peak RSS ${Math.round(exportResult.maxRssMb)} MB; MB/s counts the capture file read at ingest, bytes/document the exported packet bytes per packet.`,
);
// sluice → OpenSearch against `tshark -T ek | split | 4 × curl _bulk` (the original directory pipeline).
if (!args.includes('--no-engine')) {
  const stack = new URL('../../scripts/stack/opensearch.mjs', import.meta.url).pathname;
  const started = spawnSync(process.execPath, [stack, 'start', '--version', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (started.stdout ?? '').split('\n').find((l) => l.startsWith('OPENSEARCH2_URL='));
  if (started.status !== 0 || line === undefined) {
    lines.push('', 'OpenSearch could not be started: the engine comparison was skipped.');
  } else {
    const url = line.split(/\s+/)[0].slice('OPENSEARCH2_URL='.length);
    try {
      const r = spawnSync(process.execPath, [new URL('./engine/opensearch-bench.js', import.meta.url).pathname, file, url], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(r.stderr);
      const e = JSON.parse(r.stdout.trim().split('\n').pop()!) as { sluice: { seconds: number; docs: number; bytes: number }; tshark: { seconds: number; docs: number; bytes: number } };
      const dps = (x: { seconds: number; docs: number }) => x.docs / x.seconds;
      const bpp = (x: { docs: number; bytes: number }) => x.bytes / Math.max(1, x.docs);
      lines.push(
        '',
        `Into OpenSearch 2.19.1 (single node, 1 GB heap, same machine), ${results[0].packets.toLocaleString('en-US')} packets, end to end:`,
        '',
        '| pipeline | documents | seconds | documents/s | index bytes/packet (after force-merge) |',
        '|---|---:|---:|---:|---:|',
        `| sluice ingest --to elasticsearch | ${e.sluice.docs.toLocaleString('en-US')} | ${e.sluice.seconds.toFixed(1)} | ${Math.round(dps(e.sluice)).toLocaleString('en-US')} | ${Math.round(bpp(e.sluice))} |`,
        `| tshark -T ek \\| split -l 10000 \\| 4 × curl _bulk (with the _type and duplicate-key fixes it needs) | ${e.tshark.docs.toLocaleString('en-US')} | ${e.tshark.seconds.toFixed(1)} | ${Math.round(dps(e.tshark)).toLocaleString('en-US')} | ${Math.round(bpp(e.tshark))} |`,
        '',
        `sluice: ${(dps(e.sluice) / dps(e.tshark)).toFixed(1)}× the documents/s (target ≥ 10×), ${(bpp(e.sluice) / bpp(e.tshark)).toFixed(2)} of the bytes per packet (target ≤ 0.20).`,
      );
    } finally {
      if (line.includes('started=true')) spawnSync(process.execPath, [stack, 'stop', '--version', '2'], { stdio: 'inherit' });
    }
  }
}
const table = lines.join('\n');
console.log(table);

/** Runs a bench script (its last stdout line is JSON). */
function runJson(script: string, scriptArgs: string[]): Record<string, any> {
  const r = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname, ...scriptArgs], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${script} failed`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, any>;
}

/** An OpenSearch 2 node for the engine figures (started and stopped here when none runs). */
function withOpenSearch<T>(fn: (url: string | undefined) => T): T {
  if (args.includes('--no-engine')) return fn(undefined);
  const stack = new URL('../../scripts/stack/opensearch.mjs', import.meta.url).pathname;
  const started = spawnSync(process.execPath, [stack, 'start', '--version', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (started.stdout ?? '').split('\n').find((l) => l.startsWith('OPENSEARCH2_URL='));
  try {
    return fn(started.status === 0 && line !== undefined ? line.split(/\s+/)[0].slice('OPENSEARCH2_URL='.length) : undefined);
  } finally {
    if (line?.includes('started=true')) spawnSync(process.execPath, [stack, 'stop', '--version', '2'], { stdio: 'inherit' });
  }
}

const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
const num = (x: number) => Math.round(x).toLocaleString('en-US');
const sections: Record<string, string> = { packets: table };

if (!args.includes('--no-watch')) {
  const w = withOpenSearch((url) => ({
    local: runJson('./watch/watch-bench.js', ['--file', file]),
    engine: url ? runJson('./watch/watch-bench.js', ['--file', file, '--engine', url, '--no-memory']) : undefined,
  }));
  const rows = [
    '| sink | files | p50 | p99 | max |',
    '|---|---:|---:|---:|---:|',
    `| embedded store | ${w.local.latency.files} | ${ms(w.local.latency.p50Ms)} | ${ms(w.local.latency.p99Ms)} | ${ms(w.local.latency.maxMs)} |`,
    ...(w.engine ? [`| OpenSearch 2.19.1 | ${w.engine.latency.files} | ${ms(w.engine.latency.p50Ms)} | ${ms(w.engine.latency.p99Ms)} | ${ms(w.engine.latency.maxMs)} |`] : []),
  ];
  const m = w.local.memory;
  sections.watch = [
    `Time from a capture appearing in the watched folder (4,000 packets each, renamed in) to its packets being searchable, \`sluice watch --stable-ms ${w.local.stableMs} --poll-interval-ms ${w.local.pollMs}\` (the stability wait is part of it):`,
    '',
    ...rows,
    '',
    `Daemon memory over a stream of ${(m.bytes / 1e9).toFixed(2)} GB (${m.files} distinct captures, ${num(m.packets)} packets) into the store: peak RSS **${Math.round(m.peakRssMb)} MB** (target ≤ 256 MB), ${m.seconds.toFixed(0)} s (${num(m.packets / m.seconds)} packets/s including the watch).`,
  ].join('\n');
}

if (!args.includes('--no-logs')) {
  const l = withOpenSearch((url) => runJson('./logs/log-bench.js', url ? ['--engine', url] : []));
  const e2e = (name: string, r: any) => `| ${name} | ${num(r.lines)} | ${r.seconds.toFixed(1)} s | ${num(r.linesPerSecond)} | ${Math.round(r.peakRssMb)} MB |`;
  sections.logs = [
    `In process, one core, the real 10,000-line Apache log ×${l.repeat}: parse ${num(l.accessParsePerSecond)} lines/s; parse + GeoIP + user agent + attack rules + JSON ${num(l.accessParseEnrichPerSecond)} lines/s.`,
    '',
    'End to end (`sluice tail --once`, including start-up and GeoIP database loading):',
    '',
    '| path | lines | wall | lines/s | peak RSS |',
    '|---|---:|---:|---:|---:|',
    e2e('access log → embedded store', l.accessToStore),
    ...(l.accessToEngine ? [e2e('access log → OpenSearch 2.19.1', l.accessToEngine)] : []),
    e2e('Cowrie events → embedded store', l.honeypotToStore),
    ...(l.honeypotToEngine ? [e2e('Cowrie events → OpenSearch 2.19.1', l.honeypotToEngine)] : []),
  ].join('\n');
}

for (const [name, text] of Object.entries(sections)) if (name !== 'packets') console.log(`\n${text}`);

if (updateDocs) {
  const path = new URL('../../docs/benchmarks.md', import.meta.url).pathname;
  let doc = readFileSync(path, 'utf8');
  const stamp = `_Generated by \`npm run bench -- --update-docs\` on ${new Date().toISOString().slice(0, 10)} — do not edit by hand._`;
  for (const [name, text] of Object.entries(sections)) {
    const start = `<!-- bench:${name}:start -->`;
    const end = `<!-- bench:${name}:end -->`;
    const i = doc.indexOf(start);
    const j = doc.indexOf(end);
    if (i < 0 || j < 0) throw new Error(`${path} lacks the ${start} … ${end} markers`);
    doc = doc.slice(0, i + start.length) + '\n' + stamp + '\n\n' + text + '\n' + doc.slice(j);
  }
  writeFileSync(path, doc);
  console.log(`updated ${path}`);
}
