/** Printable copies of the configuration with secrets and URL credentials replaced by `[redacted]`. */
import { REDACTED, Secret } from './secret.js';
import type { SluiceConfig } from './schema.js';

/** `T` with every {@link Secret} turned into a string, mutable, for printing. */
export type Redacted<T> = T extends Secret
  ? string
  : T extends readonly (infer U)[]
    ? Redacted<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Redacted<T[K]> }
      : T;

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/** `https://user:pass@host/` → `https://[redacted]@host/`; other strings unchanged. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, `$1${REDACTED}@`);
}

function redact(value: unknown): unknown {
  if (value instanceof Secret) return REDACTED;
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v);
    return out;
  }
  return value;
}

/** A plain, mutable copy of `config` that is safe to log or print (`sluice config show`). */
export function redactConfig(config: SluiceConfig): Redacted<SluiceConfig> {
  return redact(config) as Redacted<SluiceConfig>;
}
