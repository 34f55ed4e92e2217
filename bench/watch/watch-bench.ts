/**
 * The watch daemon, measured as a user sees it (issue 5):
 *
 * 1. Latency: `sluice watch` runs as its own process; 50 captures (4,000 packets each, cut from the
 *    standard input) appear one after another in the watched folder (written elsewhere, then
 *    renamed in, so each appears at once). For each, the time from its appearance to its packets
 *    being searchable: counted in the embedded store (a separate read-only connection), or with
 *    `--engine URL` by `_count` on OpenSearch (no forced refresh: the index refresh interval is part
 *    of the latency). p50/p99 are reported with the stability and poll settings used.
 * 2. Memory: ~1 GB of distinct captures (variants of the standard input) dropped at once; the
 *    daemon's resident memory is sampled from /proc every 100 ms until every packet is in the store.
 *
 * Usage: node dist/bench/watch/watch-bench.js [--file F] [--files 50] [--gb 1] [--engine URL] [--stable-ms 1000] [--poll-ms 200] [--no-latency] [--no-memory]
 * Prints a JSON line of results last.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countStoredDocuments } from '../../src/query/search-local.js';
import { openLocalStore, type LocalStore } from '../../src/sinks/local/local-store.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = opt('--file') ?? new URL('../../../../shared/bench/mixed-200k.pcap', import.meta.url).pathname;
const fileCount = Number(opt('--files') ?? 50);
const gigabytes = Number(opt('--gb') ?? 1);
const engine = opt('--engine');
const stableMs = Number(opt('--stable-ms') ?? 1000);
const pollMs = Number(opt('--poll-ms') ?? 200);
const PACKETS_PER_FILE = 4000;
const BIN = new URL('../../../bin/sluice.js', import.meta.url).pathname;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pcap records of the input, as [start, end) byte ranges (classic pcap, either byte order). */
function records(buf: Buffer): { header: Buffer; ranges: [number, number][] } {
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error('the benchmark input must be a classic pcap file');
  const ranges: [number, number][] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const incl = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
    const end = off + 16 + incl;
    if (end > buf.length) break;
    ranges.push([off, end]);
    off = end;
  }
  return { header: buf.subarray(0, 24), ranges };
}

function startDaemon(dataDir: string, inbox: string): ChildProcess {
  const extra = engine ? ['--es-url', engine, '--es-index', `sluice-bench-watch-%Y.%m.%d`] : [];
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, 'watch', inbox, '--stable-ms', String(stableMs), '--poll-interval-ms', String(pollMs), '--min-free-mb', '0', ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SLUICE_LOG__LEVEL: 'warn' },
  });
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A count of what is searchable now. */
function counter(dataDir: string): () => Promise<number> {
  if (engine) {
    return async () => {
      const r = await fetch(`${engine}/sluice-bench-watch-*/_count`).catch(() => undefined);
      return r?.ok ? ((await r.json()) as { count: number }).count : 0;
    };
  }
  let store: LocalStore | undefined;
  return async () => {
    if (store === undefined) {
      if (!existsSync(join(dataDir, 'sluice.db'))) return 0;
      try {
        store = openLocalStore({ dataDir, readonly: true });
      } catch {
        return 0;
      }
    }
    return countStoredDocuments(store);
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function latency(input: Buffer): Promise<{ files: number; p50Ms: number; p99Ms: number; maxMs: number }> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-bench-watch-'));
  const inbox = join(root, 'inbox');
  const staging = join(root, 'staging');
  mkdirSync(inbox);
  mkdirSync(staging);
  const { header, ranges } = records(input);
  if (ranges.length < fileCount * PACKETS_PER_FILE) throw new Error(`the input has too few packets for ${fileCount} files`);
  if (engine) await fetch(`${engine}/sluice-bench-watch-*`, { method: 'DELETE' });
  const dataDir = join(root, 'data');
  const child = startDaemon(dataDir, inbox);
  const count = counter(dataDir);
  const latencies: number[] = [];
  try {
    await sleep(1000); // the daemon's start-up is not part of any file's latency
    let expected = 0;
    for (let i = 0; i < fileCount; i++) {
      const slice = ranges.slice(i * PACKETS_PER_FILE, (i + 1) * PACKETS_PER_FILE);
      const body = Buffer.concat([header, input.subarray(slice[0][0], slice[slice.length - 1][1])]);
      const staged = join(staging, `part-${i}.pcap`);
      writeFileSync(staged, body);
      renameSync(staged, join(inbox, `part-${i}.pcap`));
      const t0 = performance.now();
      expected += slice.length;
      while ((await count()) < expected) {
        if (child.exitCode !== null) throw new Error('the watch daemon exited');
        await sleep(10);
      }
      latencies.push(performance.now() - t0);
      process.stderr.write(`\rfile ${i + 1}/${fileCount}: ${latencies[i].toFixed(0)} ms   `);
    }
    process.stderr.write('\n');
  } finally {
    await stopDaemon(child);
    if (engine) {
      await fetch(`${engine}/sluice-bench-watch-*`, { method: 'DELETE' });
      await fetch(`${engine}/_index_template/sluice-bench-watch`, { method: 'DELETE' });
    }
    rmSync(root, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  return { files: fileCount, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] };
}

async function memory(input: Buffer): Promise<{ bytes: number; files: number; packets: number; seconds: number; peakRssMb: number; largestSampleMb: Record<string, number> }> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-bench-watch-rss-'));
  const inbox = join(root, 'inbox');
  mkdirSync(inbox);
  const { ranges } = records(input);
  const copies = Math.max(1, Math.round((gigabytes * 1e9) / input.length));
  for (let i = 0; i < copies; i++) {
    // A distinct first packet time per copy: a distinct capture (a plain copy is a duplicate).
    const variant = Buffer.from(input);
    variant.writeUInt32LE(variant.readUInt32LE(24) + i + 1, 24);
    writeFileSync(join(inbox, `variant-${String(i).padStart(3, '0')}.pcap`), variant);
  }
  const dataDir = join(root, 'data');
  const t0 = performance.now();
  const child = startDaemon(dataDir, inbox);
  const count = counter(dataDir);
  let peakKb = 0;
  // The largest sample's parts (anonymous, file-backed, shared memory): where a peak comes from.
  let largest: Record<string, number> = {};
  const sample = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      const kb = field('VmHWM') || field('VmRSS');
      peakKb = Math.max(peakKb, kb);
      if (field('VmRSS') / 1024 > (largest.rss ?? 0)) {
        largest = Object.fromEntries([['rss', 'VmRSS'], ['anon', 'RssAnon'], ['file', 'RssFile'], ['shmem', 'RssShmem']].map(([k, f]) => [k, Math.round(field(f!) / 1024)]));
      }
    } catch {
      /* exited */
    }
  };
  const expected = copies * ranges.length;
  try {
    while ((await count()) < expected) {
      if (child.exitCode !== null) throw new Error('the watch daemon exited');
      sample();
      await sleep(100);
    }
    sample();
  } finally {
    await stopDaemon(child);
    rmSync(root, { recursive: true, force: true });
  }
  return { bytes: copies * input.length, files: copies, packets: expected, seconds: (performance.now() - t0) / 1000, peakRssMb: peakKb / 1024, largestSampleMb: largest };
}

const input = readFileSync(file);
const lat = args.includes('--no-latency') ? undefined : await latency(input);
const mem = args.includes('--no-memory') || engine ? undefined : await memory(input);
console.log(JSON.stringify({ sink: engine ? 'opensearch' : 'local', stableMs, pollMs, latency: lat, memory: mem }));
