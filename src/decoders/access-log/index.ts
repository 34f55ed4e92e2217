/** Web access logs (Apache, nginx, JSON) into ECS documents: see docs/reference/access-logs.md. */
export { createAccessLogParser, type AccessLogParser, type AccessLogParserOptions } from './access-log-parser.js';
export type { AccessLogDocument, AccessLogModule, AccessLogStats } from './access-log-document.js';
export { ACCESS_LOG_PRESETS, PRESET_FORMAT_STRINGS, type AccessLogPreset } from './access-log-presets.js';
export { assertAccessLog, detectWrongLogKind, type WrongLogKind } from './detect-log-kind.js';
export { MALFORMED_REQUEST_TAG } from './build-access-document.js';
export type { MalformedRequestReason } from './parse-request-line.js';
