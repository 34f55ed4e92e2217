import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCowrieTimestamp as ts } from './cowrie-timestamp.js';

test('Cowrie timestamps keep their microseconds and end up in UTC', () => {
  assert.equal(ts('2018-05-06T17:44:05.866769Z'), '2018-05-06T17:44:05.866769Z');
  assert.equal(ts('2018-05-06T17:44:05Z'), '2018-05-06T17:44:05Z');
  assert.equal(ts('2018-05-06 17:44:05.1'), '2018-05-06T17:44:05.1Z', 'no zone: UTC, as Cowrie logs');
  assert.equal(ts('2018-05-06T00:30:00.000001+0100'), '2018-05-05T23:30:00.000001Z');
  assert.equal(ts('2018-05-06T23:30:00.5-02:30'), '2018-05-07T02:00:00.5Z');
  assert.equal(ts(1525628645.866769), '2018-05-06T17:44:05.866769Z');
  assert.equal(ts('1525628645'), '2018-05-06T17:44:05.000000Z');
  assert.equal(ts(1525628645866), '2018-05-06T17:44:05.866000Z', 'milliseconds');
});

test('what is not a time is undefined', () => {
  for (const bad of [undefined, null, '', 'yesterday', '2018-02-31T00:00:00Z', '2018-05-06T25:00:00Z', '2018-05-06T17:44:05.Z', '2018-05-06T17:44:05Zjunk', -5, NaN, {}, '2018-05-06T17:44:05.1234567890Z']) {
    assert.equal(ts(bad), undefined, String(bad));
  }
});
