import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimeBound } from './time-bound.js';
import { isSluiceError } from '../errors.js';

const NOW = Date.UTC(2024, 0, 2, 12, 0, 0); // 2024-01-02T12:00:00Z

test('absolute times are exact nanoseconds, dates start their UTC day, offsets are applied', () => {
  assert.equal(parseTimeBound('2024-01-01', '--from', NOW), 1704067200000000000n);
  assert.equal(parseTimeBound('2024-01-01T00:00:01Z', '--from', NOW), 1704067201000000000n);
  assert.equal(parseTimeBound('2024-01-01T00:00:00.123456789Z', '--from', NOW), 1704067200123456789n);
  assert.equal(parseTimeBound('2024-01-01T02:00:00+02:00', '--from', NOW), 1704067200000000000n);
  assert.equal(parseTimeBound('2023-12-31T19:00:00-05:00', '--from', NOW), 1704067200000000000n);
  assert.equal(parseTimeBound('1700000000.5', '--from', NOW), 1700000000500000000n);
});

test('relative times count back (or forward) from now', () => {
  const now = BigInt(NOW) * 1_000_000n;
  assert.equal(parseTimeBound('now', '--to', NOW), now);
  assert.equal(parseTimeBound('-24h', '--from', NOW), now - 86_400_000_000_000n);
  assert.equal(parseTimeBound('now-7d', '--from', NOW), now - 7n * 86_400_000_000_000n);
  assert.equal(parseTimeBound('now+90s', '--to', NOW), now + 90_000_000_000n);
  assert.equal(parseTimeBound('-2w', '--from', NOW), now - 2n * 604_800_000_000_000n);
});

test('anything else is a usage error naming the option', () => {
  for (const bad of ['yesterday', '2024-13-01', '2024-02-30', '-5y', '', '12:00']) {
    assert.throws(() => parseTimeBound(bad, '--from', NOW), (err: unknown) => isSluiceError(err, 'SLUICE_USAGE') && err.message.includes('--from'));
  }
});
