import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayText, parseCidr, parseDate, parseInteger, parseIp } from './values.js';

test('parseIp normalises IPv4 and IPv6 (RFC 5952)', () => {
  assert.equal(parseIp('192.0.2.10')?.text, '192.0.2.10');
  assert.equal(parseIp('2001:DB8:0:0:0:0:0:1')?.text, '2001:db8::1');
  assert.equal(parseIp('2001:db8:0:0:1:0:0:1')?.text, '2001:db8::1:0:0:1');
  assert.equal(parseIp('2001:0db8:0000:0001:0000:0000:0000:0001')?.text, '2001:db8:0:1::1');
  assert.equal(parseIp('::')?.text, '::');
  assert.equal(parseIp('::1')?.text, '::1');
  assert.equal(parseIp('fe80::')?.text, 'fe80::');
  assert.equal(parseIp('2001:db8:1:1:1:1:1:0')?.text, '2001:db8:1:1:1:1:1:0');
  assert.equal(parseIp('2001:db8::1:0:0:0')?.text, '2001:db8:0:0:1::');
  assert.equal(parseIp('::ffff:192.0.2.1')?.text, '::ffff:c000:201');
  for (const bad of ['300.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'abc', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':::', '', 'g::1']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

test('parseCidr clears host bits and checks the prefix', () => {
  assert.equal(parseCidr('10.1.2.3/8')?.text, '10.0.0.0/8');
  assert.equal(parseCidr('2001:DB8::1/32')?.text, '2001:db8::/32');
  assert.equal(parseCidr('0.0.0.0/0')?.text, '0.0.0.0/0');
  for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/a', '/8', 'x/8']) assert.equal(parseCidr(bad), undefined, bad);
});

test('parseDate: ISO 8601 and epoch milliseconds to exact nanoseconds', () => {
  assert.deepEqual(parseDate('2024-01-01'), { ns: 1704067200000000000n, dateOnly: true });
  assert.deepEqual(parseDate('2024-01-01T12:00:00Z'), { ns: 1704110400000000000n, dateOnly: false });
  assert.deepEqual(parseDate('2024-01-01T12:00:00.123456789Z'), { ns: 1704110400123456789n, dateOnly: false });
  assert.deepEqual(parseDate('2024-01-01T12:00:00.1Z'), { ns: 1704110400100000000n, dateOnly: false });
  assert.deepEqual(parseDate('2024-01-01T14:00:00+02:00'), { ns: 1704110400000000000n, dateOnly: false });
  assert.deepEqual(parseDate('2024-01-01T10:00:00-0200'), { ns: 1704110400000000000n, dateOnly: false });
  assert.deepEqual(parseDate('2024-01-01T12:00'), { ns: 1704110400000000000n, dateOnly: false });
  assert.deepEqual(parseDate('1704067200000'), { ns: 1704067200000000000n, dateOnly: false });
  assert.deepEqual(parseDate('1969-12-31T23:59:59.999999999Z'), { ns: -1n, dateOnly: false });
  assert.deepEqual(parseDate('2024-02-29'), { ns: 1709164800000000000n, dateOnly: true });
  for (const bad of ['2023-02-29', '2024-13-01', '2024-00-10', '2024-01-32', '2024-01-01T24:00:00Z', '2024-01-01T12:60Z', '2024-1-1', 'yesterday', '2024-01-01T12:00:00.1234567890Z', '2024-01-01T12:00:00+25:00']) {
    assert.equal(parseDate(bad), undefined, bad);
  }
  assert.equal(dayText(1704153600000000000n), '2024-01-02');
  assert.equal(dayText(-1n), '1969-12-31');
});

test('parseInteger: 64-bit signed decimal', () => {
  assert.equal(parseInteger('80'), 80n);
  assert.equal(parseInteger('-5'), -5n);
  assert.equal(parseInteger('9223372036854775807'), 9223372036854775807n);
  assert.equal(parseInteger('9223372036854775808'), undefined);
  assert.equal(parseInteger('1.5'), undefined);
  assert.equal(parseInteger('0x10'), undefined);
});
