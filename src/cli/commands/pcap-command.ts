/**
 * `sluice pcap [kql…] -o out.pcap|out.pcapng|-`: the matching packets as a capture file, in time
 * order. The format follows the file name (or `--format`); `-` writes pcap to stdout. The file is
 * written under a temporary name and renamed when complete, so a failed export leaves no half file.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { exportLocal, type ExportSummary } from '../../query/export-local.js';
import { openLocalStore } from '../../sinks/local/local-store.js';
import { formatBytes, formatCount, formatDuration, processIO, type CommandIO } from '../output.js';

/** Options of {@link runPcap}. */
export interface PcapCommandOptions {
  readonly dataDir: string;
  readonly kql: string;
  readonly output: string;
  readonly format?: 'pcap' | 'pcapng';
  readonly fromNs?: bigint;
  readonly toNs?: bigint;
  readonly limit?: number;
  /** Print the summary as JSON (on stderr when the capture goes to stdout). */
  readonly json?: boolean;
}

/** Runs the export; returns the exit code. */
export async function runPcap(options: PcapCommandOptions, io: CommandIO = processIO): Promise<number> {
  const toStdout = options.output === '-';
  const format = options.format ?? (options.output.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap');
  const store = openLocalStore({ dataDir: options.dataDir, readonly: true });
  const started = performance.now();
  const partial = `${options.output}.partial-${process.pid}`;
  let summary: ExportSummary;
  try {
    const query = { kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit };
    if (toStdout) {
      summary = await exportLocal(store, query, io.stdout as NodeJS.WritableStream, { format, end: false });
    } else {
      const file = createWriteStream(partial);
      try {
        summary = await exportLocal(store, query, file, { format });
        await new Promise<void>((resolve, reject) => (file.closed ? resolve() : file.once('close', resolve).once('error', reject)));
        await rename(partial, options.output);
      } catch (err) {
        file.destroy();
        await rm(partial, { force: true });
        throw err;
      }
    }
  } finally {
    store.close();
  }
  const ms = performance.now() - started;
  const report = toStdout ? io.stderr : io.stdout;
  if (options.json) {
    report.write(JSON.stringify({ ...summary, output: options.output, durationMs: Math.round(ms) }) + '\n');
  } else if (summary.packets === 0) {
    report.write(`No packet matched; wrote an empty ${format} file to ${toStdout ? 'stdout' : options.output}.\n`);
  } else {
    report.write(
      `Exported ${formatCount(summary.packets)} packets (${formatBytes(summary.bytes)}, ${summary.format}` +
        `${summary.nanosecond ? ', nanosecond timestamps' : ''}${summary.format === 'pcapng' ? `, ${summary.interfaces} interface(s)` : ''}) ` +
        `to ${toStdout ? 'stdout' : options.output} in ${formatDuration(ms)}.\n`,
    );
  }
  return 0;
}
