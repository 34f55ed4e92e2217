import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileEs } from './compile-es.js';
import { parseKql } from '../kql/parse-kql.js';
import { isSluiceError } from '../../errors.js';

const es = (q: string) => compileEs(parseKql(q));
const F = 'strict_date_optional_time_nanos';

test('match_all for empty, * and true constants; match_none for false constants', () => {
  assert.deepEqual(es(''), { match_all: {} });
  assert.deepEqual(es('*'), { match_all: {} });
  assert.deepEqual(es('event.kind: event'), { match_all: {} });
  assert.deepEqual(es('event.category: net*'), { match_all: {} });
  assert.deepEqual(es('event.kind: alert'), { match_none: {} });
  assert.deepEqual(es('not event.kind: alert'), { match_all: {} });
  assert.deepEqual(es('ecs.version: * and source.port: 80'), { term: { 'source.port': 80 } });
});

test('keywords: term, wildcard (escapes kept), phrase', () => {
  assert.deepEqual(es('http.request.method: GET'), { term: { 'http.request.method': 'GET' } });
  assert.deepEqual(es('url.original: "/a b"'), { term: { 'url.original': '/a b' } });
  assert.deepEqual(es('dns.question.name: *.example.com'), { wildcard: { 'dns.question.name': { value: '*.example.com' } } });
  assert.deepEqual(es('dns.question.name: a\\*b*'), { wildcard: { 'dns.question.name': { value: 'a\\*b*' } } });
  assert.deepEqual(es('dns.question.name: a\\*b'), { term: { 'dns.question.name': 'a*b' } });
  assert.deepEqual(es('source.mac: 02:00:5e:10:00:01'), { term: { 'source.mac': '02-00-5E-10-00-01' } });
});

test('numbers and numeric strings', () => {
  assert.deepEqual(es('source.port: 80'), { term: { 'source.port': 80 } });
  assert.deepEqual(es('destination.port >= 1024'), { range: { 'destination.port': { gte: 1024 } } });
  assert.deepEqual(es('destination.port < 1024'), { range: { 'destination.port': { lt: 1024 } } });
  assert.deepEqual(es('network.vlan.id: 010'), { term: { 'network.vlan.id': '10' } });
  assert.deepEqual(es('dns.id > 100'), { range: { 'dns.id': { gt: '100' } } });
  assert.deepEqual(es('pcap.frame <= 5'), { range: { 'pcap.frame': { lte: 5 } } });
  assert.deepEqual(es('packet.ip.fragment.more: true'), { term: { 'packet.ip.fragment.more': true } });
  assert.deepEqual(es('packet.tcp.seq > 9223372036854775806'), { range: { 'packet.tcp.seq': { gt: '9223372036854775806' } } });
});

test('ip fields: term with the normalised address or CIDR block; ranges', () => {
  assert.deepEqual(es('source.ip: 2001:DB8:0::1'), { term: { 'source.ip': '2001:db8::1' } });
  assert.deepEqual(es('source.ip: 10.1.2.3/8'), { term: { 'source.ip': '10.0.0.0/8' } });
  assert.deepEqual(es('dns.resolved_ip: 203.0.113.0/24'), { term: { 'dns.resolved_ip': '203.0.113.0/24' } });
  assert.deepEqual(es('ip: 2001:db8::/32'), {
    bool: { should: [{ term: { 'source.ip': '2001:db8::/32' } }, { term: { 'destination.ip': '2001:db8::/32' } }], minimum_should_match: 1 },
  });
  assert.deepEqual(es('source.ip >= 10.0.0.0'), { range: { 'source.ip': { gte: '10.0.0.0' } } });
});

