/**
 * Schema of the embedded store (SQLite). Migrations are append-only: a store written by an older
 * sluice is upgraded in place by running the steps after its `user_version`.
 */

/** Each entry upgrades the store from version i to i+1. Never edit a released step; add a new one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE captures (
    id           INTEGER PRIMARY KEY,          -- small integer, the high part of packets.rowid
    capture_id   TEXT NOT NULL UNIQUE,         -- content fingerprint, first part of document ids
    path         TEXT NOT NULL,                -- path as last ingested
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,             -- file size when last ingested
    format       TEXT,                         -- 'pcap' | 'pcapng'
    interfaces   TEXT NOT NULL DEFAULT '[]',   -- JSON array of CaptureInterface
    packets      INTEGER NOT NULL DEFAULT 0,   -- packets stored so far (= highest frame committed)
    bytes_read   INTEGER NOT NULL DEFAULT 0,   -- file bytes consumed by the last committed batch
    min_ts_ns    INTEGER,                      -- earliest and latest packet time: time ranges skip whole
    max_ts_ns    INTEGER,                      -- captures with these (packets are not always in time order)
    problems     TEXT NOT NULL DEFAULT '[]',   -- JSON array of CaptureProblem
    doc_file     TEXT NOT NULL,                -- pcap.file of the capture's documents (path at first ingest)
    doc_name     TEXT NOT NULL,                -- source_file of the capture's documents
    doc_tail     BLOB NOT NULL,                -- the end shared by every document of the capture: a
                                               -- document is packets.doc minus its last 2 bytes || doc_tail
    status       TEXT NOT NULL,                -- 'ingesting' | 'complete' | 'partial'
    started_at   TEXT NOT NULL,
    finished_at  TEXT
  );
  -- rowid = captures.id * 2^32 + frame: deterministic, so a re-ingest is an INSERT OR IGNORE on
  -- the primary key, and rows of one capture are appended in key order (cheap B-tree inserts).
  CREATE TABLE packets (
    rowid        INTEGER PRIMARY KEY,
    ts_sec       INTEGER NOT NULL,             -- seconds since the epoch, UTC
    ts_nsec      INTEGER NOT NULL,             -- nanoseconds within the second (0..999999999)
    -- Nanoseconds since the epoch, exact (SQLite integers are 64-bit). Computed, not stored:
    -- binding two plain numbers is much cheaper than building a BigInt per packet.
    ts_ns        INTEGER GENERATED ALWAYS AS (ts_sec * 1000000000 + ts_nsec) VIRTUAL,
    link_type    INTEGER NOT NULL,
    interface    INTEGER NOT NULL,             -- global interface index within the capture
    orig_len     INTEGER NOT NULL,             -- length on the wire
    data         BLOB NOT NULL,                -- captured bytes, exactly as in the file
    doc          BLOB NOT NULL                 -- the ECS document without the capture's constant fields:
                                               -- a JSON object (UTF-8 bytes; CAST(doc AS TEXT) for json_*())
  );
  -- No index on ts_ns: it would halve the insert rate. Rows are in capture/frame order, which is
  -- time order within a capture, and captures carry first_ts_ns/last_ts_ns to prune time ranges.
  `,
  `
  -- Progress of deliveries to other sinks (Elasticsearch…): frames 1..frames_done of a capture are
  -- final there (created, already there, or dead-lettered). Moves only after the sink acknowledged.
  CREATE TABLE sink_progress (
    sink         TEXT NOT NULL,
    capture_id   TEXT NOT NULL,
    path         TEXT NOT NULL,
    frames_done  INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,               -- 'delivering' | 'complete' | 'partial'
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (sink, capture_id)
  );
  `,
];

/** Number of bits of the frame number inside packets.rowid. */
export const FRAME_BITS = 32;
/** 2^32, the multiplier of captures.id in packets.rowid. */
export const FRAME_SPAN = 2 ** FRAME_BITS;
