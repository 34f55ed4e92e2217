/**
 * sluice as a library: `new Pipeline(config)` with the same configuration as the YAML file (nested
 * keys, or dotted ones), then `processFile(path)` for one file read to its end, or `start()` /
 * `stop()` to follow `tail.paths` as the daemon does. Exactly once holds as for the commands: ids are
 * deterministic and checkpoints (in `data_dir`) move only after the sink acknowledged, so processing
 * a file twice adds nothing.
 *
 * ```ts
 * import { Pipeline } from 'sluice';
 * const pipeline = new Pipeline({ data_dir: './sluice-data', access_log: { format: 'nginx_combined' } });
 * const summary = await pipeline.processFile('/var/log/nginx/access.log');
 * console.log(summary.created, 'new documents');
 * ```
 */
import { startDaemonOps, type DaemonOps } from '../api/daemon-ops.js';
import { loadConfig, type SluiceConfig } from '../config/index.js';
import { SluiceError } from '../errors.js';
import type { TailToSinkSummary } from './logs/tail-to-sink.js';
import type { IngestSummary } from './ingest.js';

/** Configuration as an object: nested like the YAML file (`{ access_log: { format: … } }`) or dotted (`{ 'access_log.format': … }`). */
export type PipelineConfig = Readonly<Record<string, unknown>>;

/** What {@link Pipeline.processFile} did. */
export interface PipelineFileSummary {
  /** `capture` for pcap/pcapng files, else the log dataset (`access`, `honeypot`). */
  readonly kind: 'capture' | 'access' | 'honeypot';
  /** Lines or packets read. */
  readonly read: number;
  /** Documents stored now. */
  readonly created: number;
  /** Documents that were already there (a second run over the same input). */
  readonly existing: number;
  /** Documents refused for good (dead letters under `data_dir`). */
  readonly dead: number;
  /** The whole summary of the underlying ingest or tail. */
  readonly detail: IngestSummary | TailToSinkSummary;
}

/** See the module comment. */
export class Pipeline {
  /** The validated configuration (defaults filled in, secrets wrapped). */
  readonly config: SluiceConfig;
  #following: { stop: { stopped: boolean }; done: Promise<TailToSinkSummary>; ops: DaemonOps } | undefined;

  /**
   * Validates `config` exactly as the command line does (every problem at once, `SLUICE_CONFIG_INVALID`).
   * `options.env` adds `SLUICE_*` variables (default: none are read, so a library stays predictable).
   */
  constructor(config: PipelineConfig = {}, options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}) {
    this.config = loadConfig({ cwd: options.cwd, env: options.env ?? {}, dotenv: false, flags: flatten(config) });
  }

  /** Whether documents go to Elasticsearch/OpenSearch (`ingest.to: elasticsearch` or `elasticsearch.urls` set). */
  get toEngine(): boolean {
    return this.config.ingest.to === 'elasticsearch' || this.config.elasticsearch.urls.length > 0;
  }

  /**
   * Reads one file to its end and delivers it: a pcap/pcapng capture (recognised by its magic number)
   * through the packet path, anything else as a log of `tail.dataset`. Resolves once every document is
   * delivered (or refused into the dead-letter queue).
   */
  async processFile(path: string): Promise<PipelineFileSummary> {
    const { stat } = await import('node:fs/promises');
    const { startsWithMagic } = await import('./discover-captures.js');
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      throw new SluiceError('SLUICE_INPUT_NOT_FOUND', `${path} cannot be read: ${(err as Error).message}`, { cause: err });
    }
    if (await startsWithMagic(path)) return this.#processCapture(path, size);
    const ops = await silentOps();
    try {
      const { deliverLogs } = await import('../cli/commands/tail-command.js');
      const { summary } = await deliverLogs({ paths: [path], config: this.config, toEngine: this.toEngine, untilIdle: true, io: SILENT_IO, ops });
      if (summary.error) throw summary.error;
      return { kind: this.config.tail.dataset, read: summary.lines, created: summary.created, existing: summary.existing, dead: summary.dead, detail: summary };
    } finally {
      await ops.close();
    }
  }

  /** Starts following `tail.paths` (rotation, checkpoints) in the background; resolves once started. */
  async start(): Promise<void> {
    if (this.#following) throw new SluiceError('SLUICE_USAGE', 'this Pipeline is already started');
    if (this.config.tail.paths.length === 0) throw new SluiceError('SLUICE_USAGE', 'Pipeline.start() follows tail.paths: set them in the configuration');
    const ops = await silentOps();
    const stop = { stopped: false };
    const { deliverLogs } = await import('../cli/commands/tail-command.js');
    const done = deliverLogs({ paths: this.config.tail.paths, config: this.config, toEngine: this.toEngine, stopSignal: stop, io: SILENT_IO, ops }).then((r) => r.summary);
    done.catch(() => undefined);
    this.#following = { stop, done, ops };
  }

  /** Stops following: delivers what was read, writes the checkpoints; resolves with the totals. */
  async stop(): Promise<TailToSinkSummary | undefined> {
    const f = this.#following;
    if (f === undefined) return undefined;
    this.#following = undefined;
    f.stop.stopped = true;
    try {
      return await f.done;
    } finally {
      await f.ops.close();
    }
  }

  async #processCapture(path: string, size: number): Promise<PipelineFileSummary> {
    const file = { path, size };
    if (this.toEngine) {
      const { connectEngineIngest } = await import('../cli/commands/engine-ingest.js');
      const engine = await connectEngineIngest(this.config.elasticsearch, this.config.data_dir, SILENT_IO);
      try {
        const r = await engine.ingest([file], { batchPackets: this.config.ingest.batch_packets, readChunkBytes: this.config.ingest.read_chunk_bytes });
        await engine.refresh();
        return { kind: 'capture', read: r.packets, created: r.delivery.created, existing: r.delivery.exists, dead: r.delivery.dead, detail: r };
      } finally {
        await engine.close();
      }
    }
    const { ingestFiles } = await import('./ingest.js');
    const r = await ingestFiles({ dataDir: this.config.data_dir, synchronous: this.config.store.local.synchronous, cacheMb: this.config.store.local.cache_mb }, [file], {
      batchPackets: this.config.ingest.batch_packets,
      readChunkBytes: this.config.ingest.read_chunk_bytes,
    });
    return { kind: 'capture', read: r.packets, created: r.stored, existing: r.packets - r.stored, dead: 0, detail: r };
  }
}

const SILENT_IO = {
  stdout: { isTTY: false, write: () => true, once() {} },
  stderr: { isTTY: false, write: () => true, once() {} },
} as never;

function silentOps(): Promise<DaemonOps> {
  return startDaemonOps({ command: 'library', log: { level: 'silent', healthIntervalSecs: 0 } });
}

/** `{ a: { b: 1 } }` → `{ 'a.b': 1 }`; arrays and secrets stay values. */
function flatten(config: PipelineConfig, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype) flatten(value as PipelineConfig, path, out);
    else out[path] = value;
  }
  return out;
}
