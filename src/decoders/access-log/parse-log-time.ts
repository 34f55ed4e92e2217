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

/**
 * Parses a CLF time (`[dd/Mon/yyyy:HH:MM:SS ±hhmm]` without the brackets). Returns undefined when
 * it is not one or names an impossible date (31/Feb).
 */
export function parseHttpDate(text: string): LogTime | undefined {
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
