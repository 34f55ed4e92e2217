/** A log time converted to ECS: `@timestamp` in UTC and the offset the server wrote. */
export interface LogTime {
  /** ISO 8601 in UTC with milliseconds (microseconds for `%{usec}t`), e.g. `2016-12-07T10:05:07.000Z`. */
  readonly timestamp: string;
  /** The offset written in the log as `+hh:mm` (ECS `event.timezone`), when the log had one. */
  readonly timezone: string | undefined;
}

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Apache %t / nginx $time_local: `10/Oct/2000:13:55:36 -0700` (CLF, the format Filebeat reads as `dd/MMM/yyyy:H:m:s Z`). */
const HTTP_DATE = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))? ([+-])(\d\d):?(\d\d)$/;
/** nginx $time_iso8601: `2016-12-07T11:05:07+01:00`. */
const ISO_DATE = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d(?::?\d\d)?)?$/;

function valid(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 0 || mo > 11 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  const days = new Date(Date.UTC(y, mo + 1, 0)).getUTCDate();
  return d <= days;
}

function iso(ms: number, micros: number | undefined): string {
  const s = new Date(ms).toISOString();
  if (micros === undefined) return s;
  return `${s.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

function fractionMs(frac: string | undefined): number {
  return frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
}

/** Month numbers by the lower-cased three letters packed into one integer (no string per line). */
const MONTH_CODES = new Map<number, number>(Object.entries(MONTHS).map(([k, v]) => [(k.charCodeAt(0) << 16) | (k.charCodeAt(1) << 8) | k.charCodeAt(2), v]));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil; `mo` 0–11). */
function daysFromCivil(y: number, mo: number, d: number): number {
  const m = mo + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `new Date(ms).toISOString()` for whole milliseconds in years 0–9999, without the Date object
 * (Hinnant's civil_from_days); other values go through Date.
 */
export function isoTimestamp(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999 || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  return `${PAD2[Math.floor(y / 100)]}${PAD2[y % 100]}-${PAD2[m]}-${PAD2[d]}T${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}.${PAD3[rest - s * 1000]}Z`;
}

/** Value of the two ASCII digits at `i`, or -1. */
function digits2(text: string, i: number): number {
  const a = text.charCodeAt(i) - 0x30;
  const b = text.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

let lastZoneKey = '';
let lastZone = '';
/** The last time read by position, and its UTC `YYYY-MM-DDTHH:MM:` (lines mostly share their minute). */
let lastMinuteText = '';
let lastMinutePrefix = '';
let lastMinuteZone = '';

/** True when `a` and `b` (both 26 characters) differ at most in the seconds (characters 18–19). */
function sameMinute(a: string, b: string): boolean {
  for (let i = 0; i < 18; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  for (let i = 20; i < 26; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/**
 * The common CLF shape `dd/Mon/yyyy:HH:MM:SS ±hhmm` (exactly 26 characters) read by position, with
 * the same checks and results as the regular expression; null when the text has another shape (the
 * caller then uses the regular expression), undefined when it has this shape but is not a date.
 */
function parseHttpDateFast(text: string): LogTime | undefined | null {
  if (text.length !== 26) return null;
  if (lastMinutePrefix !== '' && sameMinute(text, lastMinuteText)) {
    // Offsets are whole minutes, so the UTC seconds are the written ones; 60 (a leap second) rolls
    // over into the next minute and takes the long way.
    const sec = digits2(text, 18);
    if (sec >= 0 && sec <= 59) return { timestamp: `${lastMinutePrefix}${PAD2[sec]}.000Z`, timezone: lastMinuteZone };
  }
  if (text.charCodeAt(2) !== 0x2f || text.charCodeAt(6) !== 0x2f || text.charCodeAt(11) !== 0x3a || text.charCodeAt(14) !== 0x3a || text.charCodeAt(17) !== 0x3a || text.charCodeAt(20) !== 0x20) return null;
  const sign = text.charCodeAt(21);
  if (sign !== 0x2b && sign !== 0x2d) return null;
  const d = digits2(text, 0);
  const y100 = digits2(text, 7);
  const y1 = digits2(text, 9);
  const h = digits2(text, 12);
  const mi = digits2(text, 15);
  const s = digits2(text, 18);
  const oh = digits2(text, 22);
  const om = digits2(text, 24);
  const c0 = text.charCodeAt(3);
  const c1 = text.charCodeAt(4);
  const c2 = text.charCodeAt(5);
  if (d < 0 || y100 < 0 || y1 < 0 || h < 0 || mi < 0 || s < 0 || oh < 0 || om < 0 || c0 > 0x7a || c1 > 0x7a || c2 > 0x7a) return null;
  const mo = MONTH_CODES.get(((c0 | 0x20) << 16) | ((c1 | 0x20) << 8) | (c2 | 0x20));
  // Not a month: the regular expression decides (it refuses too, or the letters were not letters).
  if (mo === undefined) return null;
  let y = y100 * 100 + y1;
  if (y <= 99) y += 1900; // Date.UTC's two-digit years, which the regular-expression path goes through
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d < 1 || h > 23 || mi > 59 || s > 60 || d > (mo === 1 && leap ? 29 : DAYS_IN_MONTH[mo])) return undefined;
  if (oh > 23 || om > 59) return undefined;
  const offsetMin = (sign === 0x2d ? -1 : 1) * (oh * 60 + om);
  const ms = daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 - offsetMin * 60_000;
  const zoneKey = text.slice(21);
  if (zoneKey !== lastZoneKey) {
    lastZoneKey = zoneKey;
    lastZone = `${zoneKey.slice(0, 3)}:${zoneKey.slice(3)}`;
  }
  const timestamp = isoTimestamp(ms);
  // Years 0–9999 only (the ISO form of other years is longer): the prefix is then fixed-width.
  if (timestamp.length === 24 && s <= 59) {
    lastMinuteText = text;
    lastMinutePrefix = timestamp.slice(0, 17);
    lastMinuteZone = lastZone;
  }
  return { timestamp, timezone: lastZone };
}

/**
 * Parses a CLF time (`[dd/Mon/yyyy:HH:MM:SS ±hhmm]` without the brackets). Returns undefined when
 * it is not one or names an impossible date (31/Feb).
 */
export function parseHttpDate(text: string): LogTime | undefined {
  const fast = parseHttpDateFast(text);
  return fast !== null ? fast : parseHttpDateByRegex(text);
}

/** {@link parseHttpDate} by the regular expression alone (every shape; the reference of the fast path). */
export function parseHttpDateByRegex(text: string): LogTime | undefined {
  const m = HTTP_DATE.exec(text);
  if (m === null) return undefined;
  const mo = MONTHS[m[2].toLowerCase()];
  const y = +m[3];
  const d = +m[1];
  const h = +m[4];
  const mi = +m[5];
  const s = +m[6];
  if (mo === undefined || !valid(y, mo, d, h, mi, s)) return undefined;
  const sign = m[8] === '-' ? -1 : 1;
  const offsetMin = sign * (+m[9] * 60 + +m[10]);
  if (+m[9] > 23 || +m[10] > 59) return undefined;
  const ms = Date.UTC(y, mo, d, h, mi, s) + fractionMs(m[7]) - offsetMin * 60_000;
  return { timestamp: iso(ms, undefined), timezone: `${m[8]}${m[9]}:${m[10]}` };
}

/** Parses an ISO 8601 time (nginx `$time_iso8601`); a time without offset is taken as UTC. */
export function parseIsoDate(text: string): LogTime | undefined {
  const m = ISO_DATE.exec(text);
  if (m === null) return undefined;
  const y = +m[1];
  const mo = +m[2] - 1;
  const d = +m[3];
  const h = +m[4];
  const mi = +m[5];
  const s = +m[6];
  if (!valid(y, mo, d, h, mi, s)) return undefined;
  let offsetMin = 0;
  let timezone: string | undefined;
  const z = m[8];
  if (z === 'Z') timezone = '+00:00';
  else if (z !== undefined) {
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (z[0] === '-' ? -1 : 1) * (oh * 60 + om);
    timezone = `${z[0]}${digits.slice(0, 2)}:${String(om).padStart(2, '0')}`;
  }
  const ms = Date.UTC(y, mo, d, h, mi, s) + fractionMs(m[7]) - offsetMin * 60_000;
  return { timestamp: iso(ms, undefined), timezone };
}

/** Parses an epoch time in seconds (`1480000000.123`), milliseconds or microseconds. */
export function parseEpoch(text: string, unit: 's' | 'ms' | 'us'): LogTime | undefined {
  if (!/^\d+(?:\.\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  if (unit === 'us') {
    const whole = Math.floor(n / 1_000_000);
    const micros = n - whole * 1_000_000;
    const ms = whole * 1000;
    return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? { timestamp: iso(ms, micros), timezone: undefined } : undefined;
  }
  const ms = unit === 's' ? Math.round(n * 1000) : Math.floor(n);
  return Number.isFinite(ms) && ms <= 8.64e15 ? { timestamp: iso(ms, undefined), timezone: undefined } : undefined;
}
