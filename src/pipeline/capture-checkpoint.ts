/**
 * The engine-side checkpoint of one capture (`sink_progress` in the data directory's store): how many
 * frames of it the sink has acknowledged, as a contiguous prefix. Shared by the native and the tshark
 * engine ingests. Frames are pushed in order from `committed + 1`, so the acknowledged prefix of the
 * driver's sequence numbers is the acknowledged prefix of frames.
 */
import type Database from 'better-sqlite3';
import { AckTracker } from '../sinks/util/ack-tracker.js';

/** Per-file trackers of an ingest run (the driver's acknowledgements find theirs by path). */
export type CheckpointTrackers = Map<string, { tracker: AckTracker; onMove: (watermark: number) => void }>;

/** Where an earlier run left a capture (undefined: never seen by this sink). */
export function previousCheckpoint(db: Database.Database, sink: string, captureId: string): { done: number; status: string } | undefined {
  return db.prepare('SELECT frames_done AS done, status FROM sink_progress WHERE sink = ? AND capture_id = ?').get(sink, captureId) as { done: number; status: string } | undefined;
}

/** The running checkpoint of one capture. */
export interface CaptureCheckpoint {
  readonly tracker: AckTracker;
  /** Records the end: the acknowledged prefix and whether the capture is complete or partial. */
  finish(status: 'complete' | 'partial'): void;
}

/**
 * Starts checkpointing `captureId` from `committed` frames: registers a tracker under `path` in
 * `trackers` whose moves are written at most twice a second (the final one always, by `finish`).
 */
export function startCaptureCheckpoint(db: Database.Database, trackers: CheckpointTrackers, sink: string, captureId: string, path: string, committed: number): CaptureCheckpoint {
  const save = db.prepare(
    `INSERT INTO sink_progress (sink, capture_id, path, frames_done, status, updated_at) VALUES (?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
     ON CONFLICT (sink, capture_id) DO UPDATE SET path = excluded.path, frames_done = max(frames_done, excluded.frames_done), status = excluded.status, updated_at = excluded.updated_at`,
  );
  save.run(sink, captureId, path, committed, 'delivering');
  const tracker = new AckTracker();
  let lastSaved = Date.now();
  trackers.set(path, {
    tracker,
    onMove: (watermark) => {
      const now = Date.now();
      if (now - lastSaved < 500) return;
      lastSaved = now;
      save.run(sink, captureId, path, committed + watermark, 'delivering');
    },
  });
  return {
    tracker,
    finish: (status) => {
      trackers.delete(path);
      save.run(sink, captureId, path, committed + tracker.watermark, status);
    },
  };
}
