/**
 * What the Kafka producer (`sluice ship`) and consumer (`sluice consume`) share: the broker list,
 * the record format on the topic, the header names, compression, and turning the client's errors
 * into sluice errors with a message that says what to do.
 */
import { SluiceError, type ErrorCode } from '../../errors.js';

/** Compression codecs of Kafka record batches. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

/** Default topic of access-log events. */
export const DEFAULT_KAFKA_TOPIC = 'sluice-access';

/** Default compression: lz4 is fast on both sides and available on every Node.js (zstd needs 22.15+). */
export const DEFAULT_KAFKA_COMPRESSION: KafkaCompression = 'lz4';

/**
 * Record headers sluice writes (and reads back). The document id is the record key; the position
 * (file identity and byte offset of the line) is what the id is made of, so a consumer can check it.
 */
export const KAFKA_HEADERS = {
  dataset: 'sluice.dataset',
  /** `ecs`: the value is a parsed, not enriched, ECS document; `raw`: `{"raw": line, "position": …}`. */
  format: 'sluice.format',
  fileId: 'sluice.file_id',
  offset: 'sluice.offset',
  path: 'sluice.path',
  /** Dead-letter records: why, and where they came from. */
  error: 'sluice.error',
  errorCode: 'sluice.error_code',
  sourceTopic: 'sluice.source_topic',
  sourcePartition: 'sluice.source_partition',
  sourceOffset: 'sluice.source_offset',
} as const;

/** Record formats on the topic. */
export type KafkaRecordFormat = 'ecs' | 'raw';

/** Checks a `host:port` broker list; throws `SLUICE_KAFKA_OPTIONS` naming the bad entry. */
export function checkBrokers(brokers: readonly string[]): string[] {
  const list = brokers.flatMap((b) => b.split(',')).map((b) => b.trim()).filter((b) => b !== '');
  if (list.length === 0) throw new SluiceError('SLUICE_KAFKA_OPTIONS', 'no Kafka broker given: pass --kafka-brokers host:port[,host:port…] (or kafka.brokers)');
  for (const b of list) {
    const m = /^(\[[0-9a-fA-F:]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(b);
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new SluiceError('SLUICE_KAFKA_OPTIONS', `kafka.brokers: ${JSON.stringify(b)} is not host:port (for example 127.0.0.1:9092); give the brokers without a scheme, separated by commas`);
    }
  }
  return list;
}

/** Checks a topic or group name against Kafka's rules (legal characters, at most 249 long). */
export function checkName(what: 'topic' | 'group' | 'dlq_topic', name: string): string {
  if (what === 'group' ? name.trim() === '' : !/^[a-zA-Z0-9._-]{1,249}$/.test(name) || name === '.' || name === '..') {
    throw new SluiceError('SLUICE_KAFKA_OPTIONS', `kafka.${what}: ${JSON.stringify(name)} is not a valid Kafka ${what === 'group' ? 'group id' : 'topic name'} (letters, digits, '.', '_' and '-', at most 249 characters)`);
  }
  return name;
}

/** Checks the compression codec; zstd only where this Node.js has it. */
export function checkCompression(c: string, zstdAvailable: boolean): KafkaCompression {
  if (!(KAFKA_COMPRESSIONS as readonly string[]).includes(c)) {
    throw new SluiceError('SLUICE_KAFKA_OPTIONS', `kafka.compression: ${JSON.stringify(c)} is not one of ${KAFKA_COMPRESSIONS.join(', ')}`);
  }
  if (c === 'zstd' && !zstdAvailable) {
    throw new SluiceError('SLUICE_KAFKA_OPTIONS', `kafka.compression: zstd needs Node.js 22.15 or newer (this is ${process.version}); use lz4 (the default), snappy or gzip`);
  }
  return c as KafkaCompression;
}

/** The client's error codes that mean "could not reach a broker". */
const NETWORK_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** The innermost messages of an error (the client nests them in `cause` and `errors`). */
export function describeKafkaError(err: unknown): string {
  const seen: string[] = [];
  const walk = (e: unknown, depth: number): void => {
    if (e === null || typeof e !== 'object' || depth > 5) return;
    const x = e as { message?: string; code?: string; cause?: unknown; errors?: unknown[] };
    const nested = [...(x.errors ?? []), ...(x.cause !== undefined ? [x.cause] : [])];
    if (nested.length === 0 && x.message) seen.push(x.code && !x.message.includes(x.code) ? `${x.message} (${x.code})` : x.message);
    for (const n of nested.slice(0, 3)) walk(n, depth + 1);
  };
  walk(err, 0);
  const msg = [...new Set(seen)].join('; ');
  return msg || (err instanceof Error ? err.message : String(err));
}

/** True when `err` (or a cause inside it) is a connection failure rather than a refusal by the broker. */
export function isKafkaNetworkError(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 5) return false;
  const x = err as { code?: string; cause?: unknown; errors?: unknown[] };
  if (x.code !== undefined && NETWORK_CODES.has(x.code)) return true;
  return [...(x.errors ?? []), x.cause].some((e) => isKafkaNetworkError(e, depth + 1));
}

/**
 * True when sending again may succeed: a connection failure, or an error the client marks as
 * retriable (leader moved, coordinator loading, not enough replicas while the broker starts).
 */
export function isRetriableKafkaError(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 5) return false;
  if (isKafkaNetworkError(err)) return true;
  const x = err as { canRetry?: boolean; cause?: unknown; errors?: unknown[] };
  if (x.canRetry === true) return true;
  return [...(x.errors ?? []), x.cause].some((e) => isRetriableKafkaError(e, depth + 1));
}

/** A SluiceError for a client failure: unreachable when it is a connection problem, `code` otherwise. */
export function kafkaError(code: ErrorCode, what: string, brokers: readonly string[], err: unknown): SluiceError {
  if (err instanceof SluiceError) return err;
  if (isKafkaNetworkError(err)) {
    return new SluiceError('SLUICE_KAFKA_UNREACHABLE', `${what}: no Kafka broker of ${brokers.join(', ')} answered (${describeKafkaError(err)}); check kafka.brokers and that the broker runs`, { cause: err });
  }
  return new SluiceError(code, `${what}: ${describeKafkaError(err)}`, { cause: err });
}
