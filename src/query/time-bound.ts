/**
 * `--from` / `--to` values: absolute ISO 8601 times or times relative to now.
 *
 * Accepted: `2024-01-01` (start of that UTC day), `2024-01-01T12:00:00Z`, fractions up to
 * nanoseconds, offsets (`+02:00`); `now`; relative `-24h`, `-7d`, `now-90m`, `now+1h` with units
 * s, m, h, d, w; and epoch seconds with an optional fraction (`1700000000.5`). Results are exact
 * nanoseconds since the epoch (BigInt), because packet times are.
 */
import { SluiceError } from '../errors.js';

const UNIT_NS: Record<string, bigint> = {
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a time bound into nanoseconds since the epoch. `flag` names the option in errors. */
export function parseTimeBound(text: string, flag: string, nowMs: number = Date.now()): bigint {
  const s = text.trim();
  const now = BigInt(nowMs) * 1_000_000n;
  if (s === 'now') return now;
  const rel = /^(?:now)?([+-])(\d+)([smhdw])$/.exec(s);
  if (rel) {
    const delta = BigInt(rel[2]) * UNIT_NS[rel[3]];
    return rel[1] === '-' ? now - delta : now + delta;
  }
  const epoch = /^(\d{9,11})(?:\.(\d{1,9}))?$/.exec(s);
  if (epoch) return BigInt(epoch[1]) * 1_000_000_000n + BigInt((epoch[2] ?? '').padEnd(9, '0') || '0');
  const m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
    const check = new Date(ms);
    if (!Number.isNaN(ms) && check.getUTCDate() === Number(d) && check.getUTCMonth() === Number(mo) - 1) {
      let ns = BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
      if (zone !== undefined && zone !== 'Z') {
        const sign = zone[0] === '-' ? -1n : 1n;
        const digits = zone.slice(1).replace(':', '');
        const offsetMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
        ns -= sign * offsetMin * 60_000_000_000n;
      }
      return ns;
    }
  }
  throw new SluiceError(
    'SLUICE_USAGE',
    `${flag} '${text}' is not a time: use an ISO 8601 date or time (2024-01-01, 2024-01-01T12:00:00Z), 'now', a relative time (-24h, -7d, now-30m) or epoch seconds`,
  );
}
