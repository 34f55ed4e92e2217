/**
 * Cowrie's timestamps to UTC ISO-8601 with their full precision.
 *
 * Cowrie writes `2018-05-06T17:44:05.866769Z` (UTC, microseconds). Older outputs and HP_TI-style
 * logs also use a space instead of `T`, a numeric offset (`+0000`, `+02:00`), no zone at all (taken
 * as UTC, which is what Cowrie logs in), or epoch seconds as a number. `Date.parse` would drop the
 * microseconds, so the fraction is carried as digits and only the whole seconds go through `Date`.
 */

/** `YYYY-MM-DDTHH:MM:SS[.fraction]Z` in UTC, the fraction as written (up to 9 digits), or undefined when `value` is not a time. */
export function normalizeCowrieTimestamp(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpochSeconds(value);
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (s.length < 19) {
    // Numeric strings are epoch seconds too.
    return s.length > 0 && isNumeric(s) ? fromEpochSeconds(Number(s)) : undefined;
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (s[4] !== '-' || s[7] !== '-' || (s[10] !== 'T' && s[10] !== 't' && s[10] !== ' ') || s[13] !== ':' || s[16] !== ':') {
    return isNumeric(s) ? fromEpochSeconds(Number(s)) : undefined;
  }
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let i = 19;
  let fraction = '';
  if (s[i] === '.' || s[i] === ',') {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j === i + 1 || j - i - 1 > 9) return undefined;
    fraction = s.slice(i + 1, j);
    i = j;
  }
  let offsetMinutes = 0;
  if (i < s.length) {
    const z = s[i];
    if ((z === 'Z' || z === 'z') && i + 1 === s.length) {
      // UTC
    } else if (z === '+' || z === '-') {
      const rest = s.slice(i + 1);
      const compact = rest.length === 5 && rest[2] === ':' ? rest.slice(0, 2) + rest.slice(3) : rest;
      if (compact.length !== 4 && compact.length !== 2) return undefined;
      const oh = digits(compact, 0, 2);
      const om = compact.length === 4 ? digits(compact, 2, 2) : 0;
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return undefined;
      offsetMinutes = (z === '+' ? 1 : -1) * (oh * 60 + om);
    } else return undefined;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  const d = new Date(ms);
  // Reject dates that Date.UTC rolled over (Feb 31 → Mar 3).
  if (offsetMinutes === 0 && (d.getUTCDate() !== day || d.getUTCMonth() !== month - 1)) return undefined;
  if (!Number.isFinite(ms)) return undefined;
  return wholeSeconds(d) + (fraction ? '.' + fraction : '') + 'Z';
}

function wholeSeconds(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return iso.slice(0, 19);
}

function fromEpochSeconds(n: number): string | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  // Values this large are milliseconds (seconds would be past the year 5000).
  const seconds = n > 1e11 ? n / 1000 : n;
  const whole = Math.floor(seconds);
  const micros = Math.round((seconds - whole) * 1e6);
  const d = new Date(whole * 1000 + (micros === 1_000_000 ? 1000 : 0));
  if (Number.isNaN(d.getTime())) return undefined;
  return wholeSeconds(d) + '.' + String(micros === 1_000_000 ? 0 : micros).padStart(6, '0') + 'Z';
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function isNumeric(s: string): boolean {
  let dot = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 && !dot) dot = true;
    else if (!(c >= 48 && c <= 57)) return false;
  }
  return s !== '.';
}
