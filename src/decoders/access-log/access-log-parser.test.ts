import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isSluiceError } from '../../errors.js';
import { createAccessLogParser } from './access-log-parser.js';
import { ACCESS_LOG_PRESETS } from './access-log-presets.js';
import { detectWrongLogKind } from './detect-log-kind.js';

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0';

test('apache_combined: a normal line gives the Filebeat-shaped ECS document', () => {
  const p = createAccessLogParser({ format: 'apache_combined' });
  const line = `203.0.113.10 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "${UA}"`;
  const d = p.parseLine(line, 1234);
  assert.deepEqual(d, {
    '@timestamp': '2000-10-10T20:55:36.000Z',
    ecs: { version: '8.11.0' },
    event: { kind: 'event', category: ['web'], type: ['access'], module: 'apache', dataset: 'apache.access', original: line, timezone: '-07:00', outcome: 'success' },
    log: { offset: 1234 },
    source: { address: '203.0.113.10', ip: '203.0.113.10' },
    user: { name: 'frank' },
    related: { user: ['frank'], ip: ['203.0.113.10'] },
    http: { version: '1.0', request: { method: 'GET', referrer: 'http://www.example.com/start.html' }, response: { status_code: 200, body: { bytes: 2326 } } },
    url: { original: '/apache_pb.gif?x=1', path: '/apache_pb.gif', query: 'x=1', extension: 'gif' },
    user_agent: { original: UA },
  });
  assert.deepEqual(p.stats, { parsed: 1, unparsed: 0, malformed: 0 });
});

test('apache_common: common lines, combined lines and a vhost prefix all parse (Filebeat tolerance)', () => {
  const p = createAccessLogParser({ format: 'apache_common' });
  const common = p.parseLine('192.0.2.1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209', 0);
  assert.equal(common.http?.response?.status_code, 404);
  assert.equal(common.event.outcome, 'failure');
  assert.equal(common.user_agent, undefined);
  const combined = p.parseLine(`192.0.2.1 - - [26/Dec/2016:16:16:29 +0200] "GET / HTTP/1.1" 200 1 "-" "${UA}"`, 0);
  assert.equal(combined.user_agent?.original, UA);
  assert.equal(combined.http?.request?.referrer, undefined, '"-" is absent');
  const vhost = p.parseLine('vhost1.example.org 198.51.100.2 - - [04/Jul/2019:09:20:46 +0200] "GET / HTTP/1.1" 200 3 "-" "x"', 0);
  assert.deepEqual(vhost.destination, { domain: 'vhost1.example.org' });
  assert.equal(vhost.source?.ip, '198.51.100.2');
  assert.deepEqual(p.stats, { parsed: 3, unparsed: 0, malformed: 0 });
});

