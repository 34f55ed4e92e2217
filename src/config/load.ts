/**
 * loadConfig: flags > environment (real variables over `.env`) > YAML file > defaults, validated
 * key by key against `configSchema`, normalized, checked by the cross-field rules, and returned
 * deeply frozen. Every problem is collected before anything is thrown.
 */
import { existsSync } from 'node:fs';
import { inspect, type InspectOptions } from 'node:util';
import { join, resolve } from 'node:path';
import type { ZodIssue } from 'zod';
import { ConfigError, ConfigFileError, type ConfigProblem } from './config-error.js';
import { CONFIG_KEYS, CONFIG_TYPE, type ConfigKey, type TypeInfo } from './keys.js';
import { NORMALIZERS } from './normalize.js';
import { redactConfig } from './redact.js';
import { CONFIG_RULES } from './rules.js';
import type { SluiceConfig } from './schema.js';
import { REDACTED } from './secret.js';
import {
  echo, envLayer, envSource, envView, flagLayer, readDotenv, readYamlFile, unknownEnvVars,
  type DotenvFile, type Layer, type LayerValue,
} from './sources.js';

export interface LoadConfigOptions {
  /**
   * Already-parsed CLI flags keyed by dotted config path (`{ 'data_dir': 'x', 'ingest.batch_packets': 10 }`).
   * `undefined`/`null` values mean "not given". Strings are coerced like environment values.
   */
  flags?: Readonly<Record<string, unknown>>;
  /**
   * How the command line spells each flag, by dotted path, for problem sources
   * (`{ 'ingest.batch_packets': '--batch-packets' }`); default: the conventional name (`--ingest-batch-packets`).
   */
  flagLabels?: Readonly<Record<string, string>>;
  /** Environment; default `process.env`. Never mutated. */
  env?: NodeJS.ProcessEnv;
  /** Working directory for `.env`, `sluice.yaml` and relative paths; default `process.cwd()`. */
  cwd?: string;
  /** Explicit configuration file (`--config`); else `SLUICE_CONFIG`; else `./sluice.yaml` or `./sluice.yml` if present. */
  configFile?: string;
  /** Read `<cwd>/.env` into the environment view (real variables win); default true. */
  dotenv?: boolean;
  /** Receives non-fatal findings, such as unknown `SLUICE_*` environment variables (ignored otherwise). */
  onWarning?: (message: string) => void;
}

export interface ResolvedConfig {
  readonly config: SluiceConfig;
  /** Absolute path of the YAML file that was read, if any. */
  readonly file: string | undefined;
  /** Where each key's value came from (`default` when nothing set it), by dotted path. */
  readonly sources: ReadonlyMap<string, string>;
}

/** Which YAML file to read, and why; `undefined` when there is none. */
export function findConfigFile(
  cwd: string,
  configFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (configFile) return resolve(cwd, configFile);
  if (env.SLUICE_CONFIG) return resolve(cwd, env.SLUICE_CONFIG);
  const found = ['sluice.yaml', 'sluice.yml'].map((n) => join(cwd, n)).filter((f) => existsSync(f));
  if (found.length > 1) {
    throw new ConfigFileError(found[1]!, `both ${found[0]} and ${found[1]} exist; remove one or choose with --config`);
  }
  return found[0];
}

const ARTICLE: Record<string, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'a boolean', array: 'a list',
  object: 'a mapping', null: 'null', undefined: 'nothing', float: 'a non-integer number', bigint: 'a bigint',
  nan: 'NaN', date: 'a date', symbol: 'a symbol', function: 'a function',
};

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const seg of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}

function typeAt(t: TypeInfo, path: readonly (string | number)[]): TypeInfo {
  return path.length > 0 && t.kind === 'array' ? typeAt(t.items!, path.slice(1)) : t;
}

