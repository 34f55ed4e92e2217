import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestLine } from './parse-request-line.js';
import { unescapeLogValue } from './unescape-log-value.js';

const cases: [label: string, line: string, method: string | undefined, target: string | undefined, version: string | undefined, malformed: string | undefined][] = [
  ['normal', 'GET /x HTTP/1.1', 'GET', '/x', '1.1', undefined],
  ['HTTP/2.0', 'POST /api?a=1 HTTP/2.0', 'POST', '/api?a=1', '2.0', undefined],
  ['lower-case method kept as written', 'get / HTTP/1.0', 'get', '/', '1.0', undefined],
  ['dash: no request (Apache 408)', '-', undefined, undefined, undefined, 'no_request'],
  ['empty request (nginx 400)', '', undefined, undefined, undefined, 'empty'],
  ['TLS ClientHello on a plain port', unescapeLogValue('\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03'), undefined, undefined, undefined, 'binary'],
  ['SSH banner', 'SSH-2.0-Go', undefined, undefined, undefined, 'protocol_banner'],
  ['VNC banner', 'RFB 003.008', undefined, undefined, undefined, 'protocol_banner'],
  ['method only', 'OPTIONS', 'OPTIONS', undefined, undefined, 'missing_target'],
  ['method and version, no target', 'GET HTTP/1.1', 'GET', undefined, '1.1', 'missing_target'],
  ['no protocol (HTTP/0.9 style probe)', 'GET /', 'GET', '/', undefined, 'missing_protocol'],
  ['other protocol', 'OPTIONS rtsp://192.0.2.1:554 RTSP/1.0', 'OPTIONS', 'rtsp://192.0.2.1:554', undefined, 'invalid_protocol'],
  ['JSON body as request', '{"id":1,"method":"eth_blockNumber"}', undefined, undefined, undefined, 'invalid_method'],
  ['spaces in the target', 'GET /a b/c HTTP/1.1', 'GET', '/a b/c', '1.1', 'space_in_target'],
  ['scanner method', 'MGLNDD_192.0.2.1_443', 'MGLNDD_192.0.2.1_443', undefined, undefined, 'missing_target'],
  ['CONNECT authority form', 'CONNECT example.com:443 HTTP/1.1', 'CONNECT', 'example.com:443', '1.1', undefined],
];

for (const [label, line, method, target, version, malformed] of cases) {
  test(`request line: ${label}`, () => {
    const r = parseRequestLine(line);
    assert.deepEqual(r, { method, target, version, malformed });
  });
}

test('request line: a very long target is kept whole and flagged', () => {
  const target = '/' + 'A'.repeat(100_000);
  const r = parseRequestLine(`GET ${target} HTTP/1.1`);
  assert.equal(r.target, target);
  assert.equal(r.method, 'GET');
  assert.equal(r.version, '1.1');
  assert.equal(r.malformed, 'long_target');
});
