/**
 * Reading the day back out of a daily index name (`sluice-packets-2024.05.01` → `2024-05-01`) and
 * parsing retention durations (`30d`, `2w`, `12h`). Retention only ever considers names that
 * fully match the daily pattern: anything else under the same prefix is never touched.
 */
import { SluiceError } from '../../../errors.js';
import { dailyIndex } from '../bulk-encoder.js';

const DAY_MS = 86_400_000;

/**
 * The UTC day (`YYYY-MM-DD`) of `name` when it is exactly the index `pattern` (%Y %m %d tokens, see
 * `dailyIndex`) gives for that day; `undefined` for every other name (another prefix, a suffix,
 * an impossible date like `2024.02.30`, a non-daily pattern).
 */
export function indexDay(pattern: string, name: string): string | undefined {
  if (!isDailyPattern(pattern)) return undefined;
  let source = '^';
  for (const part of pattern.split(/(%[Ymd])/)) {
    if (part === '%Y') source += '(?<Y>\\d{4})';
    else if (part === '%m') source += '(?<m>\\d{2})';
    else if (part === '%d') source += '(?<d>\\d{2})';
    else source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // A token used twice becomes a duplicate group name, which RegExp rejects: match the first
  // occurrence of each, the round trip below checks the others.
  const seen = new Set<string>();
  source = source.replace(/\(\?<([Ymd])>(\\d\{\d\})\)/g, (all, t: string, digits: string) => (seen.has(t) ? `(?:${digits})` : (seen.add(t), all)));
  const m = new RegExp(source + '$').exec(name);
  if (!m?.groups) return undefined;
  const { Y, m: month, d } = m.groups;
  const epochMs = Date.UTC(Number(Y), Number(month) - 1, Number(d));
  if (!Number.isFinite(epochMs)) return undefined;
  // Round trip: rejects 2024.02.30 (Date.UTC rolls it into March) and inconsistent repeated tokens.
  if (dailyIndex(pattern, epochMs / 1000) !== name) return undefined;
  return `${Y}-${month}-${d}`;
}

/** True when `pattern` has all of %Y, %m and %d (one index per UTC day). */
export function isDailyPattern(pattern: string): boolean {
  return pattern.includes('%Y') && pattern.includes('%m') && pattern.includes('%d');
}

/** Throws SLUICE_USAGE unless `pattern` is a daily pattern. */
export function assertDailyPattern(pattern: string): void {
  if (!isDailyPattern(pattern)) {
    throw new SluiceError('SLUICE_USAGE', `retention works on daily indices: elasticsearch.index_pattern (--es-index) must contain %Y, %m and %d, got '${pattern}'`);
  }
}

/**
 * Whether the index of `day` (`YYYY-MM-DD`) is older than `olderThanMs` at `nowMs`: its whole day
 * (until the next UTC midnight) ended at least `olderThanMs` before now. For whole days N that is
 * "today − day > N" in UTC calendar days: on 2024-05-31, `30d` selects 2024-04-30 and earlier.
 */
export function dayIsOlderThan(day: string, olderThanMs: number, nowMs: number): boolean {
  const [y, m, d] = day.split('-').map(Number);
  const endOfDay = Date.UTC(y, m - 1, d) + DAY_MS;
  return endOfDay <= nowMs - olderThanMs;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * `30d`, `2w`, `12h` (a positive whole number and one unit: h hours, d days, w weeks) in
 * milliseconds. Anything else (`30`, `1m`, `1.5d`, `0d`, `-1d`) is SLUICE_USAGE.
 */
export function parseRetentionDuration(text: string, flag = '--older-than'): number {
  const m = /^\s*(\d+)\s*([hdw])\s*$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(n) || n <= 0) {
    throw new SluiceError('SLUICE_USAGE', `${flag} expects a positive whole number and a unit h (hours), d (days) or w (weeks), e.g. 30d, 2w, 12h; got '${text}'`);
  }
  return n * UNIT_MS[m[2].toLowerCase()];
}

/** Milliseconds as days (for reports): `2592000000` → 30. */
export function msToDays(ms: number): number {
  return ms / DAY_MS;
}
