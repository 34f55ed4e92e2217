// EngineClient against real local HTTP servers: failover, timeouts, gzip, auth headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Secret } from '../../../config/secret.js';
import { isSluiceError } from '../../../errors.js';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { EngineClient, isLoopbackOrigin } from './engine-client.js';
import { assertAuthorized } from './assert-authorized.js';
import { deadUrl, rejection, sendJson, startHttp, type TestServer } from './test-support.js';

const servers: TestServer[] = [];
const clients: EngineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});

async function server(handler: Parameters<typeof startHttp>[0]): Promise<TestServer> {
  const s = await startHttp(handler);
  servers.push(s);
  return s;
}
function client(options: ConstructorParameters<typeof EngineClient>[0]): EngineClient {
  const c = new EngineClient(options);
  clients.push(c);
  return c;
}
const ok = (): Promise<TestServer> => server((_req, res) => sendJson(res, 200, { ok: true }));

test('fails over from a dead URL to a live one, then skips the dead node during its cool-down', async () => {
  const dead = await deadUrl();
  const live = await ok();
  const c = client({ urls: [dead, live.url], timeoutMs: 2000 });
  const r1 = await c.request({ method: 'GET', path: '/' });
  assert.equal(r1.status, 200);
  assert.equal(r1.node, live.url);
  assert.deepEqual(r1.json(), { ok: true });
  for (let i = 0; i < 4; i++) assert.equal((await c.request({ method: 'GET', path: '/' })).node, live.url);
  assert.equal(live.seen.length, 5);
});

test('a node answering 503 is left for the next one; when every node answers 502-504 the last answer is returned', async () => {
  const busy = await server((_req, res) => sendJson(res, 503, { error: 'busy' }));
  const live = await ok();
  const c = client({ urls: [busy.url, live.url] });
  const r = await c.request({ method: 'POST', path: '/_bulk', body: '{}\n', ndjson: true });
  assert.equal(r.status, 200);
  assert.equal(busy.seen.length, 1);
  assert.equal(live.seen.length, 1);
  const r2 = await c.request({ method: 'GET', path: '/' });
  assert.equal(r2.node, live.url, 'the 503 node is cooling down');
  assert.equal(busy.seen.length, 1);

  const gw = await server((_req, res) => sendJson(res, 502, { error: 'bad gateway' }));
  const c2 = client({ urls: [busy.url, gw.url] });
  const r3 = await c2.request({ method: 'GET', path: '/' });
  assert.ok(r3.status === 502 || r3.status === 503, 'an HTTP status is an answer, not an exception');
});

test('HTTP error statuses are answers, not exceptions', async () => {
  const s = await server((_req, res) => sendJson(res, 409, { error: { type: 'version_conflict_engine_exception' } }));
  const r = await client({ urls: [s.url] }).request({ method: 'PUT', path: '/i/_create/1', body: { a: 1 } });
  assert.equal(r.status, 409);
  assert.equal(r.json<{ error: { type: string } }>().error.type, 'version_conflict_engine_exception');
});