/** Labelled nasty lines: every one is kept, parsed as far as it goes, and flagged where it should be. */
const NASTY: [label: string, line: string, check: (d: ReturnType<ReturnType<typeof createAccessLogParser>['parseLine']>) => void][] = [
  ['TLS ClientHello bytes sent to the HTTP port', '198.51.100.7 - - [12/Apr/2018:09:48:40 +0200] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" 400 226 "-" "-"', (d) => {
    assert.equal(d.sluice?.access.malformed, 'binary');
    assert.equal(d.sluice?.access.request, '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03');
    assert.deepEqual(d.tags, ['malformed_request']);
    assert.equal(d.http?.request, undefined);
    assert.equal(d.http?.response?.status_code, 400);
  }],
  ['SSH banner sent to the HTTP port', '198.51.100.7 - - [12/Apr/2018:09:48:40 +0200] "SSH-2.0-libssh2_1.9.0" 400 226 "-" "-"', (d) => {
    assert.equal(d.sluice?.access.malformed, 'protocol_banner');
    assert.equal(d.sluice?.access.request, 'SSH-2.0-libssh2_1.9.0');
  }],
  ['empty request', '127.0.0.1 - - [12/Apr/2018:09:48:40 +0200] "" 400 0 "-" "-"', (d) => {
    assert.equal(d.sluice?.access.malformed, 'empty');
    assert.equal(d.user_agent, undefined);
  }],
  ['dash request (408)', '::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -', (d) => {
    assert.equal(d.sluice?.access.malformed, 'no_request');
    assert.equal(d.http?.response?.body, undefined, "bytes '-' is absent");
  }],
  ['escaped quotes inside the user agent and request', '203.0.113.9 - - [26/Dec/2016:16:16:48 +0200] "GET /q?x=\\"1\\" HTTP/1.1" 200 5 "-" "Mozilla \\"quoted\\" (\\\\evil)"', (d) => {
    assert.equal(d.user_agent?.original, 'Mozilla "quoted" (\\evil)');
    assert.equal(d.url?.original, '/q?x="1"');
    assert.equal(d.sluice, undefined);
  }],
  ['IPv6 client', '2001:db8:85a3::8a2e:370:7334 - - [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 5 "-" "x"', (d) => {
    assert.deepEqual(d.source, { address: '2001:db8:85a3::8a2e:370:7334', ip: '2001:db8:85a3::8a2e:370:7334' });
  }],
  ['host name client', 'crawler.example.net - - [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 5', (d) => {
    assert.deepEqual(d.source, { address: 'crawler.example.net', domain: 'crawler.example.net' });
  }],
  ['every optional field "-"', '192.0.2.4 - - [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 304 - "-" "-"', (d) => {
    assert.equal(d.user, undefined);
    assert.equal(d.user_agent, undefined);
    assert.deepEqual(d.http?.response, { status_code: 304 });
  }],
  ['huge line (1 MB URL)', `192.0.2.4 - - [26/Dec/2016:16:16:48 +0200] "GET /${'%41'.repeat(350_000)} HTTP/1.1" 414 0 "-" "-"`, (d) => {
    assert.equal(d.url?.original?.length, 1 + 1_050_000);
    assert.equal(d.sluice?.access.malformed, 'long_target');
  }],
  ['user name with a space', '192.0.2.4 - John Smith [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 1', (d) => {
    assert.deepEqual(d.user, { name: 'John Smith' });
  }],
  ['invalid date: line kept, error set, no @timestamp', '192.0.2.4 - - [31/Feb/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 1', (d) => {
    assert.equal(d['@timestamp'], undefined);
    assert.match(d.error?.message ?? '', /31\/Feb\/2016.*not a valid date/);
    assert.equal(d.url?.original, '/');
  }],
  ['proxy probe (absolute URL)', '192.0.2.4 - - [26/Dec/2016:16:16:48 +0200] "GET http://example.com:8080/x.txt HTTP/1.1" 404 1', (d) => {
    assert.deepEqual(d.url, { original: 'http://example.com:8080/x.txt', scheme: 'http', domain: 'example.com', port: 8080, path: '/x.txt', extension: 'txt' });
  }],
  ['line cut short inside the user agent', '192.0.2.4 - - [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (compatible; Googlebot/2.1', (d) => {
    assert.equal(d.user_agent?.original, 'Mozilla/5.0 (compatible; Googlebot/2.1');
  }],
  ['CRLF line ending', '192.0.2.4 - - [26/Dec/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 1\r', (d) => {
    assert.equal(d.event.original.endsWith('\r'), false);
    assert.equal(d.error, undefined);
  }],
];

for (const [label, line, check] of NASTY) {
  test(`nasty line (apache_combined): ${label}`, () => {
    const p = createAccessLogParser({ format: 'apache_combined' });
    const d = p.parseLine(line, 7);
    assert.equal(d.event.kind, 'event', d.error?.message);
    assert.equal(d.event.original, line.replace(/\r$/, ''));
    assert.equal(d.log.offset, 7);
    check(d);
  });
}

