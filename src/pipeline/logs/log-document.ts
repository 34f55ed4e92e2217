/**
 * A log line turned into a document ready for any sink: its deterministic id (`<file id>-<byte
 * offset>`: the same line always gets the same id, so a replay after a crash is a 409 on `create`
 * and an ignored row in SQL), its daily target (index by the UTC date of the event), and its JSON.
 */
import { dailyIndex } from '../../sinks/elasticsearch/bulk-encoder.js';

/** Where a line came from (the tail source's identity of the file, and the line's byte offset). */
export interface LogPosition {
  readonly fileId: string;
  readonly offset: number;
  /** Path when it was read (for messages and `log.file.path`). */
  readonly path?: string;
}

/** A document for the sinks. */
export interface LogDocument {
  readonly id: string;
  /** Daily index (engine) or dataset (SQL, Kafka) the document belongs to. */
  readonly target: string;
  /** The dataset (`access`, `honeypot`): the embedded store and Kafka keep datasets apart. */
  readonly dataset: string;
  /** Event time, ms since the epoch (UTC). */
  readonly timestampMs: number;
  readonly body: Buffer;
  readonly position: LogPosition;
  /** The parsed record behind the document, for sinks that store records rather than documents (the honeypot tables). */
  readonly record?: unknown;
}

/** The deterministic id of the line at `position`. */
export function logDocumentId(position: LogPosition): string {
  return `${position.fileId}-${position.offset}`;
}

/**
 * Encodes `doc` (an ECS object with an ISO `@timestamp`; `fallbackMs` when it has none, e.g. an
 * unparsable line) into a {@link LogDocument} for the daily index `indexPattern`.
 */
export function toLogDocument(doc: { '@timestamp'?: string }, position: LogPosition, dataset: string, indexPattern: string, fallbackMs: number): LogDocument {
  let ms = doc['@timestamp'] === undefined ? NaN : Date.parse(doc['@timestamp']);
  if (!Number.isFinite(ms)) {
    ms = fallbackMs;
    doc['@timestamp'] = new Date(ms).toISOString();
  }
  const id = logDocumentId(position);
  // The id in the document too (ECS event.id): engines sort on it to page in the store's order
  // (sorting on _id is deprecated in OpenSearch 3 and off by default in Elasticsearch 8).
  const d = doc as { event?: Record<string, unknown> };
  d.event = { ...(d.event ?? {}), id };
  return {
    id,
    target: dailyIndex(indexPattern, Math.floor(ms / 1000)),
    dataset,
    timestampMs: ms,
    body: Buffer.from(JSON.stringify(doc)),
    position,
  };
}
