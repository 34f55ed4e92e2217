/**
 * sluice → OpenSearch against the original directory pipeline's way on the same capture, in the
 * same run: `tshark -T ek | split -l 10000 | 4 parallel curl --data-binary @chunk /_bulk`.
 * Reports documents/s end to end (conversion included) and index bytes per packet after a
 * refresh and a force-merge to one segment.
 *
 * Besides wall time it reports CPU seconds: of the client side (`cpuSeconds`: sluice, or tshark +
 * sed + node + split + curl, from bash's `time`) and of the engine (`engineCpuSeconds`, from
 * `_nodes/stats/process`). On a shared 2-core machine wall time swings with other load; CPU
 * seconds per run show where the work is (the engine's include whatever else it served meanwhile).
 *
 * Usage: node dist/bench/engine/opensearch-bench.js <capture> <opensearch-url>   (prints one JSON line)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [file, url] = process.argv.slice(2);
if (!file || !url) {
  console.error('usage: opensearch-bench <capture> <opensearch-url>');
  process.exit(2);
}
const root = new URL('../../../', import.meta.url).pathname;

async function req(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(url + path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function sizeOf(pattern: string): Promise<{ docs: number; bytes: number }> {
  await req('POST', `/${pattern}/_refresh`);
  await req('POST', `/${pattern}/_forcemerge?max_num_segments=1`);
  await req('POST', `/${pattern}/_refresh`);
  const rows = (await req('GET', `/_cat/indices/${pattern}?format=json&bytes=b&h=index,docs.count,store.size`)) as { 'docs.count': string; 'store.size': string }[];
  let docs = 0;
  let bytes = 0;
  for (const r of rows) {
    docs += Number(r['docs.count']);
    bytes += Number(r['store.size']);
  }
  return { docs, bytes };
}

/** CPU seconds the engine's nodes have used so far. */
async function engineCpu(): Promise<number> {
  const r = (await req('GET', '/_nodes/stats/process?filter_path=nodes.*.process.cpu.total_in_millis')) as { nodes?: Record<string, { process?: { cpu?: { total_in_millis?: number } } }> };
  let ms = 0;
  for (const n of Object.values(r.nodes ?? {})) ms += n.process?.cpu?.total_in_millis ?? 0;
  return ms / 1000;
}

/** Runs `script` under bash's `time`: its exit status, stderr, and user + system CPU seconds of everything it ran. */
function timed(script: string, errFile: string): { status: number | null; stderr: string; cpuSeconds: number } {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%U %S'; time { ${script} ; } 2>"${errFile}"`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const [user, sys] = (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  let stderr = '';
  try {
    stderr = readFileSync(errFile, 'utf8');
  } catch {
    // nothing written
  }
  return { status: r.status, stderr, cpuSeconds: (user ?? 0) + (sys ?? 0) };
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const tmp = mkdtempSync(join(tmpdir(), 'sluice-bench-os-'));
try {
  // sluice: the whole `sluice ingest --to elasticsearch` command, process start included.
  await req('DELETE', '/bench-sluice-*');
  const e0 = await engineCpu();
  const t0 = performance.now();
  const s = timed(
    [process.execPath, join(root, 'bin/sluice.js'), '--data-dir', join(tmp, 'data'), 'ingest', '--es-url', url, '--es-index', 'bench-sluice-%Y.%m.%d', '--progress', 'never', '--output', 'json', file].map(q).join(' ') + ' >/dev/null',
    join(tmp, 'sluice.err'),
  );
  const sluiceSecs = (performance.now() - t0) / 1000;
  const sluiceEngineCpu = (await engineCpu()) - e0;
  if (s.status !== 0) throw new Error(`sluice ingest failed: ${s.stderr}`);
  const sluiceSize = await sizeOf('bench-sluice-*');

  // The tshark way. As tshark 4.0 writes it, OpenSearch refuses every document: the action lines
  // carry `_type` (rejected since Elasticsearch 8 / OpenSearch 2) and the documents repeat keys
  // (e.g. `eth_eth_addr`, "Duplicate field"); `--no-duplicate-keys` is only allowed with -T json.
  // So the pipeline gets the two fixes any user of it needs today — `_type` removed by sed, each
  // document re-serialized once by a Node one-liner (JSON.parse keeps one value per key) — and the
  // field limit its own template sets (1,000,000). That work is counted in its time.
  const dedupeScript = join(tmp, 'dedupe.cjs');
  writeFileSync(
    dedupeScript,
    [
      "const rl = require('readline').createInterface({ input: process.stdin });",
      'let out = [];',
      "rl.on('line', (l) => { out.push(l.startsWith('{\\x22index') ? l : JSON.stringify(JSON.parse(l))); if (out.length >= 1000) { process.stdout.write(out.join('\\n') + '\\n'); out = []; } });",
      "rl.on('close', () => { if (out.length) process.stdout.write(out.join('\\n') + '\\n'); });",
    ].join('\n'),
  );
  const dedupe = `"${process.execPath}" "${dedupeScript}"`;
  await req('DELETE', '/bench-tshark-*');
  await req('PUT', '/_index_template/bench-tshark', { index_patterns: ['bench-tshark-*'], template: { settings: { 'index.mapping.total_fields.limit': 1000000, 'index.number_of_replicas': 0 } } });
  const e1 = await engineCpu();
  const t1 = performance.now();
  const conv = timed(`set -o pipefail; tshark -r "${file}" -T ek 2>/dev/null | sed -e 's/,"_type":"doc"//' -e 's/"_index":"packets-/"_index":"bench-tshark-/' | ${dedupe} | split -l 10000 - "${tmp}/chunk-"`, join(tmp, 'conv.err'));
  if (conv.status !== 0) throw new Error(`tshark -T ek | split failed: ${conv.stderr}`);
  const chunks = readdirSync(tmp).filter((f) => f.startsWith('chunk-')).map((f) => join(tmp, f));
  const upload = timed(`printf '%s\\n' ${chunks.map((c) => `"${c}"`).join(' ')} | xargs -P 4 -I{} curl -s -o /dev/null -H 'content-type: application/x-ndjson' --data-binary @{} "${url}/_bulk"`, join(tmp, 'upload.err'));
  if (upload.status !== 0) throw new Error(`curl upload failed: ${upload.stderr}`);
  const tsharkSecs = (performance.now() - t1) / 1000;
  const tsharkEngineCpu = (await engineCpu()) - e1;
  const tsharkSize = await sizeOf('bench-tshark-*');

  console.log(JSON.stringify({
    sluice: { seconds: sluiceSecs, docs: sluiceSize.docs, bytes: sluiceSize.bytes, cpuSeconds: s.cpuSeconds, engineCpuSeconds: sluiceEngineCpu },
    tshark: { seconds: tsharkSecs, docs: tsharkSize.docs, bytes: tsharkSize.bytes, chunks: chunks.length, cpuSeconds: conv.cpuSeconds + upload.cpuSeconds, engineCpuSeconds: tsharkEngineCpu },
  }));
  await req('DELETE', '/bench-sluice-*');
  await req('DELETE', '/bench-tshark-*');
  await req('DELETE', '/_index_template/bench-tshark');
  await req('DELETE', '/_index_template/bench-sluice');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