test('every node dead → SLUICE_ENGINE_UNREACHABLE naming each node and what to check', async () => {
  const a = await deadUrl();
  const b = await deadUrl();
  const err = await rejection(client({ urls: [a, b] }).request({ method: 'GET', path: '/' }));
  assert.ok(isSluiceError(err, 'SLUICE_ENGINE_UNREACHABLE'), String(err));
  assert.match(err.message, /no Elasticsearch node answered GET \//);
  assert.ok(err.message.includes(`cannot reach ${a}: connection refused`), err.message);
  assert.ok(err.message.includes(b));
  assert.match(err.message, /check the host and port in elasticsearch\.urls/);
});

test('a node that never answers times out (SLUICE_ENGINE_TIMEOUT), and the request moves on to the next node', async () => {
  const silent = await server(() => {
    /* never answer */
  });
  const t0 = Date.now();
  const err = await rejection(client({ urls: [silent.url], timeoutMs: 300 }).request({ method: 'GET', path: '/' }));
  assert.ok(isSluiceError(err, 'SLUICE_ENGINE_TIMEOUT'), String(err));
  assert.match(err.message, /timed out: no complete answer within 300 ms/);
  assert.ok(Date.now() - t0 < 3000);

  const live = await ok();
  const r = await client({ urls: [silent.url, live.url], timeoutMs: 300 }).request({ method: 'GET', path: '/' });
  assert.equal(r.node, live.url);
});

test('idempotent: false does not resend after a timeout (the request may have been applied)', async () => {
  const silent = await server(() => {});
  const live = await ok();
  const err = await rejection(client({ urls: [silent.url, live.url], timeoutMs: 300 }).request({ method: 'POST', path: '/i/_doc', body: { a: 1 }, idempotent: false }));
  assert.ok(isSluiceError(err, 'SLUICE_ENGINE_TIMEOUT'), String(err));
  assert.equal(live.seen.length, 0);
  // A refused connection never reached a server, so failover is safe even then.
  const r = await client({ urls: [await deadUrl(), live.url] }).request({ method: 'POST', path: '/i/_doc', body: { a: 1 }, idempotent: false });
  assert.equal(r.status, 200);
});

test('an aborted signal stops the request with its reason, without failover', async () => {
  const silent = await server(() => {});
  const controller = new AbortController();
  const p = client({ urls: [silent.url] }).request({ method: 'GET', path: '/', signal: controller.signal });
  setTimeout(() => controller.abort(new Error('shutting down')), 50);
  const err = await rejection(p);
  assert.equal(err.message, 'shutting down');
});

test('with compression gzip, request bodies above 1 KiB are gzipped with content-encoding; they decompress to the original', async () => {
  const s = await ok();
  const c = client({ urls: [s.url], compression: 'gzip' });
  const big = Array.from({ length: 200 }, (_, i) => `{"create":{"_id":"${i}"}}\n{"n":${i}}\n`).join('');
  assert.ok(Buffer.byteLength(big) > 1024);
  await c.request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  const seen = s.seen[0]!;
  assert.equal(seen.headers['content-encoding'], 'gzip');
  assert.equal(seen.headers['content-type'], 'application/x-ndjson');
  assert.equal(seen.headers['accept-encoding'], 'gzip');
  assert.ok(seen.body.length < Buffer.byteLength(big));
  assert.equal(gunzipSync(seen.body).toString('utf8'), big);

  await c.request({ method: 'PUT', path: '/small', body: { settings: {} } });
  const small = s.seen[1]!;
  assert.equal(small.headers['content-encoding'], undefined);
  assert.equal(small.headers['content-type'], 'application/json');
  assert.equal(small.body.toString(), '{"settings":{}}');

  await client({ urls: [s.url], gzip: false }).request({ method: 'POST', path: '/_bulk', body: Buffer.from(big), ndjson: true });
  assert.equal(s.seen[2]!.headers['content-encoding'], undefined);
  assert.equal(s.seen[2]!.body.toString(), big);
});

test('gzip responses are decoded transparently', async () => {
  const payload = { took: 3, errors: false, items: Array.from({ length: 100 }, (_, i) => ({ create: { _id: String(i), status: 201 } })) };
  const s = await server((req, res) => {
    const text = JSON.stringify(payload);
    if (req.headers['accept-encoding']?.includes('gzip')) {
      const z = gzipSync(text);
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': z.length });
      res.end(z);
    } else sendJson(res, 200, payload);
  });
  const r = await client({ urls: [s.url], compression: 'gzip' }).request({ method: 'GET', path: '/' });
  assert.equal(s.seen[0]!.headers['accept-encoding'], 'gzip');
  assert.deepEqual(r.json(), payload);
  assert.equal(r.headers['content-encoding'], undefined);
});

test('query parameters, a sub-path behind a proxy and extra headers reach the server', async () => {
  const s = await ok();
  await client({ urls: [`${s.url}/es/`] }).request({ method: 'get', path: '/_cluster/health', query: { wait_for_status: 'yellow', timeout: '5s', local: undefined, pretty: false }, headers: { 'X-Opaque-Id': 'sluice-1' } });
  assert.equal(s.seen[0]!.method, 'GET');
  assert.equal(s.seen[0]!.url, '/es/_cluster/health?wait_for_status=yellow&timeout=5s&pretty=false');
  assert.equal(s.seen[0]!.headers['x-opaque-id'], 'sluice-1');
});

test('Authorization headers exactly as Elasticsearch expects them', async () => {
  const s = await ok();
  const header = async (opts: Partial<ConstructorParameters<typeof EngineClient>[0]>, url = s.url): Promise<string | undefined> => {
    const before = s.seen.length;
    await client({ urls: [url], ...opts }).request({ method: 'GET', path: '/' });
    return s.seen[before]!.headers.authorization;
  };
  const b64 = (t: string): string => Buffer.from(t, 'utf8').toString('base64');
  assert.equal(await header({ auth: { username: 'elastic', password: new Secret('pä:ss') } }), `Basic ${b64('elastic:pä:ss')}`);
  assert.equal(await header({ auth: { apiKey: new Secret('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw') } }), `ApiKey ${b64('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw')}`);
  const encoded = b64('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw');
  assert.equal(await header({ auth: { apiKey: new Secret(encoded) } }), `ApiKey ${encoded}`);
  assert.equal(await header({ auth: { bearer: new Secret('AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMQ') } }), 'Bearer AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMQ');
  assert.equal(await header({}), undefined);
  // Credentials in the URL move to the header (percent-decoded) and out of every printed form.
  const withCreds = s.url.replace('http://', 'http://bob:p%40ss%3Aword@');
  assert.equal(await header({}, withCreds), `Basic ${b64('bob:p@ss:word')}`);
  const c = client({ urls: [withCreds] });
  assert.deepEqual(c.nodes, [s.url]);
  assert.ok(c.warnings.some((w) => /unencrypted/.test(w)), 'credentials over http:// are warned about');
});

test('401 and 403 are answers; assertAuthorized turns them into SLUICE_ENGINE_AUTH with the reason and what to do', async () => {
  const s = await server((req, res) => {
    if (req.url === '/denied') {
      sendJson(res, 403, { error: { type: 'security_exception', reason: 'action [indices:data/write/bulk] is unauthorized for user [sluice] with roles [viewer] on indices [packets-2024]' }, status: 403 });
    } else {
      sendJson(res, 401, { error: { type: 'security_exception', reason: 'unable to authenticate user [sluice] for REST request [/]' }, status: 401 }, { 'www-authenticate': 'Basic realm="security" charset="UTF-8"' });
    }
  });
  const c = client({ urls: [s.url], auth: { username: 'sluice', password: new Secret('wrong') } });
  const r401 = await c.request({ method: 'GET', path: '/' });
  assert.equal(r401.status, 401);
  const e401 = (() => {
    try {
      assertAuthorized(r401, c.scrub);
    } catch (err) {
      return err as Error & { code?: string };
    }
    return undefined;
  })();
  assert.ok(isSluiceError(e401, 'SLUICE_ENGINE_AUTH'));
  assert.match(e401.message, /rejected the credentials for GET \/ \(HTTP 401: unable to authenticate user \[sluice\]/);
  assert.match(e401.message, /elasticsearch\.username and elasticsearch\.password, or elasticsearch\.api_key/);
  const r403 = await c.request({ method: 'POST', path: '/denied' });
  assert.throws(() => assertAuthorized(r403), (err: Error & { code?: string }) => err.code === 'SLUICE_ENGINE_AUTH' && /lacks a privilege/.test(err.message) && /indices:data\/write\/bulk/.test(err.message));
  assertAuthorized(await client({ urls: [(await ok()).url] }).request({ method: 'GET', path: '/' }));
});

test('bad options fail at construction with SLUICE_ENGINE_OPTIONS', () => {
  const code = (fn: () => unknown): string | undefined => {
    try {
      fn();
    } catch (err) {
      return (err as { code?: string }).code;
    }
    return undefined;
  };
  assert.equal(code(() => new EngineClient({ urls: [] })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['ftp://h:21'] })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['not a url'] })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://a:9200', 'http://a:9200/'] })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://a:9200'], timeoutMs: 0 })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://a:9200'], tls: { caFile: '/nonexistent/ca.pem' } })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://a:9200'], tls: { certFile: '/x.pem' } })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://u:p@a:9200', 'http://v:q@b:9200'] })), 'SLUICE_ENGINE_OPTIONS');
  assert.equal(code(() => new EngineClient({ urls: ['http://u:p@a:9200'], auth: { apiKey: new Secret('k') } })), 'SLUICE_ENGINE_OPTIONS');
});

