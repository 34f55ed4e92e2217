/**
 * `sluice pcap [kql…] -o out.pcap|out.pcapng|-`: the matching packets as a capture file, in time
 * order. The format follows the file name (or `--format`); `-` writes pcap to stdout. The file is
 * written under a temporary name and renamed when complete, so a failed export leaves no half file.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { exportLocal, type ExportOptions, type ExportSummary } from '../../query/export-local.js';
import type { SluiceConfig } from '../../config/index.js';
import { engineClientFromConfig } from './engine-client-from-config.js';
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
  /** Read the packets from Elasticsearch/OpenSearch instead of the embedded store. */
  readonly engine?: boolean;
  readonly elasticsearch?: SluiceConfig['elasticsearch'];
}

/** Runs the export; returns the exit code. */
export async function runPcap(options: PcapCommandOptions, io: CommandIO = processIO): Promise<number> {
  const toStdout = options.output === '-';
  const format = options.format ?? (options.output.toLowerCase().endsWith('.pcapng') ? 'pcapng' : 'pcap');
  const started = performance.now();
  const partial = `${options.output}.partial-${process.pid}`;
  let summary: ExportSummary;
  const source = await openSource(options, io);
  try {
    if (toStdout) {
      summary = await source.export(io.stdout as NodeJS.WritableStream, { format, end: false });
    } else {
      const file = createWriteStream(partial);
      try {
        summary = await source.export(file, { format });
        await new Promise<void>((resolve, reject) => (file.closed ? resolve() : file.once('close', resolve).once('error', reject)));
        await rename(partial, options.output);
      } catch (err) {
        file.destroy();
        await rm(partial, { force: true });
        throw err;
      }
    }
  } finally {
    await source.close();
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

/** Where the packets come from: the embedded store, or the engine with --es-url. */
async function openSource(options: PcapCommandOptions, io: CommandIO) {
  const query = { kql: options.kql, fromNs: options.fromNs, toNs: options.toNs, limit: options.limit };
  if (!options.engine) {
    const store = openLocalStore({ dataDir: options.dataDir, readonly: true });
    return {
      export: (out: NodeJS.WritableStream, o: ExportOptions) => exportLocal(store, query, out, o),
      close: async () => store.close(),
    };
  }
  const es = options.elasticsearch!;
  const { detectEngine } = await import('../../sinks/elasticsearch/http/index.js');
  const { exportEngine } = await import('../../query/export-engine.js');
  const { searchTarget } = await import('../../sinks/elasticsearch/index-template.js');
  const client = engineClientFromConfig(es, io);
  try {
    const engine = await detectEngine(client);
    return {
      export: (out: NodeJS.WritableStream, o: ExportOptions) => exportEngine(client, engine, { ...query, index: searchTarget(es.index_pattern, es.data_stream) }, out, o),
      close: () => client.close(),
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}
