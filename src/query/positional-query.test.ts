import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryFromArgs } from './positional-query.js';
import { parseKql } from './kql/parse-kql.js';

test('the archiver positional form becomes KQL: a conversation in both directions with its ports', () => {
  const q = queryFromArgs(['192.168.99.100', '8.8.8.8', '34555', '53']);
  assert.equal(
    q,
    '((source.ip: "192.168.99.100" and destination.ip: "8.8.8.8" and source.port: 34555 and destination.port: 53) or ' +
      '(source.ip: "8.8.8.8" and destination.ip: "192.168.99.100" and destination.port: 34555 and source.port: 53))',
  );
  parseKql(q);
});

test('one address, keywords, IPv6', () => {
  assert.equal(queryFromArgs(['192.168.99.100', 'ipv4']), 'ip: "192.168.99.100" and network.type: ipv4');
  assert.equal(queryFromArgs(['2001:db8::1', 'udp', '53']), 'ip: "2001:db8::1" and port: 53 and network.transport: udp');
  parseKql(queryFromArgs(['2001:db8::1', 'udp', '53']));
});

test('anything that is not purely positional is KQL, joined by spaces', () => {
  assert.equal(queryFromArgs(['dns.question.name:', 'example.com']), 'dns.question.name: example.com');
  assert.equal(queryFromArgs(['udp']), 'udp');
  assert.equal(queryFromArgs(['1.2.3.4', 'and', 'port:', '53']), '1.2.3.4 and port: 53');
  assert.equal(queryFromArgs([]), '');
  assert.equal(queryFromArgs(['70000']), '70000');
});
