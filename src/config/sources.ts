/**
 * The configuration layers: YAML file, environment (real variables over `.env`), flags. Each layer
 * maps dotted key paths to raw values and remembers where each value came from. Strings from the
 * environment and from flags are coerced to the key's type here; the schema validates afterwards.
 */
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { ConfigFileError, type ConfigProblem } from './config-error.js';
import { CONFIG_KEYS, CONFIG_TYPE, configKey, EXTRA_ENV_VARS, flagName, type ConfigKey, type TypeInfo } from './keys.js';

/** One raw value of a layer. */
export interface LayerValue {
  readonly value: unknown;
  readonly source: string;
  /** Sources of list items when they differ from `source` (YAML lines). */
  readonly itemSources?: readonly string[];
  /** Set when the raw string could not be coerced to the key's type. */
  readonly error?: string;
}

export interface Layer {
  readonly values: Map<string, LayerValue>;
  /** Problems found while reading the layer (unknown keys, wrong nesting). */
  readonly problems: ConfigProblem[];
  /** Raw secret strings seen in the layer, to scrub from messages. */
  readonly secrets: string[];
}

function newLayer(): Layer {
  return { values: new Map(), problems: [], secrets: [] };
}

/** A value for a message; `undefined` when the key's values must not be echoed. */
export function echo(key: ConfigKey | undefined, value: unknown): string | undefined {
  if (!key || key.secret) return undefined;
  const t = key.type.kind === 'array' ? key.type.items! : key.type;
  if (t.format === 'uri') return undefined; // may carry credentials
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

const BOOLEANS = new Map<string, boolean>([
  ['true', true], ['false', false], ['1', true], ['0', false], ['yes', true], ['no', false],
]);

function coerceScalar(t: TypeInfo, raw: string): { value: unknown } | { error: string } {
  switch (t.kind) {
    case 'integer': {
      const s = raw.trim();
      if (/^[+-]?\d+(_\d+)*$/.test(s)) return { value: Number(s.replaceAll('_', '')) };
      return { error: 'expected an integer' };
    }
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() !== '' && Number.isFinite(n)) return { value: n };
      return { error: 'expected a number' };
    }
    case 'boolean': {
      const b = BOOLEANS.get(raw.trim().toLowerCase());
      if (b !== undefined) return { value: b };
      return { error: 'expected a boolean (true/false, 1/0, yes/no)' };
    }
    default:
      return { value: raw };
  }
}

/**
 * Coerce a string from the environment or a flag to the key's type. Lists are comma-separated
 * (blank items dropped). With `emptyIsUnset`, an empty string means "not set" except for lists,
 * where it means the empty list.
 */
