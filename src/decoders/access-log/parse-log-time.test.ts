import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isoTimestamp, parseEpoch, parseHttpDate, parseHttpDateByRegex, parseIsoDate } from './parse-log-time.js';
import { unescapeLogValue } from './unescape-log-value.js';

test('CLF time: UTC timestamp and the offset kept', () => {
  assert.deepEqual(parseHttpDate('10/Oct/2000:13:55:36 -0700'), { timestamp: '2000-10-10T20:55:36.000Z', timezone: '-07:00' });
  assert.deepEqual(parseHttpDate('07/Dec/2016:11:05:07 +0100'), { timestamp: '2016-12-07T10:05:07.000Z', timezone: '+01:00' });
  assert.deepEqual(parseHttpDate('31/Dec/2016:23:30:00 -0100'), { timestamp: '2017-01-01T00:30:00.000Z', timezone: '-01:00' });
  assert.deepEqual(parseHttpDate('29/feb/2016:00:00:00 +0000'), { timestamp: '2016-02-29T00:00:00.000Z', timezone: '+00:00' });
});

test('CLF time: impossible dates are refused, not rolled over', () => {
  for (const bad of ['31/Feb/2016:00:00:00 +0000', '29/Feb/2015:00:00:00 +0000', '10/Foo/2000:13:55:36 -0700', '10/Oct/2000:25:00:00 +0000', '10/Oct/2000 13:55:36', '']) {
    assert.equal(parseHttpDate(bad), undefined, bad);
  }
});

test('ISO 8601 time ($time_iso8601) with offset, Z, fraction, and without offset (UTC)', () => {
  assert.deepEqual(parseIsoDate('2016-12-07T11:05:07+01:00'), { timestamp: '2016-12-07T10:05:07.000Z', timezone: '+01:00' });
  assert.deepEqual(parseIsoDate('2016-12-07T11:05:07.250Z'), { timestamp: '2016-12-07T11:05:07.250Z', timezone: '+00:00' });
  assert.deepEqual(parseIsoDate('2016-12-07T11:05:07'), { timestamp: '2016-12-07T11:05:07.000Z', timezone: undefined });
  assert.equal(parseIsoDate('2016-13-07T11:05:07Z'), undefined);
});

test('epoch times in seconds ($msec), milliseconds and microseconds', () => {
  assert.equal(parseEpoch('1481105107.123', 's')?.timestamp, '2016-12-07T10:05:07.123Z');
  assert.equal(parseEpoch('1481105107123', 'ms')?.timestamp, '2016-12-07T10:05:07.123Z');
  assert.equal(parseEpoch('1481105107123456', 'us')?.timestamp, '2016-12-07T10:05:07.123456Z');
  assert.equal(parseEpoch('abc', 's'), undefined);
});

test('escapes: Apache \\" and \\\\, nginx \\xHH (UTF-8 runs decoded, binary kept byte per character), JSON \\u', () => {
  assert.equal(unescapeLogValue('plain'), 'plain');
  assert.equal(unescapeLogValue('Mozilla \\"quoted\\" \\\\ end'), 'Mozilla "quoted" \\ end');
  assert.equal(unescapeLogValue('/caf\\xC3\\xA9'), '/café');
  assert.equal(unescapeLogValue('\\x16\\x03\\x01'), '\u0016\u0003\u0001');
  assert.equal(unescapeLogValue('\\xe4\\xe5'), '\u00e4\u00e5');
  assert.equal(unescapeLogValue('a\\x22b'), 'a"b');
  assert.equal(unescapeLogValue('\\u00e9\\n'), 'é\n');
  assert.equal(unescapeLogValue('trailing \\'), 'trailing \\');
  assert.equal(unescapeLogValue('\\xZZ'), '\\xZZ');
});

test('CLF time: the by-position fast path agrees with the regular expression on every shape', () => {
  const two = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 23 }).map((n) => String(n).padStart(2, '0')), weight: 6 },
    fc.integer({ min: 0, max: 99 }).map((n) => String(n).padStart(2, '0')), fc.constantFrom('0', '7', '1a', ' 1', '60', '61', '24', '29', '30', '31', '00'),
  );
  const month = fc.oneof(fc.constantFrom('Jan', 'feb', 'MAR', 'aPr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'), fc.string({ minLength: 3, maxLength: 3, unit: 'binary' }));
  const year = fc.oneof(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), fc.constantFrom('1900', '2000', '2100', '2016', '0050', '9999', '20x6'));
  const date = fc
    .tuple(two, month, year, two, two, two, fc.constantFrom('+', '-', ' ', 'x'), two, two, fc.constantFrom('/', ':', ' '))
    .map(([d, mo, y, h, mi, s, sign, oh, om, sep]) => `${d}${sep}${mo}/${y}:${h}:${mi}:${s} ${sign}${oh}${om}`);
  fc.assert(
    fc.property(fc.oneof(date, fc.string({ minLength: 26, maxLength: 26, unit: 'binary' })), (text) => {
      assert.deepEqual(parseHttpDate(text), parseHttpDateByRegex(text), text);
    }),
    { numRuns: 20_000 },
  );
  for (const edge of ['29/Feb/1900:00:00:00 +0000', '29/Feb/2000:00:00:00 +0000', '31/Dec/9999:23:59:59 -2359', '01/Jan/0000:00:00:00 +2359', '01/Jan/0050:00:00:00 +0000', '30/Jun/2015:23:59:60 +0000']) {
    assert.deepEqual(parseHttpDate(edge), parseHttpDateByRegex(edge), edge);
  }
});

test('CLF time: lines of the same minute (the remembered minute) agree with the regular expression', () => {
  const seconds = [...Array.from({ length: 62 }, (_, i) => String(i).padStart(2, '0')), '6x', 'xx', ' 1'];
  for (const base of ['26/Dec/2016:16:16:', '31/Dec/9999:23:59:', '01/Jan/0000:00:00:', '29/Feb/2016:00:00:', '29/Feb/2015:00:00:', '10/Oct/2000:13:55:']) {
    for (const zone of [' +0200', ' -0700', ' +0000', ' -2359', ' +2400']) {
      for (const sec of [...seconds, ...seconds.reverse()]) {
        const text = `${base}${sec}${zone}`;
        assert.deepEqual(parseHttpDate(text), parseHttpDateByRegex(text), text);
      }
    }
  }
});

test('isoTimestamp is Date#toISOString for any millisecond value', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }), fc.integer({ min: -8.64e15, max: 8.64e15 })), (ms) => {
      assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
    }),
    { numRuns: 20_000 },
  );
});