test('counters: parsed, unparsed and malformed per parser instance', () => {
  const p = createAccessLogParser({ format: 'nginx_combined' });
  p.parseLine('192.0.2.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "x"', 0);
  p.parseLine('192.0.2.1 - - [07/Dec/2016:11:05:07 +0100] "SSH-2.0-Go" 400 5 "-" "-"', 1);
  p.parseLine('this is not an access log line', 2);
  assert.deepEqual(p.stats, { parsed: 2, unparsed: 1, malformed: 1 });
  const q = createAccessLogParser({ format: 'nginx_combined' });
  assert.deepEqual(q.stats, { parsed: 0, unparsed: 0, malformed: 0 });
});

test('a line that does not parse is kept with event.original and error.message (and a stray error-log line is named)', () => {
  const p = createAccessLogParser({ format: 'apache_combined' });
  const junk = p.parseLine('garbage \u0000\u00ff line', 42);
  assert.deepEqual(junk, {
    ecs: { version: '8.11.0' },
    event: { kind: 'pipeline_error', category: ['web'], type: ['access'], module: 'apache', dataset: 'apache.access', original: 'garbage \u0000\u00ff line' },
    log: { offset: 42 },
    error: { message: 'line does not match the apache_combined format' },
  });
  const stray = p.parseLine('[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6', 43);
  assert.match(stray.error?.message ?? '', /Apache error-log line/);
  assert.equal(p.stats.unparsed, 2);
});

test('an Apache error log (2.2 and 2.4 style) or nginx error log is refused by checkHead with SLUICE_LOG_WRONG_KIND', () => {
  const p = createAccessLogParser({ format: 'apache_combined' });
  const apache22 = '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties\n[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6\n';
  const apache24 = '[Mon Jan 02 10:00:00.123456 2023] [core:error] [pid 123:tid 456] [client 192.0.2.1:5000] AH00126: Invalid URI in request\n';
  const nginx = '2016/10/25 14:49:34 [error] 54053#0: *1 open() "/usr/local/Cellar/nginx/1.10.2_1/html/favicon.ico" failed (2: No such file or directory)\n';
  for (const [head, what] of [[apache22, /an Apache error log/], [apache24, /an Apache error log/], [nginx, /an nginx error log/]] as const) {
    assert.throws(
      () => p.checkHead(head, 'logs/error_log'),
      (e) => isSluiceError(e, 'SLUICE_LOG_WRONG_KIND') && what.test(e.message) && e.message.includes('logs/error_log') && /access log/.test(e.message),
    );
  }
  const mixed = '192.0.2.1 - - [26/Dec/2016:16:16:29 +0200] "GET / HTTP/1.1" 200 1\n'.repeat(5) + apache22;
  assert.doesNotThrow(() => p.checkHead(mixed, 'access_log'));
  assert.equal(detectWrongLogKind(''), undefined);
});

