import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Where the corpus captures are (override with SLUICE_CORPUS_PCAP). */
export const CORPUS_DIR = process.env.SLUICE_CORPUS_PCAP ?? '/work/shared/corpus/pcap';

/** Corpus capture paths, sorted; empty when the directory is missing. */
export function corpusFiles(): string[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'))
    .sort()
    .map((f) => join(CORPUS_DIR, f));
}

/** True when a working tshark is on the PATH. */
export function haveTshark(): boolean {
  const r = spawnSync('tshark', ['-v'], { encoding: 'utf8' });
  return r.status === 0;
}

/**
 * Runs tshark over `file` and returns, per frame number, every requested field as the list of all
 * its occurrences. Options chosen to see packets one at a time like sluice does: no TCP
 * desegmentation, no IP defragmentation, no name resolution; the Community ID post-dissector on.
 */
export function tsharkFields(file: string, fields: string[]): Map<number, string[][]> {
  const args = [
    '-n', '-r', file,
    '-o', 'tcp.desegment_tcp_streams:FALSE',
    '-o', 'ip.defragment:FALSE',
    '-o', 'ipv6.defragment:FALSE',
    '--enable-protocol', 'communityid',
    '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=\u0001',
    '-e', 'frame.number',
  ];
  for (const f of fields) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // tshark exits non-zero for a capture cut short in the middle of a record but still prints the
  // complete records, which is what the test walker reads too.
  if (r.status !== 0 && !/cut short/.test(r.stderr)) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  const out = new Map<number, string[][]>();
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    out.set(Number(cols[0]), fields.map((_, i) => (cols[i + 1] ? cols[i + 1].split('\u0001') : [])));
  }
  return out;
}
