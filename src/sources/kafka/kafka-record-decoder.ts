/**
 * A Kafka record written by `sluice ship` back into a {@link LogDocument}: a parsed ECS document is
 * enriched (GeoIP, user agent, attack rules) and encoded; a raw line goes through the whole
 * access-log pipeline. Anything else is a poison record: {@link decodeAccessRecord} throws a
 * {@link PoisonRecordError} and the consumer sends the record to the dead-letter topic.
 */
import type { AccessLogDocument } from '../../decoders/access-log/index.js';
import { ACCESS_DATASET, type AccessLogPipeline } from '../../pipeline/logs/access-log-pipeline.js';
import { logDocumentId, toLogDocument, type LogDocument, type LogPosition } from '../../pipeline/logs/log-document.js';
import { KAFKA_HEADERS } from '../../sinks/kafka/kafka-options.js';

/** The parts of a consumed record the decoder reads. */
export interface KafkaInRecord {
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: ReadonlyMap<Buffer, Buffer>;
  /** Record time, ms since the epoch (dates a document without a usable `@timestamp`). */
  readonly timestampMs: number;
}

/** A record that can never become a document (not JSON, not an object, no position, another dataset). */
export class PoisonRecordError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_json' | 'not_object' | 'no_position' | 'wrong_id' | 'dataset' | 'invalid',
  ) {
    super(message);
    this.name = 'PoisonRecordError';
  }
}

/** Header values as strings (names are compared as strings). */
export function headerMap(headers: ReadonlyMap<Buffer, Buffer>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of headers) out.set(k.toString('utf8'), v === undefined || v === null ? '' : v.toString('utf8'));
  return out;
}

function positionOf(h: Map<string, string>, body: Record<string, unknown>): LogPosition {
  let fileId = h.get(KAFKA_HEADERS.fileId);
  let offsetText = h.get(KAFKA_HEADERS.offset);
  let path = h.get(KAFKA_HEADERS.path);
  const p = body.position;
  if ((fileId === undefined || offsetText === undefined) && p !== null && typeof p === 'object') {
    const q = p as { fileId?: unknown; offset?: unknown; path?: unknown };
    if (typeof q.fileId === 'string') fileId = q.fileId;
    if (typeof q.offset === 'number') offsetText = String(q.offset);
    if (typeof q.path === 'string') path ??= q.path;
  }
  if (fileId === undefined || fileId === '' || offsetText === undefined || !/^\d{1,15}$/.test(offsetText)) {
    throw new PoisonRecordError(`no position: the record has no ${KAFKA_HEADERS.fileId}/${KAFKA_HEADERS.offset} headers nor a "position" object`, 'no_position');
  }
  return path === undefined ? { fileId, offset: Number(offsetText) } : { fileId, offset: Number(offsetText), path };
}

/**
 * The document of one record (synchronous; throws {@link PoisonRecordError} for a poison record).
 * `nowMs` dates raw lines without a usable time.
 */
export function decodeAccessRecord(record: KafkaInRecord, pipeline: AccessLogPipeline): LogDocument {
  const h = headerMap(record.headers);
  const dataset = h.get(KAFKA_HEADERS.dataset);
  if (dataset !== undefined && dataset !== ACCESS_DATASET) throw new PoisonRecordError(`dataset ${JSON.stringify(dataset)}: this consumer takes access-log events only`, 'dataset');
  if (record.value === undefined || record.value.length === 0) throw new PoisonRecordError('the record has no value', 'not_json');
  let body: unknown;
  try {
    body = JSON.parse(record.value.toString('utf8'));
  } catch (err) {
    throw new PoisonRecordError(`the value is not JSON (${(err as Error).message})`, 'not_json');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PoisonRecordError(`the value is JSON but not an object (${Array.isArray(body) ? 'an array' : String(body === null ? 'null' : typeof body)})`, 'not_object');
  const obj = body as Record<string, unknown>;
  const position = positionOf(h, obj);
  const id = logDocumentId(position);
  const key = record.key?.toString('utf8');
  // The key is the id (or the file id when shipped with partitionBy 'file'); anything else is not ours.
  if (key !== undefined && key !== '' && key !== id && key !== position.fileId) throw new PoisonRecordError(`the key ${JSON.stringify(key.slice(0, 100))} is not the document id ${id} its position makes`, 'wrong_id');
  const raw = (h.get(KAFKA_HEADERS.format) ?? (typeof obj.raw === 'string' ? 'raw' : 'ecs')) === 'raw';
  if (raw) {
    if (typeof obj.raw !== 'string') throw new PoisonRecordError('a raw record needs a string "raw" field', 'invalid');
    return pipeline.process(obj.raw, position, record.timestampMs);
  }
  const doc = obj as unknown as AccessLogDocument;
  const event = (doc as { event?: unknown }).event;
  if (event === null || typeof event !== 'object' || typeof (event as { kind?: unknown }).kind !== 'string') {
    throw new PoisonRecordError('not a parsed access-log document: it has no event.kind', 'invalid');
  }
  try {
    pipeline.enrich(doc);
  } catch (err) {
    throw new PoisonRecordError(`enrichment failed: ${(err as Error).message}`, 'invalid');
  }
  return toLogDocument(doc, position, ACCESS_DATASET, pipeline.indexPattern, record.timestampMs);
}