export function coerce(key: ConfigKey, raw: string, emptyIsUnset: boolean): { value: unknown } | { error: string } | undefined {
  if (key.type.kind === 'array') {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const out: unknown[] = [];
    for (const item of items) {
      const r = coerceScalar(key.type.items!, item);
      if ('error' in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  if (raw === '' && emptyIsUnset) return undefined;
  const r = coerceScalar(key.type, raw);
  if ('error' in r) {
    const got = echo(key, raw);
    return { error: got === undefined ? r.error : `${r.error}, got ${got}` };
  }
  return r;
}

function addSecret(layer: Layer, key: ConfigKey | undefined, value: unknown): void {
  if (key?.secret && typeof value === 'string') layer.secrets.push(value);
}

// ---- flags ----

/**
 * Flags keyed by dotted config path; `undefined`/`null` values are "not given". `labels` gives how
 * the command line spells a path's flag (`{ 'ingest.batch_packets': '--batch-packets' }`) for messages.
 */
export function flagLayer(flags: Readonly<Record<string, unknown>>, labels: Readonly<Record<string, string>> = {}): Layer {
  const layer = newLayer();
  for (const [path, value] of Object.entries(flags)) {
    if (value === undefined || value === null) continue;
    const key = configKey(path);
    const label = labels[path] ?? key?.flag ?? (key ? undefined : flagName(path));
    const source = label ? `flag ${label}` : `flags["${path}"]`;
    addSecret(layer, key, value);
    if (!key) {
      layer.problems.push({ path, message: 'unknown key', source });
      continue;
    }
    if (typeof value === 'string') {
      const r = coerce(key, value, false);
      if (r) layer.values.set(path, { source, ...('error' in r ? { value, error: r.error } : { value: r.value }) });
    } else {
      layer.values.set(path, { value, source });
    }
  }
  return layer;
}

// ---- environment ----

/** Line of the last `NAME=` assignment in a .env text (dotenv lets later lines win). */
function dotenvLine(text: string, name: string): number | undefined {
  let line: number | undefined;
  const re = new RegExp(`^\\s*(?:export\\s+)?${name}\\s*[=:]`);
  text.split(/\r?\n/).forEach((l, i) => {
    if (re.test(l)) line = i + 1;
  });
  return line;
}

export interface DotenvFile {
  readonly file: string;
  readonly text: string;
  readonly vars: Readonly<Record<string, string>>;
}

/** Read and parse a .env file; `undefined` when it does not exist. Never touches process.env. */
export function readDotenv(file: string): DotenvFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigFileError(file, `cannot read .env file: ${(err as Error).message}`, { cause: err });
  }
  return { file, text, vars: parseDotenv(text) };
}

/** The environment as sluice sees it: real variables win over `.env` entries. */
export function envView(env: NodeJS.ProcessEnv, dotenv: DotenvFile | undefined): Record<string, string | undefined> {
  return { ...(dotenv?.vars ?? {}), ...env };
}

/** Where an environment variable came from. */
export function envSource(name: string, env: NodeJS.ProcessEnv, dotenv: DotenvFile | undefined): string {
  if (env[name] !== undefined || !dotenv || dotenv.vars[name] === undefined) return `env ${name}`;
  const line = dotenvLine(dotenv.text, name);
  return `${dotenv.file}${line === undefined ? '' : `:${line}`} ${name}`;
}

export function envLayer(env: NodeJS.ProcessEnv, dotenv: DotenvFile | undefined): Layer {
  const layer = newLayer();
  const view = envView(env, dotenv);
  for (const key of CONFIG_KEYS) {
    // Scrub shadowed .env secrets too: they must not show up anywhere either.
    addSecret(layer, key, dotenv?.vars[key.env]);
    const raw = view[key.env];
    if (raw === undefined) continue;
    addSecret(layer, key, raw);
    const r = coerce(key, raw, true);
    if (!r) continue;
    const source = envSource(key.env, env, dotenv);
    layer.values.set(key.path, 'error' in r ? { value: raw, source, error: r.error } : { value: r.value, source });
  }
  return layer;
}

const KNOWN_ENV = new Set([...CONFIG_KEYS.map((k) => k.env), ...EXTRA_ENV_VARS]);

/** `SLUICE_*` variables that are not configuration keys (they are ignored), with a hint when one looks like a key. */
export function unknownEnvVars(view: Readonly<Record<string, string | undefined>>): { name: string; hint?: string }[] {
  const squash = (s: string) => s.replaceAll('_', '');
  const out: { name: string; hint?: string }[] = [];
  for (const name of Object.keys(view)) {
    if (!name.startsWith('SLUICE_') || KNOWN_ENV.has(name) || view[name] === undefined) continue;
    const like = CONFIG_KEYS.find((k) => squash(k.env) === squash(name.toUpperCase()));
    out.push(like ? { name, hint: like.env } : { name });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---- YAML file ----

function isPlainEmpty(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function yamlLayer(file: string, text: string): Layer {
  const layer = newLayer();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const [first] = doc.errors;
  if (first) {
    const { line, col } = lc.linePos(first.pos[0]);
    throw new ConfigFileError(file, `invalid YAML: ${first.message}`, { line, column: col, cause: first });
  }
  const at = (node: unknown): string => {
    const offset = (node as Node | null)?.range?.[0];
    return offset === undefined ? file : `${file}:${lc.linePos(offset).line}`;
  };
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc as Document) : node);

  const root = resolve(doc.contents);
  if (isPlainEmpty(root)) return layer;
  if (!isMap(root)) throw new ConfigFileError(file, 'the top level must be a mapping of configuration keys', { line: 1 });

  const walk = (map: YAMLMap, type: TypeInfo, prefix: string): void => {
    for (const item of map.items) {
      const name = isScalar(item.key) ? String(item.key.value) : String(item.key);
      const path = prefix ? `${prefix}.${name}` : name;
      const child = type.properties?.get(name);
      const value = resolve(item.value);
      if (!child) {
        layer.problems.push({ path, message: 'unknown key', source: at(item.key) });
        continue;
      }
      if (child.kind === 'object') {
        if (isPlainEmpty(value)) continue;
        if (isMap(value)) walk(value, child, path);
        else layer.problems.push({ path, message: 'expected a mapping of keys', source: at(item.key) });
        continue;
      }
      if (isPlainEmpty(value)) continue; // `key:` with no value counts as unset
      const js: unknown = (value as Node).toJS(doc as Document);
      addSecret(layer, configKey(path), js);
      const itemSources = isSeq(value) ? value.items.map((i) => at(i)) : undefined;
      layer.values.set(path, { value: js, source: at(item.key), ...(itemSources ? { itemSources } : {}) });
    }
  };
  walk(root, CONFIG_TYPE, '');
  return layer;
}

/** Read and parse a YAML configuration file. */
export function readYamlFile(file: string): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'configuration file not found' : `cannot read configuration file: ${(err as Error).message}`;
    throw new ConfigFileError(file, why, { cause: err });
  }
  return yamlLayer(file, text);
}
