/**
 * The generated key table of `docs/reference/config.md` (between the markers below). A test fails
 * when the committed table differs; `node dist/src/config/write-json-schema.js` rewrites it.
 */
import { CONFIG_KEYS, type ConfigKey, type TypeInfo } from './keys.js';

export const CONFIG_DOC_PATH = 'docs/reference/config.md';
export const KEY_TABLE_BEGIN = '<!-- config-keys:begin (generated from src/config/schema.ts by node dist/src/config/write-json-schema.js; do not edit) -->';
export const KEY_TABLE_END = '<!-- config-keys:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function range(t: TypeInfo): string {
  const lo = t.minimum ?? t.exclusiveMinimum;
  const hi = t.maximum ?? t.exclusiveMaximum;
  if (lo === undefined && hi === undefined) return '';
  return ` (${lo ?? '…'} to ${hi ?? '…'})`;
}

/** Human-readable type of a key. */
export function typeLabel(t: TypeInfo, secret = t.secret): string {
  switch (t.kind) {
    case 'enum':
      return 'one of ' + (t.choices ?? []).map((c) => `\`${c}\``).join(', ');
    case 'integer':
    case 'number':
      return t.kind + range(t);
    case 'array':
      return `list of ${typeLabel(t.items!)}`;
    case 'string':
      if (secret) return 'secret string';
      return t.format === 'uri' ? 'URL' : 'string';
    default:
      return t.kind;
  }
}

function defaultLabel(k: ConfigKey): string {
  if (k.default === undefined) return '(unset)';
  return '`' + JSON.stringify(k.default) + '`';
}

function row(k: ConfigKey): string {
  const cells = [
    `\`${k.path}\``,
    typeLabel(k.type),
    defaultLabel(k),
    `\`${k.env}\``,
    k.flag ? `\`${k.flag}\`` : '— (env or file only)',
    k.description,
  ];
  return '| ' + cells.map(cell).join(' | ') + ' |';
}

/** The generated block, markers included. */
export function renderKeyTable(): string {
  return [
    KEY_TABLE_BEGIN,
    '| Key | Type | Default | Environment variable | Flag | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...CONFIG_KEYS.map(row),
    KEY_TABLE_END,
  ].join('\n');
}

/** `doc` with its generated block replaced by the current one (throws when the markers are missing). */
export function replaceKeyTable(doc: string): string {
  const begin = doc.indexOf(KEY_TABLE_BEGIN);
  const end = doc.indexOf(KEY_TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`${CONFIG_DOC_PATH}: key table markers not found`);
  return doc.slice(0, begin) + renderKeyTable() + doc.slice(end + KEY_TABLE_END.length);
}
