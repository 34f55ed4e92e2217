/**
 * Honeypot events: Cowrie JSON logs (2.x and 3.x) and the flat HP_TI shape, parsed, sanitised and
 * mapped to ECS. See docs/reference/honeypot-events.md.
 */
export { parseCowrieLine, looksCutShort, DEFAULT_MAX_FIELD_BYTES, type CowrieParseOptions } from './parse-cowrie-line.js';
export type { CowrieEvent, CowrieFlag, CowrieLineFormat, CowrieLinePosition, CowrieParseResult, CowrieRejectReason } from './cowrie-event.js';
export { COWRIE_EVENTS, UNKNOWN_EVENT_SPEC, cowrieEventSpec, type CowrieEventSpec, type CowrieEventKind } from './cowrie-events.js';
export { cowrieEventToEcs, cowrieRejectToEcs, HONEYPOT_ECS_VERSION, type CowrieEcsOptions } from './cowrie-ecs.js';
export { cowrieContentId, cowriePositionId } from './cowrie-content-id.js';
export { CowrieSessionContext } from './cowrie-session-context.js';
export { normalizeCowrieTimestamp } from './cowrie-timestamp.js';
export { HONEYPOT_FIELDS, type HoneypotField, type HoneypotFieldType } from './honeypot-fields.js';
export { sanitizeText, truncateUtf8, type SanitizeFlags } from './sanitize-text.js';
