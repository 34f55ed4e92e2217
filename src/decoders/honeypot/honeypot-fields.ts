/**
 * Every field a honeypot document can hold, with its engine type: the one list behind the index
 * template (src/sinks/elasticsearch/honeypot-template.ts) and checked against what
 * {@link cowrieEventToEcs} writes by a test, so a field cannot be written without being mapped.
 */

import { geoFields, type EcsFieldType } from '../../sinks/elasticsearch/ecs-template.js';

/** Engine type of a honeypot field. `text_keyword` is a keyword with a `.text` full-text sub-field. */
export type HoneypotFieldType = EcsFieldType;

/** One mapped field. */
export interface HoneypotField {
  readonly name: string;
  readonly type: HoneypotFieldType;
}

const f = (name: string, type: HoneypotFieldType): HoneypotField => ({ name, type });

/** The fields, ECS first, then the `cowrie.*` namespace for what ECS lacks. */
export const HONEYPOT_FIELDS: readonly HoneypotField[] = Object.freeze([
  f('@timestamp', 'date_nanos'),
  f('message', 'text'),
  f('tags', 'keyword'),
  f('ecs.version', 'keyword'),
  f('event.id', 'keyword'),
  f('event.kind', 'keyword'),
  f('event.category', 'keyword'),
  f('event.type', 'keyword'),
  f('event.action', 'keyword'),
  f('event.outcome', 'keyword'),
  f('event.dataset', 'keyword'),
  f('event.module', 'keyword'),
  f('event.duration', 'long'),
  f('event.original', 'unindexed_keyword'),
  f('error.message', 'text'),
  f('error.type', 'keyword'),
  f('source.ip', 'ip'),
  f('source.port', 'integer'),
  ...geoFields('source'),
  f('destination.ip', 'ip'),
  f('destination.port', 'integer'),
  f('network.transport', 'keyword'),
  f('network.protocol', 'keyword'),
  f('network.direction', 'keyword'),
  f('user.name', 'keyword'),
  f('process.command_line', 'text_keyword'),
  f('process.name', 'keyword'),
  f('url.full', 'text_keyword'),
  f('url.scheme', 'keyword'),
  f('url.domain', 'keyword'),
  f('url.port', 'integer'),
  f('url.path', 'keyword'),
  f('file.hash.sha256', 'keyword'),
  f('file.path', 'keyword'),
  f('file.name', 'keyword'),
  f('file.size', 'long'),
  f('observer.name', 'keyword'),
  f('observer.type', 'keyword'),
  f('observer.product', 'keyword'),
  f('observer.vendor', 'keyword'),
  f('related.ip', 'ip'),
  f('related.user', 'keyword'),
  f('related.hash', 'keyword'),
  f('log.level', 'keyword'),
  f('log.logger', 'keyword'),
  f('log.file.path', 'keyword'),
  f('log.offset', 'long'),
  f('cowrie.eventid', 'keyword'),
  f('cowrie.format', 'keyword'),
  f('cowrie.session', 'keyword'),
  f('cowrie.password', 'keyword'),
  f('cowrie.hassh', 'keyword'),
  f('cowrie.hassh_algorithms', 'keyword'),
  f('cowrie.client_version', 'keyword'),
  f('cowrie.kex.kex_algs', 'keyword'),
  f('cowrie.kex.key_algs', 'keyword'),
  f('cowrie.kex.enc_cs', 'keyword'),
  f('cowrie.kex.mac_cs', 'keyword'),
  f('cowrie.kex.comp_cs', 'keyword'),
  f('cowrie.kex.lang_cs', 'keyword'),
  f('cowrie.ttylog', 'keyword'),
  f('cowrie.duplicate', 'boolean'),
  f('cowrie.arch', 'keyword'),
  f('cowrie.terminal.width', 'integer'),
  f('cowrie.terminal.height', 'integer'),
  f('cowrie.env.name', 'keyword'),
  f('cowrie.env.value', 'keyword'),
  f('cowrie.key.fingerprint', 'keyword'),
  f('cowrie.key.type', 'keyword'),
  f('cowrie.key.value', 'unindexed_keyword'),
  f('cowrie.data', 'unindexed_keyword'),
  f('cowrie.virustotal.positives', 'integer'),
  f('cowrie.virustotal.total', 'integer'),
  f('cowrie.virustotal.is_new', 'boolean'),
  f('cowrie.sensor_uuid', 'keyword'),
  f('cowrie.system', 'keyword'),
  f('cowrie.is_error', 'boolean'),
  f('cowrie.truncated_fields', 'keyword'),
  f('cowrie.extra', 'unindexed_object'),
]);
