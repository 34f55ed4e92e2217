import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { registerSqlFunctions } from './sql-functions.js';

const db = new Database(':memory:');
registerSqlFunctions(db);
const inCidr = (ip: unknown, net: unknown, prefix: unknown) =>
  (db.prepare('SELECT sluice_ip_in_cidr(?, ?, ?) AS v').get(ip, net, prefix) as { v: unknown }).v;
const key = (ip: unknown) => (db.prepare('SELECT sluice_ip_key(?) AS v').get(ip) as { v: unknown }).v;

test('sluice_ip_in_cidr: IPv4', () => {
  assert.equal(inCidr('10.1.2.3', '10.0.0.0', 8), 1);
  assert.equal(inCidr('11.0.0.0', '10.0.0.0', 8), 0);
  assert.equal(inCidr('10.255.255.255', '10.0.0.0', 8), 1);
  assert.equal(inCidr('192.0.2.10', '192.0.2.10', 32), 1);
  assert.equal(inCidr('192.0.2.11', '192.0.2.10', 32), 0);
  assert.equal(inCidr('1.2.3.4', '0.0.0.0', 0), 1);
  assert.equal(inCidr('10.1.2.3', '10.1.2.3', 8), 1, 'host bits of the network are ignored');
  assert.equal(inCidr('10.1.2.3', '10.0.0.0', 8n), 1, 'bigint prefix');
});

test('sluice_ip_in_cidr: IPv6, and families never mix', () => {
  assert.equal(inCidr('2001:db8::10', '2001:db8::', 32), 1);
  assert.equal(inCidr('2001:db9::10', '2001:db8::', 32), 0);
  assert.equal(inCidr('2001:DB8:0:0::1', '2001:db8::', 126), 1);
  assert.equal(inCidr('::1', '::', 0), 1);
  assert.equal(inCidr('::ffff:10.0.0.1', '10.0.0.0', 8), 0);
  assert.equal(inCidr('10.0.0.1', '::', 0), 0);
});

test('sluice_ip_in_cidr: NULL and invalid input give 0', () => {
  assert.equal(inCidr(null, '10.0.0.0', 8), 0);
  assert.equal(inCidr('10.0.0.1', null, 8), 0);
  assert.equal(inCidr('10.0.0.1', '10.0.0.0', null), 0);
  assert.equal(inCidr('not an ip', '10.0.0.0', 8), 0);
  assert.equal(inCidr('10.0.0.1', 'nope', 8), 0);
  assert.equal(inCidr('10.0.0.1', '10.0.0.0', 33), 0);
  assert.equal(inCidr('10.0.0.1', '10.0.0.0', -1), 0);
  assert.equal(inCidr('10.0.0.1', '10.0.0.0', 8.5), 0);
  assert.equal(inCidr(12345, '10.0.0.0', 8), 0);
  assert.equal(inCidr(Buffer.from('10.0.0.1'), '10.0.0.0', 8), 0);
  assert.equal(inCidr('300.0.0.1', '10.0.0.0', 8), 0);
});

test('sluice_ip_key orders addresses (IPv4 as IPv4-mapped IPv6) and is NULL for invalid input', () => {
  assert.equal(key('10.0.0.1'), '00000000000000000000ffff0a000001');
  assert.equal(key('2001:db8::1'), '20010db8000000000000000000000001');
  assert.equal(key('::'), '0'.repeat(32));
  assert.equal(key('bogus'), null);
  assert.equal(key(null), null);
  const sorted = ['2001:db8::1', '10.0.0.1', '9.255.255.255', '::1', 'ffff::'].sort((a, b) => String(key(a)).localeCompare(String(key(b))));
  assert.deepEqual(sorted, ['::1', '9.255.255.255', '10.0.0.1', '2001:db8::1', 'ffff::']);
});
