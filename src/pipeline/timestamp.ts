/**
 * Formatting of packet timestamps without losing precision.
 *
 * Packet times are kept as integer seconds plus nanoseconds because a nanosecond epoch does not fit
 * a double (2^53 ns is only ~104 days). `Date#toISOString` gives milliseconds only, so the fraction
 * is printed by hand with exactly the digits the capture carries (6 for µs files, 9 for ns files).
 */

const PAD9 = '000000000';

/** Caches the `YYYY-MM-DDTHH:MM:SS` prefix of the last second formatted (packets arrive in bursts). */
export class TimestampFormatter {
  private lastSec = Number.NaN;
  private lastPrefix = '';

  /** `YYYY-MM-DDTHH:MM:SS` of `sec`, cached for consecutive packets of the same second. */
  prefix(sec: number): string {
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastPrefix = secondsPrefix(sec);
    }
    return this.lastPrefix;
  }

  /** ISO 8601 UTC with `digits` fractional digits (0 gives none), e.g. `2024-01-01T00:00:00.123456Z`. */
  iso(sec: number, nsec: number, digits: number): string {
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastPrefix = secondsPrefix(sec);
    }
    if (digits <= 0) return this.lastPrefix + 'Z';
    return this.lastPrefix + '.' + fraction(nsec, digits) + 'Z';
  }
}

/** First and last epoch second that ISO 8601 can print with a 4-digit year (0000-01-01 .. 9999-12-31). */
const MIN_SEC = -62167219200;
const MAX_SEC = 253402300799;

/**
 * `YYYY-MM-DDTHH:MM:SS` of an epoch second. A timestamp outside years 0000..9999 (a damaged
 * capture can claim year 275760) cannot be written as an ISO date that search engines accept: it
 * gives the epoch, and the exact value stays in `sniff_timestamp`.
 */
export function secondsPrefix(sec: number): string {
  if (!(sec >= MIN_SEC && sec <= MAX_SEC)) return '1970-01-01T00:00:00';
  return new Date(sec * 1000).toISOString().slice(0, 19);
}

/** The first `digits` digits of a 9-digit nanosecond fraction. */
export function fraction(nsec: number, digits: number): string {
  const s = String(nsec);
  const full = s.length >= 9 ? s : PAD9.slice(s.length) + s;
  return digits >= 9 ? full : full.slice(0, digits);
}

/** Epoch seconds with the capture's fractional digits, as tshark prints `frame.time_epoch`. */
export function epochString(sec: number, nsec: number, digits: number): string {
  if (digits <= 0) return String(sec);
  return sec + '.' + fraction(nsec, digits);
}

/** Nanoseconds since the epoch as a BigInt (for the store's integer column). */
export function toEpochNs(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}
