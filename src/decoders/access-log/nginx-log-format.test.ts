import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSluiceError } from '../../errors.js';
import { createAccessLogParser } from './access-log-parser.js';
import type { FieldSegment } from './format-segments.js';
import { parseNginxLogFormat } from './nginx-log-format.js';

function kinds(format: string): string[] {
  return parseNginxLogFormat(format)
    .filter((s): s is FieldSegment => s.type === 'field')
    .map((s) => (s.kind === 'other' ? `other:${s.name}` : s.kind));
}

test('nginx variables map to their meaning; unknown ones to nginx.access.<var>', () => {
  assert.deepEqual(
    kinds('$remote_addr $remote_user $time_local $time_iso8601 $msec $request $status $body_bytes_sent $bytes_sent $http_referer ' +
      '$http_user_agent $http_x_forwarded_for $request_time $upstream_response_time $upstream_addr $host $server_name $http_host ' +
      '$server_addr $server_port $remote_port $scheme $request_method $request_uri $uri $args $server_protocol $request_length ' +
      '$ssl_protocol $ssl_cipher $pid ${connection} $http_x_request_id $gzip_ratio'),
    [
      'client', 'user', 'time_http', 'time_iso', 'time_epoch_s', 'request', 'status', 'body_bytes', 'response_bytes', 'referrer',
      'user_agent', 'forwarded_for', 'duration_s', 'other:upstream_response_time', 'other:upstream_addr', 'server_domain', 'server_domain',
      'server_domain_port', 'server_ip', 'server_port', 'client_port', 'scheme', 'method', 'url_original', 'url_path', 'url_query',
      'protocol', 'request_bytes', 'tls_protocol', 'tls_cipher', 'pid', 'other:connection', 'other:http_x_request_id', 'other:gzip_ratio',
    ],
  );
});

test('the whole log_format directive from nginx.conf is accepted (quoted pieces joined)', () => {
  const a = parseNginxLogFormat(`log_format main '$remote_addr - $remote_user [$time_local] "$request" '\n    '$status $body_bytes_sent';`);
  const b = parseNginxLogFormat('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent');
  assert.deepEqual(a, b);
  assert.throws(() => parseNginxLogFormat('${remote_addr'), (e) => isSluiceError(e, 'SLUICE_ACCESS_LOG_FORMAT'));
});

test('a custom log_format with upstream lists, request time, host and ISO time', () => {
  const p = createAccessLogParser({
    nginxLogFormat:
      '$remote_addr - $remote_user [$time_iso8601] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" ' +
      'rt=$request_time uct="$upstream_connect_time" urt=$upstream_response_time ua=$upstream_addr host=$http_host',
  });
  const d = p.parseLine(
    '203.0.113.5 - - [2016-12-07T11:05:07+01:00] "GET /x.JS HTTP/1.1" 200 10 "-" "curl/8" rt=0.123 uct="0.001, 0.002" urt=0.050, 0.070 ua=10.0.0.1:80, 10.0.0.2:80 host=[2001:db8::1]:8443',
    0,
  );
  assert.equal(p.stats.parsed, 1, d.error?.message);
  assert.equal(d['@timestamp'], '2016-12-07T10:05:07.000Z');
  assert.equal(d.event.timezone, '+01:00');
  assert.equal(d.event.duration, 123_000_000);
  assert.equal(d.url?.extension, 'js');
  assert.deepEqual(d.destination, { ip: '2001:db8::1', port: 8443 });
  assert.deepEqual(d.nginx?.access, {
    remote_ip_list: ['203.0.113.5'],
    upstream_connect_time: '0.001, 0.002',
    upstream_response_time: '0.050, 0.070',
    upstream_addr: '10.0.0.1:80, 10.0.0.2:80',
  });
});

test('nginx_main preset: X-Forwarded-For as the last field', () => {
  const p = createAccessLogParser({ format: 'nginx_main' });
  const d = p.parseLine('10.1.1.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "ua" "198.51.100.20, 10.2.2.2"', 0);
  assert.equal(d.source?.ip, '198.51.100.20');
  assert.deepEqual(d.nginx?.access.remote_ip_list, ['198.51.100.20', '10.2.2.2', '10.1.1.1']);
});

test('nginx escapes: \\x22 inside a quoted user agent, UTF-8 bytes in the URL', () => {
  const p = createAccessLogParser({ format: 'nginx_combined' });
  const d = p.parseLine('198.51.100.1 - - [07/Dec/2016:11:05:07 +0100] "GET /caf\\xC3\\xA9?q=\\x22x\\x22 HTTP/1.1" 200 5 "-" "Evil \\x22UA\\x22 \\x5C"', 0);
  assert.equal(d.url?.original, '/café?q="x"');
  assert.equal(d.user_agent?.original, 'Evil "UA" \\');
});
