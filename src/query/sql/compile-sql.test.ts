// compileSql: every construct executed against an in-memory SQLite store with hand-written documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { compileSql, wildcardToGlob } from './compile-sql.js';
import { registerSqlFunctions } from './sql-functions.js';
import { parseKql } from '../kql/parse-kql.js';
import { isSluiceError } from '../../errors.js';

const SPAN = 2 ** 32;

/** ns since the epoch of an ISO instant with 9 fractional digits. */
function ns(iso: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)\.(\d{9})Z$/.exec(iso)!;
  return BigInt(Date.parse(m[1] + 'Z')) * 1_000_000n + BigInt(m[2]!);
}

interface Row {
  name: string;
  capture: number;
  frame: number;
  ts: string;
  linkType: number;
  iface: number;
  origLen: number;
  doc: Record<string, unknown>;
}

const base = { ecs: { version: '8.11.0' }, event: { kind: 'event', category: ['network'], type: ['connection'], dataset: 'sluice.packet', module: 'sluice' } };

const ROWS: Row[] = [
  {
    name: 'H', capture: 1, frame: 1, ts: '2024-01-01T12:00:00.123456789Z', linkType: 1, iface: 0, origLen: 221,
    doc: {
      ...base,
      source: { ip: '192.0.2.10', port: 49152, mac: '02-00-5E-10-00-01' },
      destination: { ip: '203.0.113.80', port: 80, mac: '02-00-5E-10-00-FE' },
      network: { bytes: 221, packets: 1, type: 'ipv4', transport: 'tcp', iana_number: '6', protocol: 'http', community_id: '1:2GoYj2KXIFIBysWb1u0hVksa5oE=' },
      http: { version: '1.1', request: { method: 'GET' } },
      url: { original: '/search?q=sluice', domain: 'www.example.com' },
      user_agent: { original: 'sluice-sample/1.0 (+https://example.com)' },
      packet: { length: 221, caplen: 221, tcp: { flags: ['PSH', 'ACK'], seq: 1, ack: 2, window: 64240 } },
      pcap: { frame: 1, offset: 24, link_type: 1, interface: 0 },
      sniff_timestamp: '1704110400.123456789', highest_protocol: 'http', source_date: '2024-01-01',
    },
  },
  {
    name: 'D', capture: 1, frame: 2, ts: '2024-01-01T12:00:00.123456790Z', linkType: 1, iface: 0, origLen: 120,
    doc: {
      ...base,
      source: { ip: '198.51.100.53', port: 53 },
      destination: { ip: '192.0.2.10', port: 5353 },
      network: { bytes: 120, packets: 1, type: 'ipv4', transport: 'udp', iana_number: '17', protocol: 'dns', vlan: { id: '10' } },
      dns: {
        id: '6699', type: 'answer', op_code: 'QUERY', response_code: 'NOERROR', header_flags: ['RD', 'RA'],
        question: { name: 'www.example.com', type: 'A', class: 'IN' },
        answers: [
          { name: 'www.example.com', type: 'A', class: 'IN', ttl: 300, data: '203.0.113.80' },
          { name: 'www.example.com', type: 'CNAME', class: 'IN', ttl: 60, data: 'alias.example.net' },
        ],
        resolved_ip: ['203.0.113.80', '2001:db8::80'],
      },
      packet: { length: 120, caplen: 120, vlan_ids: [10] },
      pcap: { frame: 2, offset: 300, link_type: 1, interface: 0 },
      highest_protocol: 'dns',
    },
  },
  {
    name: 'T', capture: 2, frame: 1, ts: '2024-01-02T00:00:00.000000000Z', linkType: 113, iface: 1, origLen: 1500,
    doc: {
      ...base,
      source: { ip: '2001:db8::10', port: 50000 },
      destination: { ip: '2001:db8:1::443', port: 443 },
      network: { bytes: 1500, packets: 1, type: 'ipv6', transport: 'tcp', iana_number: '6', protocol: 'tls' },
      tls: { version_protocol: 'tls', client: { server_name: 'login.example.org', ja3: '25c25aefbdaf903112e4b8785e7f92ca' } },
      packet: { length: 1500, caplen: 1500, tcp: { flags: ['PSH', 'ACK'] } },
      pcap: { frame: 1, offset: 40, link_type: 113, interface: 1 },
      highest_protocol: 'tls',
    },
  },
  {
    name: 'A', capture: 2, frame: 2, ts: '2023-12-31T23:59:59.999999999Z', linkType: 1, iface: 0, origLen: 42,
    doc: {
      ...base,
      source: { mac: '02-00-5E-10-00-02' },
      destination: { mac: 'FF-FF-FF-FF-FF-FF' },
      network: { bytes: 42, packets: 1, type: 'arp' },
      error: { message: 'arp: truncated' },
      packet: { length: 42, caplen: 42 },
      pcap: { frame: 2, offset: 1600, link_type: 1, interface: 0 },
      highest_protocol: 'arp',
    },
  },
  {
    name: 'X', capture: 2, frame: 3, ts: '2024-01-01T00:00:00.000000000Z', linkType: 1, iface: 0, origLen: 600,
    doc: {
      ...base,
      source: { ip: '10.1.2.3', port: 80 },
      destination: { ip: '10.255.255.255', port: 8080 },
      network: { bytes: 600, packets: 1, type: 'ipv4', transport: 'tcp', iana_number: '6', protocol: 'http' },
      http: { request: { method: 'POST' } },
      url: { original: "'; DROP TABLE packets; --", domain: 'a*b.example' },
      user_agent: { original: '100%_[x]' },
      dns: { id: '7', question: { name: 'a*b.example' } },
      packet: { length: 600, caplen: 600, ip: { fragment: { offset: 0, more: true } } },
      pcap: { frame: 3, offset: 1700, link_type: 1, interface: 0 },
      highest_protocol: 'http',
    },
  },
];

