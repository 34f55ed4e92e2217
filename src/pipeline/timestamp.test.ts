import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimestampFormatter, epochString, toEpochNs } from './timestamp.js';

test('ISO timestamps keep the capture precision and no more', () => {
  const f = new TimestampFormatter();
  assert.equal(f.iso(1700000000, 1500000, 6), '2023-11-14T22:13:20.001500Z');
  assert.equal(f.iso(1700000000, 123456789, 9), '2023-11-14T22:13:20.123456789Z');
  assert.equal(f.iso(1700000001, 5, 9), '2023-11-14T22:13:21.000000005Z');
  assert.equal(f.iso(0, 0, 0), '1970-01-01T00:00:00Z');
  assert.equal(f.iso(1700000000, 999000000, 3), '2023-11-14T22:13:20.999Z');
});

test('epoch strings and nanosecond integers are exact beyond 2^53', () => {
  assert.equal(epochString(1700000000, 7, 9), '1700000000.000000007');
  assert.equal(toEpochNs(1700000000, 123456789), 1700000000123456789n);
  assert.equal(toEpochNs(4294967295, 999999999), 4294967295999999999n);
});

test('timestamps beyond what ISO 8601 can print fall back to the epoch instead of failing', () => {
  const f = new TimestampFormatter();
  assert.equal(f.iso(253402300799, 0, 0), '9999-12-31T23:59:59Z');
  assert.equal(f.iso(253402300800, 0, 0), '1970-01-01T00:00:00Z');
  assert.equal(f.iso(176766308950033060, 5, 1), '1970-01-01T00:00:00.0Z');
});