const bulkBody = (): string => Array.from({ length: 200 }, (_, i) => `{"create":{"_id":"${i}"}}\n{"n":${i}}\n`).join('');

test('compression auto (the default) sends plain bodies to a loopback node and asks for no gzip answers', async () => {
  const s = await ok();
  const big = bulkBody();
  await client({ urls: [s.url] }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  await client({ urls: [s.url], compression: 'auto' }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  await client({ urls: [s.url], compression: 'none' }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  for (const seen of s.seen) {
    assert.equal(seen.headers['content-encoding'], undefined);
    assert.equal(seen.headers['accept-encoding'], undefined);
    assert.equal(seen.body.toString('utf8'), big);
  }
  // `compression` wins over the older boolean.
  await client({ urls: [s.url], gzip: true, compression: 'none' }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  assert.equal(s.seen[3]!.headers['content-encoding'], undefined);
  await client({ urls: [s.url], gzip: false, compression: 'gzip' }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  assert.equal(s.seen[4]!.headers['content-encoding'], 'gzip');
});

test('compression auto gzips bodies to a node on a non-loopback address', async (t) => {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && !a.internal && a.family === 'IPv4')?.address;
  if (address === undefined) {
    t.skip('this machine has no non-loopback IPv4 address to listen on');
    return;
  }
  const seen: { headers: Record<string, unknown>; body: Buffer }[] = [];
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
      sendJson(res, 200, { ok: true });
    });
  });
  await new Promise<void>((r) => srv.listen(0, address, () => r()));
  try {
    const url = `http://${address}:${(srv.address() as { port: number }).port}`;
    const c = new EngineClient({ urls: [url] });
    const big = bulkBody();
    const r = await c.request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
    assert.equal(r.status, 200);
    await c.close();
    assert.equal(seen[0]!.headers['content-encoding'], 'gzip');
    assert.equal(seen[0]!.headers['accept-encoding'], 'gzip');
    assert.equal(gunzipSync(seen[0]!.body).toString('utf8'), big);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
});

test('failover from a dead gzip node resends the plain body to a loopback node', async () => {
  const s = await ok();
  // A dead node on a non-loopback name is cooled down; the live loopback node gets the body uncompressed.
  const dead = (await deadUrl()).replace('127.0.0.1', 'localhost.invalid');
  const big = bulkBody();
  const r = await client({ urls: [dead, s.url], timeoutMs: 2000 }).request({ method: 'POST', path: '/_bulk', body: big, ndjson: true });
  assert.equal(r.status, 200);
  assert.equal(s.seen[0]!.headers['content-encoding'], undefined);
  assert.equal(s.seen[0]!.body.toString('utf8'), big);
});

test('loopback origins: localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.x; anything else is remote', () => {
  for (const o of ['http://localhost:9200', 'https://LOCALHOST', 'http://es.localhost:9200', 'http://127.0.0.1:9200', 'http://127.255.3.4', 'http://[::1]:9200', 'http://[::ffff:127.0.0.1]:9200']) {
    assert.equal(isLoopbackOrigin(o), true, o);
  }
  for (const o of ['http://10.0.0.1:9200', 'https://es1:9200', 'http://128.0.0.1', 'http://[::2]', 'http://[::ffff:10.0.0.1]', 'http://localhost.example.com', 'http://127.0.0.1.nip.io', 'not a url']) {
    assert.equal(isLoopbackOrigin(o), false, o);
  }
});

test('an unknown compression is refused at construction', () => {
  assert.throws(
    () => new EngineClient({ urls: ['http://127.0.0.1:9200'], compression: 'zstd' as never }),
    (err: unknown) => isSluiceError(err) && err.code === 'SLUICE_ENGINE_OPTIONS' && /auto, gzip, none/.test(err.message),
  );
});

test('openConnections counts the keep-alive connections of every node (active_connections)', async () => {
  const a = await ok();
  const b = await ok();
  const c = client({ urls: [a.url, b.url] });
  assert.equal(c.openConnections, 0, 'nothing is connected before the first request');
  await c.request({ method: 'GET', path: '/' });
  assert.equal(c.openConnections, 1);
  // Two requests at once on one node need two connections; both stay open (keep-alive).
  await Promise.all([c.request({ method: 'GET', path: '/' }), c.request({ method: 'GET', path: '/' })]);
  assert.ok(c.openConnections >= 2, `open connections: ${c.openConnections}`);
  await c.close();
  assert.equal(c.openConnections, 0);
});
