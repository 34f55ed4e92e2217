/**
 * Metrics of `sluice watch`, from the watcher's events (one per file, so nothing per packet).
 */
import type { ErrorCode } from '../errors.js';
import type { WatchEvent } from '../sources/watch/index.js';
import { isErrorCode } from './labels.js';
import type { ComponentMetrics, Metrics } from './metrics.js';

/** Options of {@link watchMetrics}. */
export interface WatchMetricsOptions {
  /** Id of the watch source (from the configuration). Default `watch`. */
  readonly id?: string;
  /** The data directory: its free space is reported (`sluice_disk_free_bytes`). */
  readonly dataDir?: string;
  /** The watched directory: its free space too (it may be another file system). */
  readonly watchDir?: string;
  /**
   * When the files go into the embedded store: the store's sink component, credited with the new
   * documents of each file (`sent`). Leave it out for the engine path, whose driver observer counts
   * what the engine acknowledged (see {@link Metrics.sinkObserver}).
   */
  readonly storeSink?: ComponentMetrics;
  /**
   * The code counted for a file whose ingest failed when the event carries none: `SLUICE_STORE_WRITE`
   * into the embedded store (the default), an engine code into Elasticsearch/OpenSearch.
   */
  readonly ingestErrorCode?: ErrorCode;
}

/** The watch source's component and the event handler to give the watcher (chain it with yours). */
export interface WatchMetrics {
  readonly source: ComponentMetrics;
  readonly onEvent: (event: WatchEvent) => void;
}

/**
 * Subscribes `metrics` to a watcher: pass the returned `onEvent` as (or call it from) the watcher's
 * `onEvent`. Counts `sluice_files_total{outcome}`, `sluice_files_in_flight`, packets and bytes read as
 * the source's received events, quarantines as `SLUICE_CAPTURE_PROBLEM` errors, failures by code, and
 * the disk guard as `sluice_intake_paused`.
 */
export function watchMetrics(metrics: Metrics, options: WatchMetricsOptions = {}): WatchMetrics {
  const source = metrics.component({ kind: 'source', type: 'watch', id: options.id ?? 'watch' });
  if (options.dataDir !== undefined) metrics.watchDiskFree(options.dataDir);
  if (options.watchDir !== undefined) metrics.watchDiskFree(options.watchDir);
  metrics.intakePaused(source, false);
  const started = new Set<string>();
  const finish = (path: string) => {
    if (started.delete(path)) metrics.filesInFlight(-1);
  };
  const onEvent = (e: WatchEvent): void => {
    switch (e.type) {
      case 'started':
        if (!started.has(e.path)) {
          started.add(e.path);
          metrics.filesInFlight(1);
        }
        return;
      case 'ingested':
      case 'duplicate':
      case 'quarantined':
      case 'interrupted': {
        finish(e.path);
        const o = e.outcome;
        metrics.fileFinished(e.type);
        // A duplicate was recognised by its fingerprint, not read: no input to count.
        if (o.status !== 'already-ingested') source.received(o.packets, o.bytes);
        if (o.stored > 0) options.storeSink?.sent(o.stored);
        if (e.type === 'quarantined') source.error('SLUICE_CAPTURE_PROBLEM');
        return;
      }
      case 'error': {
        // Only a failed ingest is a file outcome; a failed scan or disk check is an error only.
        if (e.path !== undefined && started.has(e.path)) {
          finish(e.path);
          metrics.fileFinished('error');
        }
        source.error(errorCodeOf(e, options.ingestErrorCode ?? 'SLUICE_STORE_WRITE'));
        return;
      }
      case 'paused':
        metrics.intakePaused(source, true);
        return;
      case 'resumed':
        metrics.intakePaused(source, false);
        return;
    }
  };
  return { source, onEvent };
}

/**
 * The error code of a watcher error: the event's own `code` when it has one; else the two failures
 * the watcher raises itself (an unreadable watched directory, a failed free-space check); else the
 * ingest's code.
 */
function errorCodeOf(e: Extract<WatchEvent, { type: 'error' }>, ingestCode: ErrorCode): ErrorCode {
  const own = (e as { code?: unknown }).code;
  if (isErrorCode(own)) return own;
  if (e.message.startsWith('cannot read the watched directory')) return 'SLUICE_INPUT_NOT_FOUND';
  if (e.message.startsWith('cannot check the free space')) return 'SLUICE_STORE_OPEN';
  return ingestCode;
}
