/**
 * What both engine ingests of capture files (native decoder and tshark) run on: the embedded store
 * holding the checkpoints, the dead-letter file, and the shared sink driver whose acknowledgements
 * move each file's checkpoint.
 */
import type Database from 'better-sqlite3';
import { ElasticsearchSink } from '../sinks/elasticsearch/elasticsearch-sink.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import { openLocalStore } from '../sinks/local/local-store.js';
import { BatchDriver, type BatchDriverObserver } from '../sinks/util/batch-driver.js';
import { DeadLetterQueue } from '../sinks/util/dead-letter-queue.js';
import type { SinkItem } from '../sinks/util/sink-item.js';
import type { CheckpointTrackers } from './capture-checkpoint.js';

/** Where a packet document came from: echoed in acknowledgements and dead letters. */
export interface CapturePosition {
  readonly file: string;
  readonly frame: number;
  readonly seq: number;
}

/** Delivery counts of an engine ingest. */
export interface EngineDelivery {
  created: number;
  exists: number;
  dead: number;
  retried: number;
  requests: number;
  deadLetterFile: string;
}

/** An open delivery: close with `driver.close()` (drains), then always `stop()`. */
export interface EngineCaptureDelivery {
  readonly db: Database.Database;
  readonly driver: BatchDriver<SinkItem<CapturePosition>>;
  readonly trackers: CheckpointTrackers;
  /** The counts so far. */
  delivery(): EngineDelivery;
  /** Stops the driver and closes the store (after `driver.close()`, or on failure). */
  stop(): void;
}

/** Opens the store, the dead-letter file and the driver of one engine ingest. */
export function openEngineCaptureDelivery(options: {
  readonly dataDir: string;
  readonly client: EngineClient;
  readonly sinkName: string;
  readonly flushBytes?: number;
  readonly flushIntervalMs?: number;
  readonly concurrency?: number;
  readonly observer?: BatchDriverObserver;
}): EngineCaptureDelivery {
  const store = openLocalStore({ dataDir: options.dataDir });
  const deadLetters = new DeadLetterQueue(options.dataDir, options.sinkName);
  const trackers: CheckpointTrackers = new Map();
  const driver = new BatchDriver<SinkItem<CapturePosition>>({
    sender: new ElasticsearchSink(options.client),
    flushBytes: options.flushBytes,
    flushIntervalMs: options.flushIntervalMs,
    concurrency: options.concurrency,
    observer: options.observer,
    deadLetters,
    onAck: (items) => {
      for (const it of items) {
        const t = trackers.get(it.position.file);
        if (t !== undefined && t.tracker.ack(it.position.seq)) t.onMove(t.tracker.watermark);
      }
    },
  });
  return {
    db: store.db,
    driver,
    trackers,
    delivery: () => {
      const s = driver.stats;
      return { created: s.created, exists: s.exists, dead: s.dead, retried: s.retried, requests: s.requests, deadLetterFile: deadLetters.path };
    },
    stop: () => {
      driver.stop();
      store.close();
    },
  };
}
