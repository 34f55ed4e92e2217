/**
 * The bounded label sets of sluice's metrics. A label value is never a file path, an address or free
 * text: each is an enum below, an error code from `src/errors.ts`, or an id that comes from the
 * configuration and is checked by {@link checkComponentId}. An unbounded label (one series per file
 * or per client address) is how a metrics endpoint grows until Prometheus drops it.
 */
import { ERROR_CODES, SluiceError, type ErrorCode } from '../errors.js';

/** What a component is in the pipeline (Vector's `component_kind`). */
export const COMPONENT_KINDS = ['source', 'transform', 'sink'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/**
 * Why events were dropped (`sluice_component_dropped_events_total{reason}`):
 * - `rejected`: the sink refused them for good (4xx per item, a document too large); they are in the dead-letter file.
 * - `buffer_full`: a bounded buffer was full and the source could not wait (live capture).
 * - `filtered`: dropped on purpose by configuration (a filter, sampling).
 * - `malformed`: could not be turned into an event at all (kept as an error document wherever possible).
 * - `shutdown`: still buffered when a stop deadline passed.
 * - `rate_limited`: over the configured rate with `rate_limit.mode: drop` (see docs/reference/protection.md).
 */
export const DROP_REASONS = ['rejected', 'buffer_full', 'filtered', 'malformed', 'shutdown', 'rate_limited'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/**
 * Where captured packets were lost (`sluice_capture_dropped_packets_total{where}`): `kernel` (the
 * capture buffer was full: libpcap `ps_drop`), `interface` (the NIC or driver: `ps_ifdrop`), `sluice`
 * (our own queue between the capture process and the pipeline).
 */
export const CAPTURE_DROP_WHERE = ['kernel', 'interface', 'sluice'] as const;
export type CaptureDropWhere = (typeof CAPTURE_DROP_WHERE)[number];

/** What happened to a file taken by a source (`sluice_files_total{outcome}`). */
export const FILE_OUTCOMES = ['ingested', 'duplicate', 'quarantined', 'interrupted', 'error'] as const;
export type FileOutcomeLabel = (typeof FILE_OUTCOMES)[number];

/** How one sink request ended (`sluice_sink_request_duration_seconds{outcome}`). */
export const REQUEST_OUTCOMES = ['success', 'partial', 'error'] as const;

/** Every error code, the only values of the `error_code` label. */
export const ERROR_CODE_LABELS: readonly ErrorCode[] = Object.keys(ERROR_CODES) as ErrorCode[];

/** True when `value` is a code of `src/errors.ts`. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/**
 * Component ids and types: a letter, then letters, digits, `_` or `-`, at most 64 characters.
 * No dots or slashes, so neither an IP address nor a path can slip in as an id.
 */
export const COMPONENT_ID_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** Throws `SLUICE_CONFIG_INVALID` unless `value` fits {@link COMPONENT_ID_PATTERN}. */
export function checkComponentId(value: string, what: string): string {
  if (!COMPONENT_ID_PATTERN.test(value)) {
    throw new SluiceError(
      'SLUICE_CONFIG_INVALID',
      `${what} ${JSON.stringify(value.slice(0, 80))} is not usable as a metric label: use 1-64 characters a-z, 0-9, "_" or "-", starting with a letter.`,
    );
  }
  return value;
}

/**
 * Interface names (Linux `IFNAMSIZ` is 16 bytes with the terminator): `eth0`, `enp0s3`, `eth0.100`,
 * `br-4f1c2a`, `any`. The name comes from the configuration, never from traffic.
 */
export const INTERFACE_PATTERN = /^[A-Za-z0-9_.:@-]{1,15}$/;

/** Throws `SLUICE_CONFIG_INVALID` unless `value` looks like an interface name. */
export function checkInterfaceName(value: string): string {
  if (!INTERFACE_PATTERN.test(value)) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `capture interface ${JSON.stringify(value.slice(0, 80))} is not an interface name (1-15 characters A-Z, a-z, 0-9, "_", ".", ":", "@" or "-").`);
  }
  return value;
}

/** Throws a `TypeError` (a bug, not a user error) unless `value` is one of `allowed`. */
export function checkEnum<T extends string>(value: T, allowed: readonly T[], label: string): T {
  if (!allowed.includes(value)) throw new TypeError(`metric label ${label}=${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}
