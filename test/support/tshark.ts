/**
 * tshark, the reference decoder of the differential tests.
 *
 * When tshark is missing the suites that need it are skipped with a loud message; under CI=true a
 * skipped suite is a failure (the CI machine must have installed it through .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let cached: boolean | undefined;

/** True when `tshark` runs. */
export function hasTshark(): boolean {
  if (cached === undefined) cached = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
  return cached;
}

/**
 * The `skip` option for a suite that needs tshark: false when tshark is there; a reason string
 * otherwise. Throws under CI=true, because CI must not pass with the reference missing.
 */
export function skipWithoutTshark(): false | string {
  if (hasTshark()) return false;
  const msg = 'tshark is not installed: SKIPPING the differential tests against Wireshark (install it with scripts/stack/ensure-tshark.sh)';
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true a skipped suite is a failure`);
  console.error(`\n*** ${msg} ***\n`);
  return msg;
}

/**
 * Runs tshark and returns its stdout lines. tshark exits non-zero on damaged captures yet still
 * prints every packet it could read, so its output is returned whatever the exit status.
 */
export function tsharkLines(args: readonly string[]): string[] {
  const r = spawnSync('tshark', [...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  const out = r.stdout.endsWith('\n') ? r.stdout.slice(0, -1) : r.stdout;
  return out === '' ? [] : out.split('\n');
}

/** Per-frame fields from `tshark -T fields` (tab-separated, multiple occurrences joined by ','). */
export function tsharkFields(file: string, fields: readonly string[], extra: readonly string[] = []): string[][] {
  const args = ['-r', file, ...extra, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,'];
  for (const f of fields) args.push('-e', f);
  return tsharkLines(args).map((l) => l.split('\t'));
}

/** The shared corpus folder (`../shared/corpus` beside the repository). */
export const CORPUS_DIR = new URL('../../../../shared/corpus/', import.meta.url).pathname;
/** The shared benchmark folder. */
export const SHARED_BENCH_DIR = new URL('../../../../shared/bench/', import.meta.url).pathname;

/** Paths of every capture in the shared corpus (pcap and pcapng files). */
export function corpusCaptures(): string[] {
  const dir = join(CORPUS_DIR, 'pcap');
  if (!existsSync(dir)) throw new Error(`the shared corpus is missing at ${dir}: CI clones ../shared beside the repository`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'))
    .sort()
    .map((f) => join(dir, f));
}

/** One frame as tshark reads it: epoch time (tshark's 9 digits), lengths and raw bytes (hex). */
export interface TsharkFrame {
  /** Undefined when the frame has no timestamp (pcapng Simple Packet Block). */
  readonly epoch: string | undefined;
  readonly len: number;
  readonly capLen: number;
  readonly raw: string;
}

/** Every frame of `file` as tshark reads it (`-T json -x`), in file order; pcapng custom blocks left out. */
export function tsharkFrames(file: string): TsharkFrame[] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'json', '-x', '-j', 'frame'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  const docs = JSON.parse(r.stdout === '' ? '[]' : r.stdout) as { _source: { layers: { frame_raw?: [string]; frame: Record<string, string> } } }[];
  return docs
    .filter((d) => d._source.layers.frame['frame.encap_type'] !== undefined && d._source.layers.frame_raw !== undefined)
    .map((d) => ({
      epoch: d._source.layers.frame['frame.time_epoch'],
      len: Number(d._source.layers.frame['frame.len']),
      capLen: Number(d._source.layers.frame['frame.cap_len']),
      raw: d._source.layers.frame_raw![0],
    }));
}
