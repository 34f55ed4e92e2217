/** Metrics, logs and the health line of the long-running commands. */
export { Metrics, ComponentMetrics, diskFreeBytes, REQUEST_DURATION_BUCKETS, MAX_SERIES_KEYS, type ComponentKey, type MetricsOptions } from './metrics.js';
export {
  COMPONENT_KINDS,
  DROP_REASONS,
  CAPTURE_DROP_WHERE,
  FILE_OUTCOMES,
  REQUEST_OUTCOMES,
  ERROR_CODE_LABELS,
  COMPONENT_ID_PATTERN,
  INTERFACE_PATTERN,
  isErrorCode,
  type ComponentKind,
  type DropReason,
  type CaptureDropWhere,
  type FileOutcomeLabel,
} from './labels.js';
export { watchMetrics, type WatchMetrics, type WatchMetricsOptions } from './watch-metrics.js';
export { createLogger, componentLogger, isTerminal, scrubUrlCredentials, REDACT_PATHS, type LogFormat, type LogLevel, type LoggerOptions } from './logger.js';
export { startHealthLog, healthMessage, HealthSampler, HEALTH_LOG_INTERVAL_SECS, type HealthLog, type HealthLogOptions, type HealthSnapshot } from './health-log.js';