test('json preset: nginx escape=json keys, short aliases, nested objects, configured mapping', () => {
  const p = createAccessLogParser({ format: 'json', jsonFields: { trace: 'trace.id', who: 'remote_user' } });
  const line = JSON.stringify({
    time_iso8601: '2016-12-07T11:05:07+01:00', remote_addr: '10.0.0.1', http_x_forwarded_for: '203.0.113.50',
    request: 'GET /a.php?id=1%27 HTTP/1.1', status: 500, body_bytes_sent: '12', request_time: 0.5,
    http_referer: '', http_user_agent: 'sqlmap/1.7', trace: 'abc', who: 'eve', upstream: { addr: '10.9.9.9:80' }, extra_flag: true,
  });
  const d = p.parseLine(line, 5);
  assert.equal(d.event.module, 'nginx');
  assert.equal(d['@timestamp'], '2016-12-07T10:05:07.000Z');
  assert.equal(d.source?.ip, '203.0.113.50');
  assert.deepEqual(d.nginx?.access, { remote_ip_list: ['203.0.113.50', '10.0.0.1'], upstream: { addr: '10.9.9.9:80' }, extra_flag: true });
  assert.equal(d.http?.response?.status_code, 500);
  assert.equal(d.event.outcome, 'failure');
  assert.equal(d.http?.response?.body?.bytes, 12);
  assert.equal(d.event.duration, 500_000_000);
  assert.equal(d.url?.query, 'id=1%27');
  assert.equal(d.user_agent?.original, 'sqlmap/1.7');
  assert.deepEqual(d.user, { name: 'eve' });
  assert.deepEqual((d as unknown as { trace: unknown }).trace, { id: 'abc' });
  assert.equal(d.event.original, line);

  const short = p.parseLine('{"ts":1481105107.5,"ip":"198.51.100.3","method":"PUT","uri":"/x","status_code":"201","ua":"curl"}', 6);
  assert.equal(short['@timestamp'], '2016-12-07T10:05:07.500Z');
  assert.equal(short.http?.request?.method, 'PUT');
  assert.equal(short.url?.original, '/x');
  assert.equal(short.source?.ip, '198.51.100.3');

  const bad = p.parseLine('{"truncated": ', 7);
  assert.equal(bad.event.kind, 'pipeline_error');
  assert.equal(bad.error?.message, 'line is not a JSON object');
  assert.deepEqual(p.stats, { parsed: 2, unparsed: 1, malformed: 0 });
});

test('options: no format, two formats or an unknown preset are refused with SLUICE_ACCESS_LOG_FORMAT', () => {
  for (const o of [{}, { format: 'apache_combined' as const, nginxLogFormat: '$remote_addr' }, { format: 'iis' as never }]) {
    assert.throws(() => createAccessLogParser(o), (e) => isSluiceError(e, 'SLUICE_ACCESS_LOG_FORMAT'));
  }
});

test('constant fields are added to every document', () => {
  const p = createAccessLogParser({ format: 'nginx_combined', fields: { 'service.name': 'shop' } });
  const d = p.parseLine('192.0.2.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "x"', 0) as unknown as { service: unknown };
  assert.deepEqual(d.service, { name: 'shop' });
});

test('property: no parser throws on arbitrary input, and every document carries the line in event.original', () => {
  const parsers = [
    ...ACCESS_LOG_PRESETS.map((format) => createAccessLogParser({ format })),
    createAccessLogParser({ apacheLogFormat: '%v:%p %a %{c}a %u %{sec}t "%m %U%q %H" %>s %B %D "%{X-Forwarded-For}i"' }),
    createAccessLogParser({ nginxLogFormat: '$remote_addr [$time_iso8601] "$request" $status $upstream_addr "$http_x_forwarded_for"' }),
  ];
  const template = '203.0.113.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "x"';
  const line = fc.oneof(
    fc.string({ maxLength: 300, unit: 'binary' }),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    // Mutations of a valid line: the parser's hardest inputs are near-misses.
    fc.tuple(fc.nat(template.length), fc.nat(20), fc.string({ maxLength: 30, unit: 'binary' })).map(([at, del, ins]) => template.slice(0, at) + ins + template.slice(at + del)),
    fc.string({ maxLength: 200 }).map((s) => `{"remote_addr":${JSON.stringify(s)},"request":${JSON.stringify(s)},"time":${JSON.stringify(s)}}`),
  );
  fc.assert(
    fc.property(line, fc.nat(), (l, offset) => {
      const expected = l.replace(/[\r\n]+$/, '');
      for (const p of parsers) {
        const d = p.parseLine(l, offset);
        assert.equal(d.event.original, expected);
        assert.equal(d.log.offset, offset);
        if (d.event.kind === 'pipeline_error') assert.ok(d.error?.message);
        JSON.stringify(d);
      }
    }),
    { numRuns: 2000 },
  );
});