const CAPTURES = [
  { id: 1, capture_id: 'aaaa', doc_file: 'captures/one.pcap', doc_name: 'one.pcap' },
  { id: 2, capture_id: 'bbbb', doc_file: 'captures/two.pcapng', doc_name: 'two.pcapng' },
];

function openDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE captures (id INTEGER PRIMARY KEY, capture_id TEXT, doc_file TEXT, doc_name TEXT);
    CREATE TABLE packets (rowid INTEGER PRIMARY KEY, ts_sec INTEGER, ts_nsec INTEGER, ts_ns INTEGER GENERATED ALWAYS AS (ts_sec * 1000000000 + ts_nsec) VIRTUAL, link_type INTEGER, interface INTEGER, orig_len INTEGER, data BLOB, doc BLOB)`);
  const ic = db.prepare('INSERT INTO captures (id, capture_id, doc_file, doc_name) VALUES (?, ?, ?, ?)');
  for (const c of CAPTURES) ic.run(c.id, c.capture_id, c.doc_file, c.doc_name);
  const ip = db.prepare('INSERT INTO packets (rowid, ts_sec, ts_nsec, link_type, interface, orig_len, data, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of ROWS) {
    const t = ns(r.ts);
    ip.run(r.capture * SPAN + r.frame, t / 1_000_000_000n, t % 1_000_000_000n, r.linkType, r.iface, r.origLen, Buffer.alloc(0), Buffer.from(JSON.stringify({ '@timestamp': r.ts, ...r.doc })));
  }
  registerSqlFunctions(db);
  return db;
}

const db = openDb();
const NAMES = new Map(ROWS.map((r) => [r.capture * SPAN + r.frame, r.name]));

function run(where: string, params: unknown[]): string {
  const rows = db.prepare(`SELECT p.rowid AS r FROM packets p JOIN captures c ON c.id = (p.rowid >> 32) WHERE ${where}`).all(...params) as { r: number }[];
  return rows.map((x) => NAMES.get(x.r)!).sort().join(',');
}

function matches(q: string): string {
  const { where, params } = compileSql(parseKql(q));
  return run(where, params);
}

const CASES: [string, string][] = [
  ['', 'A,D,H,T,X'],
  ['*', 'A,D,H,T,X'],
  // ip fields: equality (normalised), CIDR v4 / v6, aliases, NOT with missing fields
  ['source.ip: 192.0.2.10', 'H'],
  ['ip: 192.0.2.10', 'D,H'],
  ['source.ip: 10.0.0.0/8', 'X'],
  ['destination.ip: 10.255.0.0/16', 'X'],
  ['source.ip: 10.1.2.3/32', 'X'],
  ['source.ip: 0.0.0.0/0', 'D,H,X'],
  ['ip: 2001:db8::/32', 'T'],
  ['ip: 2001:db8:1::/48', 'T'],
  ['ip: 2001:DB8:0:0::10', 'T'],
  ['not source.ip: 10.0.0.0/8', 'A,D,H,T'],
  ['source.ip > 10.0.0.0 and source.ip < 11.0.0.0', 'X'],
  ['ip >= 2001:db8::', 'T'],
  // long fields, ranges, NOT/NULL
  ['source.port: 80', 'X'],
  ['not source.port: 80', 'A,D,H,T'],
  ['port: 80', 'H,X'],
  ['port: (53 or 443)', 'D,T'],
  ['destination.port >= 1024', 'D,X'],
  ['destination.port < 100', 'H'],
  ['destination.port <= 80 or destination.port > 8080', 'H'],
  ['not destination.port < 100', 'A,D,T,X'],
  ['network.bytes > 1000', 'T'],
  ['packet.length: 221', 'H'],
  // keywords holding integers as strings
  ['network.vlan.id: 10', 'D'],
  ['network.vlan.id >= 5', 'D'],
  ['network.iana_number: 6', 'H,T,X'],
  ['network.iana_number < 10', 'H,T,X'],
  ['dns.id: 6699', 'D'],
  ['dns.id > 100', 'D'],
  ['dns.id: 66*', 'D'],
  // keywords: exact, case-sensitive, wildcards, escaped wildcards
  ['http.request.method: GET', 'H'],
  ['http.request.method: get', ''],
  ['dns.question.name: *.example.com', 'D'],
  ['dns.question.name: www?example.com', 'D'],
  ['dns.question.name: a\\*b.example', 'X'],
  ['dns.question.name: "a*b.example"', 'X'],
  ['dns.question.name: a*b.example', 'X'],
  ['dns.question.name: a\\*b*', 'X'],
  ['dns.question.name: "*.example.com"', ''],
  ['user_agent.original: 100%*', 'X'],
  ['user_agent.original: 100_*', ''],
  ['user_agent.original: 100%_[*', 'X'],
  ['user_agent.original: *[x]', 'X'],
  ['user_agent.original: "100%_[x]"', 'X'],
  ['url.original: "\'; DROP TABLE packets; --"', 'X'],
  ['source.mac: 02:00:5e:10:00:01', 'H'],
  ['source_date >= 2024-01-01', 'H'],
  // aliases
  ['host: www.example.com', 'D,H'],
  ['host: *.example.org', 'T'],
  ['not host: *', 'A'],
  // arrays
  ['dns.resolved_ip: 2001:db8::80', 'D'],
  ['dns.resolved_ip: 203.0.113.0/24', 'D'],
  ['dns.answers.data: alias.example.net', 'D'],
  ['dns.answers[].data: alias*', 'D'],
  ['dns.answers.ttl >= 100', 'D'],
  ['dns.answers.ttl > 300', ''],
  ['dns.header_flags: RA', 'D'],
  ['packet.tcp.flags: ACK', 'H,T'],
  ['packet.tcp.flags: SYN', ''],
  ['not packet.tcp.flags: ACK', 'A,D,X'],
  ['packet.vlan_ids: 10', 'D'],
  ['packet.tcp.flags: *', 'H,T'],
  // exists
  ['source.port: *', 'D,H,T,X'],
  ['not source.ip: *', 'A'],
  ['error.message: *', 'A'],
  ['dns.id: * and not dns.answers.data: *', 'X'],
  // booleans
  ['packet.ip.fragment.more: true', 'X'],
  ['packet.ip.fragment.more: false', ''],
  ['not packet.ip.fragment.more: true', 'A,D,H,T'],
  // @timestamp: exact ns, whole days, ranges, offsets, epoch ms
  ['@timestamp: "2024-01-01T12:00:00.123456789Z"', 'H'],
  ['@timestamp: 2024-01-01T12:00:00.12345679Z', 'D'],
  ['@timestamp: 2024-01-01', 'D,H,X'],
  ['@timestamp: "2023-12-31"', 'A'],
  ['@timestamp > 2024-01-01T12:00:00.123456789Z', 'D,T'],
  ['@timestamp >= "2024-01-01T14:00:00.123456790+02:00"', 'D,T'],
  ['@timestamp < 2024-01-01', 'A'],
  ['@timestamp <= 2024-01-01', 'A,D,H,X'],
  ['@timestamp > 2024-01-01', 'T'],
  ['@timestamp >= 2024-01-01', 'D,H,T,X'],
  ['@timestamp >= 1704067200000', 'D,H,T,X'],
  ['@timestamp: 1704067200000', 'X'],
  ['@timestamp >= 2024-01-01T12:00 and @timestamp < 2024-01-01T13:00', 'D,H'],
  // constants
  ['event.kind: event', 'A,D,H,T,X'],
  ['event.kind: alert', ''],
  ['not event.kind: alert', 'A,D,H,T,X'],
  ['event.category: network', 'A,D,H,T,X'],
  ['ecs.version: 8.*', 'A,D,H,T,X'],
  ['event.dataset: * and port: 80', 'H,X'],
  ['event.module: sluice or port: 80', 'A,D,H,T,X'],
  // capture columns and packet columns
  ['pcap.file: captures/one.pcap', 'D,H'],
  ['source_file: two.pcapng', 'A,T,X'],
  ['pcap.capture_id: bbbb and not pcap.frame: 1', 'A,X'],
  ['pcap.frame: 2', 'A,D'],
  ['pcap.frame >= 2', 'A,D,X'],
  ['pcap.link_type: 113', 'T'],
  ['pcap.interface: 1', 'T'],
  ['pcap.offset > 1000', 'A,X'],
  // boolean structure
  ['not (port: 80 or dns.id: *)', 'A,T'],
  ['NOT source.port: 80 AND ip: *', 'D,H,T'],
  ['network.transport: (tcp and udp)', ''],
  ['network.transport: (tcp or udp)', 'D,H,T,X'],
  ['network.transport: (tcp and not udp) and not port: 80', 'T'],
  ['http.request.method: GET and not url.domain: www.example.com', ''],
  // free text
  ['www.example.com', 'D,H'],
  ['192.0.2.10', 'D,H'],
  ['"2001:db8::80"', 'D'],
  ['*.example.org', 'T'],
  ['arp', 'A'],
  ['one.pcap', 'D,H'],
];

test(`compileSql: ${CASES.length} queries executed against hand-written documents`, () => {
  for (const [q, expected] of CASES) assert.equal(matches(q), expected, q);
});

test('compileSql: the clause is 0/1 (never NULL) for every row, so NOT keeps rows without the field', () => {
  for (const [q] of CASES) {
    const { where, params } = compileSql(parseKql(q));
    const values = db.prepare(`SELECT (${where}) AS v FROM packets p JOIN captures c ON c.id = (p.rowid >> 32)`).all(...params) as { v: unknown }[];
    for (const { v } of values) assert.ok(v === 0 || v === 1, `${q}: ${String(v)}`);
  }
});

test('compileSql: @timestamp binds exact BigInt nanoseconds', () => {
  assert.deepEqual(compileSql(parseKql('@timestamp: "2024-01-01T12:00:00.123456789Z"')), { where: 'coalesce((p.ts_ns = ?), 0)', params: [1704110400123456789n] });
  assert.deepEqual(compileSql(parseKql('@timestamp: 2024-01-01')), {
    where: 'coalesce((p.ts_ns >= ? AND p.ts_ns < ?), 0)', params: [1704067200000000000n, 1704153600000000000n],
  });
  assert.deepEqual(compileSql(parseKql('@timestamp > 2024-01-01T12:00:00+02:00')).params, [1704103200000000000n]);
});

test('compileSql: shapes of the SQL (json paths from the catalog, GLOB, CIDR function, json_each, constants)', () => {
  assert.deepEqual(compileSql(parseKql('source.ip: 10.0.0.0/8')), {
    where: "coalesce(sluice_ip_in_cidr(json_extract(CAST(p.doc AS TEXT), '$.source.ip'), ?, ?), 0)", params: ['10.0.0.0', 8],
  });
  assert.deepEqual(compileSql(parseKql('dns.resolved_ip: 1.2.3.4')), {
    where: "EXISTS (SELECT 1 FROM json_each(CAST(p.doc AS TEXT), '$.dns.resolved_ip') AS j WHERE (j.value = ?))", params: ['1.2.3.4'],
  });
  assert.deepEqual(compileSql(parseKql('not source.port: 80')), {
    where: "(NOT coalesce((json_extract(CAST(p.doc AS TEXT), '$.source.port') = ?), 0))", params: [80],
  });
  assert.deepEqual(compileSql(parseKql('pcap.frame: 7')), { where: 'coalesce(((p.rowid & 4294967295) = ?), 0)', params: [7] });
  assert.deepEqual(compileSql(parseKql('event.kind: event')), { where: '(1)', params: [] });
  assert.deepEqual(compileSql(parseKql('event.kind: x')), { where: '(0)', params: [] });
  assert.deepEqual(compileSql(parseKql('network.vlan.id: 010')), {
    where: "coalesce((json_extract(CAST(p.doc AS TEXT), '$.network.vlan.id') = ?), 0)", params: ['10'],
  });
  assert.deepEqual(compileSql(parseKql('source.port > 9007199254740993')).params, [9007199254740993n]);
});

test('wildcardToGlob escapes GLOB specials and keeps * and ?', () => {
  assert.equal(wildcardToGlob('*.example.com'), '*.example.com');
  assert.equal(wildcardToGlob('a\\*b?[c]'), 'a[*]b?[[]c]');
  assert.equal(wildcardToGlob('\\?\\\\x'), '[?]\\x');
});

const HOSTILE = [
  "Q'Z",
  "Q'; DROP TABLE packets; --Z",
  'Q"Z',
  'Q\u0000Z',
  'Q日本語🙂Z',
  'Q' + 'long'.repeat(25_000) + 'Z',
  'Q%Z',
  'Q_Z',
  'Q[abc]Z',
  'Q[Z',
  'Q\\Z',
  'Q)Z',
  'Q--Z',
  'Q/*Z',
  'Q$.source.ipZ',
];

/** A phrase for `s` in KQL syntax. */
const phrase = (s: string) => '"' + s.replace(/[\\"]/g, (c) => '\\' + c) + '"';

test('compileSql: user input never appears in the SQL text; it is bound as a parameter', () => {
  const hostileDb = openDb();
  hostileDb.prepare('INSERT INTO packets (rowid, ts_sec, ts_nsec, link_type, interface, orig_len, doc) VALUES (?, 0, 0, 1, 0, 1, ?)').run(3 * SPAN + 1, Buffer.from('{}'));
  for (const v of HOSTILE) {
    // Store the hostile value in a document so we can check it is matched exactly.
    const rowid = 1 * SPAN + 100;
    hostileDb.prepare('DELETE FROM packets WHERE rowid = ?').run(rowid);
    hostileDb.prepare('INSERT INTO packets (rowid, ts_sec, ts_nsec, link_type, interface, orig_len, doc) VALUES (?, 0, 0, 1, 0, 1, ?)').run(rowid, Buffer.from(JSON.stringify({ url: { original: v }, dns: { answers: [{ data: v }] } })));
    for (const q of [`url.original: ${phrase(v)}`, `dns.answers.data: ${phrase(v)}`, phrase(v), `host: ${phrase(v)}`, `url.original >= ${phrase(v)}`]) {
      const { where, params } = compileSql(parseKql(q));
      assert.ok(!where.includes(v), `${q.slice(0, 40)}: value in SQL text`);
      assert.ok(!where.includes('Q'), `${q.slice(0, 40)}: value in SQL text`);
      assert.ok(params.includes(v), `${q.slice(0, 40)}: value not bound`);
      const rows = hostileDb.prepare(`SELECT p.rowid AS r FROM packets p LEFT JOIN captures c ON c.id = (p.rowid >> 32) WHERE ${where}`).all(...params) as { r: number }[];
      if (!q.startsWith('host')) assert.ok(rows.some((r) => r.r === rowid), `${q.slice(0, 40)}: stored value not found`);
    }
    // Wildcards: the pattern is a parameter too.
    const esc = v.replace(/[\\"]/g, (c) => '\\' + c);
    const wq = `url.original: ${v.replace(/[\\():<>"*?]/g, (c) => '\\' + c)}*`;
    if (v.length > 4096) assert.throws(() => compileSql(parseKql(wq)), (e: unknown) => isSluiceError(e, 'SLUICE_QUERY_VALUE'));
    else if (!/[\s()"]/u.test(v)) {
      const { where, params } = compileSql(parseKql(wq));
      assert.ok(!where.includes('Q'));
      assert.equal(params.length, 1);
      const rows = hostileDb.prepare(`SELECT p.rowid AS r FROM packets p LEFT JOIN captures c ON c.id = (p.rowid >> 32) WHERE ${where}`).all(...params) as { r: number }[];
      assert.deepEqual(rows.map((r) => r.r), [rowid], `wildcard ${esc.slice(0, 40)}`);
    }
  }
  assert.equal((hostileDb.prepare('SELECT count(*) AS n FROM packets').get() as { n: number }).n, ROWS.length + 2);
});

test('compileSql: hostile field names are rejected before any SQL is built', () => {
  for (const q of ["source.ip'--: 1", 'x\\)\\;DROP: 1', '$.source.ip: 1', 'source: 1', 'dns.answers: x', 'source.ip.x: 1']) {
    assert.throws(() => compileSql(parseKql(q)), (e: unknown) => isSluiceError(e, 'SLUICE_QUERY_FIELD'), q);
  }
});

test('compileSql: value errors name the column', () => {
  const cases: [string, number][] = [
    ['source.port: abc', 14],
    ['source.ip: 300.1.1.1', 12],
    ['ip: 10.0.0.0/33', 5],
    ['source.ip >= abc', 14],
    ['source.ip >= 10.0.0.0/8', 14],
    ['source.ip: 10.0.*', 12],
    ['@timestamp: 2024-02-30', 13],
    ['@timestamp > "yesterday"', 14],
    ['@timestamp: 2024-01-01T25:00:00Z', 13],
    ['network.vlan.id: ten', 18],
    ['packet.ip.fragment.more: maybe', 26],
    ['port: (80 or x)', 14],
    ['source.port: 8*', 14],
  ];
  for (const [q, column] of cases) {
    assert.throws(() => compileSql(parseKql(q)), (e: unknown) => {
      assert.ok(isSluiceError(e, 'SLUICE_QUERY_VALUE'), `${q}: ${String(e)}`);
      assert.equal((e as unknown as { column: number }).column, column, q);
      assert.ok(e.message.startsWith(`query: column ${column}: `), e.message);
      return true;
    });
  }
});
