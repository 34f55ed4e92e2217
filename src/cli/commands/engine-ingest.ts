/**
 * The engine side of `ingest --to elasticsearch` and `watch --es-url`: connect, detect the engine,
 * make sure the packet template exists, and ingest through the shared driver.
 */
import type { SluiceConfig } from '../../config/index.js';
import type { CaptureFile } from '../../pipeline/discover-captures.js';
import type { IngestOptions } from '../../pipeline/ingest.js';
import { ingestFilesToEngine } from '../../pipeline/ingest-engine.js';
import { detectEngine, type EngineClient } from '../../sinks/elasticsearch/http/index.js';
import type { BatchDriverObserver } from '../../sinks/util/batch-driver.js';
import { searchTarget, templatePattern } from '../../sinks/elasticsearch/index-template.js';
import { ensurePacketTemplate } from '../../sinks/elasticsearch/install-template.js';
import type { FieldRegistry } from '../../decoders/tshark-ek/field-registry.js';
import type { CommandIO } from '../output.js';
import { engineClientFromConfig } from './engine-client-from-config.js';

/** A connected engine ready to take captures. */
export interface EngineIngest {
  /** Node URLs without credentials (never print the URLs as configured). */
  readonly nodes: readonly string[];
  /** The connection (readiness checks). */
  readonly client: EngineClient;
  /** Ingests files exactly once (checkpoints and dead letters in `dataDir`). */
  ingest(files: readonly CaptureFile[], options: IngestOptions): ReturnType<typeof ingestFilesToEngine>;
  /** Makes what was delivered searchable now rather than at the next refresh. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to the engine of the `elasticsearch` configuration. */
export async function connectEngineIngest(
  es: SluiceConfig['elasticsearch'],
  dataDir: string,
  io: CommandIO,
  extra: { readonly observer?: BatchDriverObserver; readonly tshark?: SluiceConfig['tshark'] } = {},
): Promise<EngineIngest> {
  const client = engineClientFromConfig(es, io);
  const tshark = extra.tshark;
  let registry: FieldRegistry | undefined;
  try {
    const info = await detectEngine(client);
    io.stderr.write(`Connected to ${info.distribution} ${info.version.text} at ${client.nodes.join(', ')}.\n`);
    if (tshark !== undefined) {
      // Wireshark's field registry (names and types), read once for the whole run.
      const { loadFieldRegistry } = await import('../../decoders/tshark-ek/field-registry.js');
      registry = loadFieldRegistry(tshark.path);
    }
    const template = tshark !== undefined ? 'exists' : await ensurePacketTemplate(client, { indexPattern: es.index_pattern, dataStream: es.data_stream });
    if (template === 'not-allowed') {
      io.stderr.write('sluice: warning: these credentials may not read or install index templates; assuming `sluice setup` installed the packet template\n');
    }
  } catch (err) {
    await client.close();
    throw err;
  }
  return {
    nodes: client.nodes,
    client,
    ingest: async (files, options) => {
      if (tshark !== undefined) {
        const { ingestFilesWithTshark } = await import('../../pipeline/ingest-tshark.js');
        return ingestFilesWithTshark(files, {
          ...options,
          dataDir,
          client,
          registry,
          tsharkPath: tshark.path,
          indexPattern: tshark.index_pattern,
          fieldLimitCount: tshark.field_limit_count,
          flushBytes: es.flush_bytes,
          flushIntervalMs: es.flush_interval_ms,
          concurrency: es.concurrency_count,
          observer: extra.observer,
        });
      }
      return ingestFilesToEngine(files, {
        ...options,
        dataDir,
        client,
        indexPattern: es.index_pattern,
        dataStream: es.data_stream,
        flushBytes: es.flush_bytes,
        flushIntervalMs: es.flush_interval_ms,
        concurrency: es.concurrency_count,
        observer: extra.observer,
      });
    },
    refresh: async () => {
      const target = encodeURIComponent(tshark !== undefined ? templatePattern(tshark.index_pattern) : searchTarget(es.index_pattern, es.data_stream));
      await client.request({ method: 'POST', path: `/${target}/_refresh`, query: { ignore_unavailable: true } }).catch(() => undefined);
    },
    close: () => client.close(),
  };
}
