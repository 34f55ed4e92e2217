/**
 * A small recursive walker over the zod v3 types used by `schema.ts`, and the list of configuration
 * keys derived from it: path, type, default, description, environment variable and flag name.
 *
 * Naming conventions (documented in docs/reference/config.md):
 * - environment variable: `SLUICE_` + path upper-cased with `.` → `__` (`SLUICE_INGEST__BATCH_PACKETS`);
 * - flag: `--` + path with `.` and `_` → `-` (`--ingest-batch-packets`); its commander attribute is
 *   the camel-cased flag (`ingestBatchPackets`). Secrets have no flag: command lines leak into `ps`.
 */
import { z } from 'zod';
import { configSchema, SECRET_SCHEMAS } from './schema.js';

/** What the walker learned about one zod type (wrappers such as optional/default folded in). */
export interface TypeInfo {
  readonly kind: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'array';
  readonly description: string | undefined;
  /** Present when the type has a default; `value` is the (input) default. */
  readonly default: { readonly value: unknown } | undefined;
  readonly optional: boolean;
  readonly secret: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly format?: 'uri';
  readonly patterns?: readonly { readonly source: string; readonly message: string | undefined }[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly choices?: readonly string[];
  readonly items?: TypeInfo;
  readonly properties?: ReadonlyMap<string, TypeInfo>;
  /** Objects: unknown keys rejected (zod `.strict()`). */
  readonly strict?: boolean;
  /** The complete zod schema of this node, wrappers included (what a leaf is validated with). */
  readonly schema: z.ZodTypeAny;
}

function unsupported(what: string): never {
  throw new Error(`src/config/keys.ts: the schema walker does not support ${what}; teach describeType() first`);
}

/** Describe a zod type; throws on types and checks the walker does not know. */
export function describeType(schema: z.ZodTypeAny): TypeInfo {
  let description: string | undefined;
  let def: { value: unknown } | undefined;
  let optional = false;
  let secret = false;
  let t: z.ZodTypeAny = schema;
  for (;;) {
    description ??= t.description;
    if (SECRET_SCHEMAS.has(t)) secret = true;
    if (t instanceof z.ZodOptional) {
      optional = true;
      t = t._def.innerType;
    } else if (t instanceof z.ZodDefault) {
      def ??= { value: t._def.defaultValue() };
      t = t._def.innerType;
    } else if (t instanceof z.ZodEffects) {
      t = t._def.schema;
    } else break;
  }
  const base = { description, default: def, optional, secret, schema };

  if (t instanceof z.ZodString) {
    let minLength: number | undefined;
    let maxLength: number | undefined;
    let format: 'uri' | undefined;
    const patterns: { source: string; message: string | undefined }[] = [];
    for (const c of t._def.checks) {
      if (c.kind === 'min') minLength = c.value;
      else if (c.kind === 'max') maxLength = c.value;
      else if (c.kind === 'url') format = 'uri';
      else if (c.kind === 'regex') patterns.push({ source: c.regex.source, message: c.message });
      else unsupported(`the string check '${c.kind}'`);
    }
    return { ...base, kind: 'string', minLength, maxLength, format, patterns };
  }
  if (t instanceof z.ZodNumber) {
    let integer = false;
    const bounds: { minimum?: number; maximum?: number; exclusiveMinimum?: number; exclusiveMaximum?: number } = {};
    for (const c of t._def.checks) {
      if (c.kind === 'int') integer = true;
      else if (c.kind === 'min') bounds[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
      else if (c.kind === 'max') bounds[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
      else unsupported(`the number check '${c.kind}'`);
    }
    return { ...base, kind: integer ? 'integer' : 'number', ...bounds };
  }
  if (t instanceof z.ZodBoolean) return { ...base, kind: 'boolean' };
  if (t instanceof z.ZodEnum) return { ...base, kind: 'enum', choices: [...(t._def.values as string[])] };
  if (t instanceof z.ZodArray) {
    if (t._def.minLength || t._def.maxLength || t._def.exactLength) unsupported('array length checks');
    return { ...base, kind: 'array', items: describeType(t._def.type) };
  }
  if (t instanceof z.ZodObject) {
    const properties = new Map<string, TypeInfo>();
    for (const [k, v] of Object.entries(t.shape as Record<string, z.ZodTypeAny>)) properties.set(k, describeType(v));
    return { ...base, kind: 'object', properties, strict: t._def.unknownKeys === 'strict' };
  }
  return unsupported(`the zod type ${(t._def as { typeName?: string }).typeName ?? t.constructor.name}`);
}

/** One leaf of the configuration. */
export interface ConfigKey {
  /** Dotted path, e.g. `ingest.batch_packets`. */
  readonly path: string;
  readonly type: TypeInfo;
  readonly description: string;
  /** Input default, or `undefined` for optional keys without one. */
  readonly default: unknown;
  readonly secret: boolean;
  /** Environment variable, e.g. `SLUICE_INGEST__BATCH_PACKETS`. */
  readonly env: string;
  /** Long flag, e.g. `--ingest-batch-packets`; `undefined` for secrets (set them by env or file). */
  readonly flag: string | undefined;
  /** Commander's attribute name for {@link flag}, e.g. `ingestBatchPackets`. */
  readonly flagAttribute: string | undefined;
}

/** Environment variable of a dotted path: `ingest.batch_packets` → `SLUICE_INGEST__BATCH_PACKETS`. */
export function envVarName(path: string): string {
  return 'SLUICE_' + path.toUpperCase().replaceAll('.', '__');
}

/** Long flag of a dotted path: `ingest.batch_packets` → `--ingest-batch-packets`. */
export function flagName(path: string): string {
  return '--' + path.replace(/[._]/g, '-');
}

/** Commander's attribute name of a long flag: `--ingest-batch-packets` → `ingestBatchPackets`. */
export function flagAttributeName(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The root of the described schema. */
export const CONFIG_TYPE: TypeInfo = describeType(configSchema);

function collectKeys(info: TypeInfo, prefix: string, out: ConfigKey[]): ConfigKey[] {
  for (const [name, child] of info.properties ?? []) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (child.kind === 'object') {
      collectKeys(child, path, out);
      continue;
    }
    if (!child.description) throw new Error(`src/config/schema.ts: ${path} has no .describe()`);
    const flag = child.secret ? undefined : flagName(path);
    out.push({
      path,
      type: child,
      description: child.description,
      default: child.default?.value,
      secret: child.secret,
      env: envVarName(path),
      flag,
      flagAttribute: flag && flagAttributeName(flag),
    });
  }
  return out;
}

/** Every configuration key (leaf), in schema order. */
export const CONFIG_KEYS: readonly ConfigKey[] = Object.freeze(collectKeys(CONFIG_TYPE, '', []));

const KEYS_BY_PATH = new Map(CONFIG_KEYS.map((k) => [k.path, k]));

/** The key with this dotted path, if any. */
export function configKey(path: string): ConfigKey | undefined {
  return KEYS_BY_PATH.get(path);
}

/** Environment variables sluice reads besides the key variables. */
export const EXTRA_ENV_VARS: readonly string[] = ['SLUICE_CONFIG'];
