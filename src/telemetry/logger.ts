/**
 * The daemon's logger: pino, one JSON object per line for log shippers (journald, Docker, Filebeat),
 * or pino-pretty's coloured lines for a human at a terminal.
 *
 * Logs are for operations, not for events: nothing here is called per packet or per line. Secrets
 * never reach the output: `Secret` values print as `[redacted]` by themselves, the usual secret keys
 * are censored wherever they sit (see {@link REDACT_PATHS}), and credentials inside URLs in any
 * string are replaced before the line is written.
 */
import type { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { REDACTED } from '../config/secret.js';
import type { ComponentKey } from './metrics.js';

/** Log levels of `log.level`. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * `json`: always JSON lines. `pretty`: always pino-pretty. `auto`: pretty when the destination is a
 * terminal, JSON otherwise (a service manager or a pipe).
 */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Default `auto`. */
  readonly format?: LogFormat;
  /** Where lines go: a file descriptor or a stream. Default 2 (stderr, so stdout stays for data). */
  readonly destination?: number | Writable;
  /** Fields on every line (`{ command: 'watch' }`). */
  readonly base?: Record<string, unknown>;
}

/**
 * Keys censored wherever they sit, up to three levels deep (pino's redaction matches exact paths;
 * `*` stands for one level).
 */
const SECRET_KEYS = ['password', 'api_key', 'apiKey', 'token', 'secret', 'authorization', 'cookie', 'passphrase', 'key_passphrase'];

/** The redaction paths given to pino. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  '*.headers["set-cookie"]',
  '*.headers["proxy-authorization"]',
];

/** True when log lines written to `destination` reach a terminal. */
export function isTerminal(destination: number | Writable): boolean {
  if (typeof destination === 'number') return destination === 1 ? process.stdout.isTTY === true : destination === 2 ? process.stderr.isTTY === true : false;
  return (destination as Writable & { isTTY?: boolean }).isTTY === true;
}

/** Creates the process's logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? 2;
  const format = options.format ?? 'auto';
  const pretty = format === 'pretty' || (format === 'auto' && isTerminal(destination));
  let stream: DestinationStream;
  if (pretty) {
    stream = pinoPretty({
      destination: destination as never,
      colorize: isTerminal(destination),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      // Synchronous: log lines are rare, and a line written just before a crash must not be lost.
      sync: true,
    });
  } else {
    stream = typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : (destination as DestinationStream);
  }
  return pino(
    {
      level: options.level ?? 'info',
      base: { ...(options.base ?? {}) },
      // ECS-style names for shippers that map them: @timestamp-like ISO time, level as a word.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      hooks: {
        // `https://user:pass@host` in a message or a string field loses its credentials.
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            args[i] = scrubUrls(args[i]) as never;
          }
          method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

/** `scheme://user:pass@` anywhere in a text (the configuration's `redactUrl` only looks at the start). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;

/** `text` with the credentials of every URL in it replaced by `[redacted]`. */
export function scrubUrlCredentials(text: string): string {
  return text.includes('://') ? text.replace(URL_USERINFO, `$1${REDACTED}@`) : text;
}

/**
 * `value` with URL credentials removed from its strings, looking four levels deep into plain objects
 * and arrays; unchanged parts are shared, and an unchanged value is returned as is.
 */
function scrubUrls(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubUrlCredentials(value);
  if (depth >= 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const clean = scrubUrls(v, depth + 1);
      if (clean !== v) (out ??= [...value])[i] = clean;
    });
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value; // Errors, Secrets, Buffers: their own serializers
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const clean = scrubUrls(v, depth + 1);
    if (clean !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = clean;
  }
  return out ?? value;
}

/** A child logger whose lines carry the component's kind, type and id (the same labels as its metrics). */
export function componentLogger(logger: Logger, component: ComponentKey): Logger {
  return logger.child({ component_kind: component.kind, component_type: component.type, component_id: component.id });
}
