/**
 * A configuration value that must never reach a log, an error message or `sluice config show`.
 *
 * The value lives in a private field: `String(secret)`, template literals, `JSON.stringify` and
 * `util.inspect` / `console.log` all give `[redacted]`. Call {@link Secret.reveal} at the one place
 * that really needs the value (for example when building an HTTP `Authorization` header).
 */
import { inspect } from 'node:util';

/** What a secret looks like wherever it is printed. */
export const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    Object.freeze(this);
  }

  /** The wrapped value. Never log it. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** True when `value` is a {@link Secret}. */
export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}