test('@timestamp: exact instants, whole days, ranges with the user string, epoch millis', () => {
  assert.deepEqual(es('@timestamp: "2024-01-01T12:00:00.123456789Z"'), {
    range: { '@timestamp': { gte: '2024-01-01T12:00:00.123456789Z', lte: '2024-01-01T12:00:00.123456789Z', format: F } },
  });
  assert.deepEqual(es('@timestamp: 2024-01-01'), { range: { '@timestamp': { gte: '2024-01-01', lt: '2024-01-02', format: F } } });
  assert.deepEqual(es('@timestamp: 2024-12-31'), { range: { '@timestamp': { gte: '2024-12-31', lt: '2025-01-01', format: F } } });
  assert.deepEqual(es('@timestamp >= 2024-01-01T12:00:00+02:00'), { range: { '@timestamp': { gte: '2024-01-01T12:00:00+02:00', format: F } } });
  assert.deepEqual(es('@timestamp > 2024-01-01'), { range: { '@timestamp': { gt: '2024-01-01||/d', format: F } } });
  assert.deepEqual(es('@timestamp <= 2024-01-01'), { range: { '@timestamp': { lte: '2024-01-01||/d', format: F } } });
  assert.deepEqual(es('@timestamp >= 1704067200123'), { range: { '@timestamp': { gte: '2024-01-01T00:00:00.123000000Z', format: F } } });
});

test('exists, aliases, not, and, or, value lists as terms', () => {
  assert.deepEqual(es('source.port: *'), { exists: { field: 'source.port' } });
  assert.deepEqual(es('dns.answers[].data: *'), { exists: { field: 'dns.answers.data' } });
  assert.deepEqual(es('port: *'), {
    bool: { should: [{ exists: { field: 'source.port' } }, { exists: { field: 'destination.port' } }], minimum_should_match: 1 },
  });
  assert.deepEqual(es('not source.port: 80'), { bool: { must_not: [{ term: { 'source.port': 80 } }] } });
  assert.deepEqual(es('network.transport: tcp and not destination.port: (80 or 443)'), {
    bool: {
      must: [
        { term: { 'network.transport': 'tcp' } },
        { bool: { must_not: [{ terms: { 'destination.port': [80, 443] } }] } },
      ],
    },
  });
  assert.deepEqual(es('network.transport: (tcp or udp) or host: x.example'), {
    bool: {
      should: [
        { term: { 'network.transport': 'tcp' } },
        { term: { 'network.transport': 'udp' } },
        { term: { 'dns.question.name': 'x.example' } },
        { term: { 'url.domain': 'x.example' } },
        { term: { 'tls.client.server_name': 'x.example' } },
      ],
      minimum_should_match: 1,
    },
  });
  assert.deepEqual(es('host: (a or b)'), {
    bool: {
      should: [
        { term: { 'dns.question.name': 'a' } }, { term: { 'url.domain': 'a' } }, { term: { 'tls.client.server_name': 'a' } },
        { term: { 'dns.question.name': 'b' } }, { term: { 'url.domain': 'b' } }, { term: { 'tls.client.server_name': 'b' } },
      ],
      minimum_should_match: 1,
    },
  });
});

test('free text: the default fields, plus IP fields for an address', () => {
  const q = es('"2001:db8::1"') as { bool: { should: Record<string, Record<string, unknown>>[]; minimum_should_match: number } };
  assert.equal(q.bool.minimum_should_match, 1);
  assert.deepEqual(q.bool.should.slice(-3), [
    { term: { 'source.ip': '2001:db8::1' } }, { term: { 'destination.ip': '2001:db8::1' } }, { term: { 'dns.resolved_ip': '2001:db8::1' } },
  ]);
  assert.deepEqual(q.bool.should[0], { term: { 'dns.question.name': '2001:db8::1' } });
  const w = es('*.example.org') as { bool: { should: unknown[] } };
  assert.deepEqual(w.bool.should[0], { wildcard: { 'dns.question.name': { value: '*.example.org' } } });
  assert.ok(!JSON.stringify(w).includes('query_string'));
});

test('hostile values are plain JSON values, never query syntax', () => {
  const v = 'a" OR *:* \\ ) ( ; DROP';
  const q = es(`url.original: "${v.replace(/[\\"]/g, (c) => '\\' + c)}"`);
  assert.deepEqual(q, { term: { 'url.original': v } });
});

test('errors are the same as for SQL', () => {
  assert.throws(() => es('source.prot: 1'), (e: unknown) => isSluiceError(e, 'SLUICE_QUERY_FIELD'));
  assert.throws(() => es('source.ip: 1.2.3'), (e: unknown) => isSluiceError(e, 'SLUICE_QUERY_VALUE'));
});