/** A message for a zod issue that never echoes secret values (nor URLs, which may hold credentials). */
function issueMessage(issue: ZodIssue, key: ConfigKey, raw: unknown): string {
  const value = at(raw, issue.path);
  const t = typeAt(key.type, issue.path);
  const shown = echo(key, value);
  const got = shown === undefined ? '' : `, got ${shown}`;
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.expected === 'integer' && issue.received === 'float') return `must be an integer${got}`;
      const hint = issue.expected === 'string' && (issue.received === 'number' || issue.received === 'boolean') ? ' (quote the value in YAML)' : '';
      const expected = t.kind === 'enum' ? `one of ${(t.choices ?? []).map((c) => `'${c}'`).join(', ')}` : ARTICLE[issue.expected] ?? issue.expected;
      return `expected ${expected}, got ${ARTICLE[issue.received] ?? issue.received}${hint}`;
    }
    case 'invalid_enum_value':
      return `must be one of ${issue.options.map((o) => `'${String(o)}'`).join(', ')}${got}`;
    case 'too_small':
      if (issue.type === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      if (issue.type === 'array') return `must have at least ${issue.minimum} items`;
      return `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}${got}`;
    case 'too_big':
      if (issue.type === 'string') return `must be at most ${issue.maximum} characters long`;
      if (issue.type === 'array') return `must have at most ${issue.maximum} items`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}${got}`;
    case 'invalid_string':
      if (issue.validation === 'url') return 'must be a valid URL';
      return issue.message === 'Invalid' ? `has an invalid format${got}` : `${issue.message}${got}`;
    default:
      return `${issue.message}${got}`;
  }
}

function pathString(base: string, rest: readonly (string | number)[]): string {
  return base + rest.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The nested configuration object, keys in schema order; unset optional keys are left out. */
function buildTree(t: TypeInfo, prefix: string, values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, child] of t.properties ?? []) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.kind === 'object') out[name] = buildTree(child, path, values);
    else if (values.get(path) !== undefined) out[name] = values.get(path);
  }
  return out;
}

/**
 * Short environment names users know from other tools, mapped to the canonical ones. The
 * canonical variable wins when both are set.
 */
export const ENV_ALIASES: Readonly<Record<string, string>> = {
  SLUICE_ES_URL: 'SLUICE_ELASTICSEARCH__URLS',
};

function withAliases(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  let out: NodeJS.ProcessEnv | undefined;
  for (const [alias, canonical] of Object.entries(ENV_ALIASES)) {
    const v = env[alias];
    if (v === undefined || v === '') continue;
    out ??= { ...env };
    delete out[alias];
    if (out[canonical] === undefined || out[canonical] === '') out[canonical] = v;
  }
  return out ?? env;
}

/** Like {@link loadConfig}, also telling which file was read and where each value came from. */
export function resolveConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = withAliases(options.env ?? process.env);
  const dotenv: DotenvFile | undefined = options.dotenv === false ? undefined : readDotenv(join(cwd, '.env'));
  const view = envView(env, dotenv);

  if (options.onWarning) {
    for (const u of unknownEnvVars(view)) {
      const src = envSource(u.name, env, dotenv);
      options.onWarning(`ignoring unknown environment variable ${u.name} (from ${src})${u.hint ? `; did you mean ${u.hint}?` : ''}`);
    }
  }

  const file = findConfigFile(cwd, options.configFile, view);
  const fileLayer: Layer | undefined = file === undefined ? undefined : readYamlFile(file);
  // Highest precedence first.
  const layers: Layer[] = [flagLayer(options.flags ?? {}, options.flagLabels), envLayer(env, dotenv)];
  if (fileLayer) layers.push(fileLayer);
  const secrets = layers.flatMap((l) => l.secrets).sort((a, b) => b.length - a.length);

  const problems: ConfigProblem[] = [];
  const values = new Map<string, unknown>();
  const sources = new Map<string, string>();
  const failed = new Set<string>();

  // 1. schema, key by key
  for (const key of CONFIG_KEYS) {
    let chosen: LayerValue | undefined;
    for (const layer of layers) {
      chosen = layer.values.get(key.path);
      if (chosen) break;
    }
    const source = chosen?.source ?? 'default';
    sources.set(key.path, source);
    if (chosen?.error) {
      failed.add(key.path);
      problems.push({ path: key.path, message: chosen.error, source });
      continue;
    }
    const result = key.type.schema.safeParse(chosen?.value);
    if (result.success) {
      values.set(key.path, result.data);
      continue;
    }
    failed.add(key.path);
    const reported = new Set<string>();
    for (const issue of result.error.issues) {
      const path = pathString(key.path, issue.path);
      if (reported.has(path)) continue; // one problem per key (or list item) is enough
      reported.add(path);
      const index = issue.path.find((s): s is number => typeof s === 'number');
      problems.push({
        path,
        message: issueMessage(issue, key, chosen?.value),
        source: (index !== undefined && chosen?.itemSources?.[index]) || source,
      });
    }
  }
  // Structural problems of the layers (unknown keys, wrong nesting), highest precedence first.
  for (const layer of layers) problems.push(...layer.problems);

  // 2. normalize
  const ctx = { cwd };
  for (const n of NORMALIZERS) if (values.has(n.path)) values.set(n.path, n.apply(values.get(n.path), ctx));

  // 3. named cross-field rules
  for (const rule of CONFIG_RULES) {
    if (rule.paths.some((p) => failed.has(p))) continue;
    for (const p of rule.check((path) => values.get(path))) {
      problems.push({ path: p.path, message: p.message, source: sources.get(p.path) ?? `rule ${rule.name}` });
    }
  }

  if (problems.length > 0) {
    throw new ConfigError(problems.map((p) => ({ path: p.path, message: scrub(p.message, secrets), source: scrub(p.source, secrets) })));
  }

  const tree = buildTree(CONFIG_TYPE, '', values);
  // Printing the whole configuration by accident must not leak secrets or URL credentials.
  Object.defineProperties(tree, {
    toJSON: { value: function (this: SluiceConfig) { return redactConfig(this); } },
    [inspect.custom]: {
      value: function (this: SluiceConfig, _depth: number, opts: InspectOptions) {
        return inspect(redactConfig(this), opts);
      },
    },
  });
  return { config: deepFreeze(tree) as unknown as SluiceConfig, file, sources };
}

/**
 * Load, validate and deeply freeze the configuration. Precedence: flags > environment (real
 * variables over `<cwd>/.env`) > YAML file > defaults.
 *
 * @throws {ConfigError} `SLUICE_CONFIG_INVALID` listing every problem, one per line.
 * @throws {ConfigFileError} `SLUICE_CONFIG_FILE` when a file is missing, unreadable or not valid YAML.
 */
export function loadConfig(options: LoadConfigOptions = {}): SluiceConfig {
  return resolveConfig(options).config;
}

