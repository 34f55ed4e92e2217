import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSluiceError } from '../../errors.js';
import { parseApacheLogFormat } from './apache-log-format.js';
import { createAccessLogParser } from './access-log-parser.js';
import type { FieldSegment } from './format-segments.js';

function kinds(format: string): string[] {
  return parseApacheLogFormat(format)
    .filter((s): s is FieldSegment => s.type === 'field')
    .map((s) => (s.kind === 'other' ? `other:${s.name}` : s.kind));
}

test('every documented directive maps to its meaning', () => {
  assert.deepEqual(
    kinds('%h %l %u %t %r %>s %s %<s %b %B %{Referer}i %{User-Agent}i %v %V %p %{remote}p %D %T %{ms}T %{X-Forwarded-For}i %a %{c}a %O %I %S %m %U %q %H %A %P %{tid}P %{SSL_PROTOCOL}x %{SSL_CIPHER}x'),
    [
      'client', 'ident', 'user', 'time_http', 'request', 'status', 'status_original', 'status_original', 'body_bytes_clf', 'body_bytes',
      'referrer', 'user_agent', 'server_domain', 'server_domain', 'server_port', 'client_port', 'duration_us', 'duration_s', 'duration_ms',
      'forwarded_for', 'client_ip', 'other:connection_ip', 'response_bytes', 'request_bytes', 'transfer_bytes', 'method', 'url_path',
      'url_query', 'protocol', 'server_ip', 'pid', 'tid', 'tls_protocol', 'tls_cipher',
    ],
  );
});

test('unknown and parameterised directives are kept under apache.access.<name>', () => {
  assert.deepEqual(kinds('%{Host}i %{Set-Cookie}o %{sid}C %{UNIQUE_ID}e %{note}n %k %X %L %R %f %Z %{cs-uri}^ti'), [
    'other:request_header.host', 'other:response_header.set_cookie', 'other:cookie.sid', 'other:env.unique_id', 'other:note.note',
    'other:keepalive_requests', 'other:connection_status', 'other:log_id', 'other:handler', 'other:filename', 'other:z', 'other:request_trailer.cs_uri',
  ]);
});

test('conditions (%400,501{…}i, %!200…) and %% are understood; a LogFormat line pasted from httpd.conf works', () => {
  assert.deepEqual(kinds('%400,501{User-agent}i %!200,304{Referer}i 100%% %>s'), ['user_agent', 'referrer', 'status']);
  const p = createAccessLogParser({ apacheLogFormat: 'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common' });
  const d = p.parseLine('192.0.2.7 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', 0);
  assert.equal(d.http?.response?.status_code, 200);
  assert.equal(d.url?.original, '/apache_pb.gif');
});

test('a broken LogFormat is refused with SLUICE_ACCESS_LOG_FORMAT', () => {
  for (const bad of ['%h %{Referer', '%h %']) {
    assert.throws(() => parseApacheLogFormat(bad), (e) => isSluiceError(e, 'SLUICE_ACCESS_LOG_FORMAT') && /LogFormat/.test(e.message));
  }
});

test('a custom LogFormat with timing, ports, TLS, headers and split request parts', () => {
  const p = createAccessLogParser({
    apacheLogFormat: '%v:%p %a:%{remote}p %u [%{msec}t] "%m %U%q %H" %>s %B %O %I %D %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%{Host}i" %P',
  });
  const d = p.parseLine(
    'www.example.com:443 2001:db8::7:51234 alice [1481105107123] "POST /login.php?next=%2F HTTP/2.0" 302 0 412 733 1500 TLSv1.3 TLS_AES_128_GCM_SHA256 "www.example.com" 4242',
    99,
  );
  assert.equal(p.stats.parsed, 1, JSON.stringify(d.error));
  assert.equal(d['@timestamp'], '2016-12-07T10:05:07.123Z');
  assert.deepEqual(d.destination, { domain: 'www.example.com', port: 443 });
  assert.deepEqual(d.source, { address: '2001:db8::7', ip: '2001:db8::7', port: 51234 });
  assert.deepEqual(d.user, { name: 'alice' });
  assert.deepEqual(d.http, { version: '2.0', request: { method: 'POST', bytes: 733 }, response: { status_code: 302, bytes: 412, body: { bytes: 0 } } });
  assert.deepEqual(d.url, { original: '/login.php?next=%2F', path: '/login.php', query: 'next=%2F', extension: 'php' });
  assert.equal(d.event.duration, 1_500_000);
  assert.deepEqual(d.tls, { version_protocol: 'tls', version: '1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
  assert.deepEqual(d.process, { pid: 4242 });
  assert.deepEqual(d.apache?.access, { request_header: { host: 'www.example.com' }, ssl: { protocol: 'TLSv1.3' } });
  assert.equal(d.log.offset, 99);
});

test('vhost_combined preset', () => {
  const p = createAccessLogParser({ format: 'apache_vhost_combined' });
  const d = p.parseLine('shop.example.com:80 198.51.100.4 - bob [26/Dec/2016:16:22:13 +0000] "GET /hello HTTP/1.1" 404 499 "http://r.example/" "curl/8.0"', 0);
  assert.deepEqual(d.destination, { domain: 'shop.example.com', port: 80 });
  assert.deepEqual(d.source, { address: '198.51.100.4', ip: '198.51.100.4' });
  assert.equal(d.http?.response?.bytes, 499);
  assert.equal(d.http?.request?.referrer, 'http://r.example/');
  assert.equal(d.user_agent?.original, 'curl/8.0');
  assert.deepEqual(d.user, { name: 'bob' });
});

test('X-Forwarded-For in an Apache format: chain + peer, first public address as source (Filebeat nginx rule)', () => {
  const p = createAccessLogParser({ apacheLogFormat: '%h %l %u %t "%r" %>s %b "%{X-Forwarded-For}i"' });
  const d = p.parseLine('10.0.0.5 - - [26/Dec/2016:16:22:13 +0000] "GET / HTTP/1.1" 200 1 "192.168.1.9, 203.0.113.9"', 0);
  assert.equal(d.source?.address, '203.0.113.9');
  assert.equal(d.source?.ip, '203.0.113.9');
  assert.deepEqual(d.apache?.access.remote_ip_list, ['192.168.1.9', '203.0.113.9', '10.0.0.5']);
  assert.deepEqual(d.related?.ip, ['192.168.1.9', '203.0.113.9', '10.0.0.5']);
  const none = p.parseLine('10.0.0.5 - - [26/Dec/2016:16:22:13 +0000] "GET / HTTP/1.1" 200 1 "-"', 0);
  assert.equal(none.source?.address, '10.0.0.5');
  assert.equal(none.apache, undefined);
});
