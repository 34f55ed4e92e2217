import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proxyTlsRefusal } from './proxy-tls-refusal.js';

const HTML = { 'content-type': 'text/html' };
/** nginx 1.22's own error page with `text`, byte for byte as it sends it (CRLF line ends). */
const page = (text: string): Buffer =>
  Buffer.from(`<html>\r\n<head><title>400 ${text}</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>${text}</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`, 'latin1');
const node = { display: 'https://es1:9200', clientCert: false };

test('nginx client-certificate and plain-HTTP pages become TLS failures naming the settings', () => {
  const none = proxyTlsRefusal(400, HTML, page('No required SSL certificate was sent'), node);
  assert.equal(none?.kind, 'tls');
  assert.equal(none?.notSent, true);
  assert.equal(none?.headline, 'https://es1:9200 requires a client certificate (mutual TLS)');
  assert.match(none!.hint!, /elasticsearch\.tls\.cert_file and elasticsearch\.tls\.key_file/);
  assert.match(proxyTlsRefusal(400, HTML, page('No required SSL certificate was sent'), { ...node, clientCert: true })!.detail, /although one is configured/);

  const bad = proxyTlsRefusal(400, { 'content-type': 'text/html; charset=utf-8' }, page('The SSL certificate error'), node);
  assert.equal(bad?.headline, 'https://es1:9200 refused the client certificate');
  assert.match(bad!.detail, /not signed by a CA the server trusts/);

  const plain = proxyTlsRefusal(400, HTML, page('The plain HTTP request was sent to HTTPS port'), { display: 'http://es1:9200', clientCert: false });
  assert.equal(plain?.headline, 'http://es1:9200 serves HTTPS on this port');
  assert.match(plain!.hint!, /use https:\/\/ in elasticsearch\.urls \(https:\/\/es1:9200\)/);
});

test('ordinary 400 answers stay answers', () => {
  // The engine's own 400 (a bad query, a bulk body it cannot parse) is JSON.
  const json = Buffer.from(JSON.stringify({ error: { type: 'parse_exception', reason: 'The SSL certificate error' }, status: 400 }));
  assert.equal(proxyTlsRefusal(400, { 'content-type': 'application/json' }, json, node), undefined);
  // Another HTML 400, another status with the same page, and a page too big to be nginx's.
  assert.equal(proxyTlsRefusal(400, HTML, page('Request Header Or Cookie Too Large'), node), undefined);
  assert.equal(proxyTlsRefusal(495, HTML, page('The SSL certificate error'), node), undefined);
  assert.equal(proxyTlsRefusal(400, HTML, Buffer.concat([page('The SSL certificate error'), Buffer.alloc(5000, 32)]), node), undefined);
  assert.equal(proxyTlsRefusal(400, {}, page('The SSL certificate error'), node), undefined);
});
